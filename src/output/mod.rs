//! Intercom's JSON → what the model reads: lean, and lossless in meaning. Every byte here is
//! paid for in the model's context. The rules, applied everywhere:
//!
//! 1. Defaults are left out: `null`, `""`, `[]`, `{}`, and in Intercom's own fields `false`
//!    and `0`. A field that is not there has its default meaning (the server's instructions
//!    tell the model so). Custom attributes and list items are data: there only the empty
//!    values go, and a `false` or `0` stays.
//! 2. A `type` that only names the object's kind (`contact`, `list`, `tag.list`, …) is left
//!    out; a `type` that tells things apart (an author's `admin`/`user`, a source's `email`)
//!    stays.
//! 3. A list wrapper becomes its array; one that Intercom cut short keeps `total_count` and
//!    `has_more` beside the items.
//! 4. API paths of sub-resources (`url` starting with `/`) and the workspace id (`app_id`,
//!    `workspace_id`, the same on every object) are left out.
//! 5. Times in unix seconds (`*_at`, `waiting_since`, `snoozed_until`) become ISO 8601 UTC;
//!    `updated_at` and `notified_at` are shown only when they differ from `created_at`.
//! 6. HTML bodies become plain text; links are kept as numbered references.
//! 7. A page of results starts with `has_more` and `next_cursor` (or `next_page` for
//!    companies), and `total_count` when there is more; the items follow under their name.
//!    Otherwise fields keep Intercom's order.
//! 8. A conversation's opening message and parts form one chronological `timeline`, with a
//!    note when Intercom's 500-part cap cut it short.
//!
//! `raw: true` on a read tool skips all of this and returns Intercom's JSON as it came.
//!
//! This file holds rules 1–6, which apply to any value; `answers.rs` holds rules 7 and 8,
//! which shape a whole page or a whole conversation; `html.rs` reads HTML bodies (rule 6).

mod answers;
mod html;

use serde_json::{Map, Value, json};

use answers::{conversation, page};
pub use html::plain_text;

/// How a tool's answer is shaped for the model.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Output {
    /// One object (a contact, a company, a note…).
    Object,
    /// A conversation, with its timeline.
    Conversation,
    /// A cursor-paged list; the items go under this name.
    CursorPage(&'static str),
    /// A page-numbered list; the items go under this name.
    NumberedPage(&'static str),
    /// A complete list (tags): just the items.
    List,
}

/// `type` values that only say what kind of object this is.
pub const KINDS: &[&str] = &[
    "list",
    "pages",
    "contact",
    "company",
    "tag",
    "segment",
    "location",
    "avatar",
    "app",
    "note",
    "conversation",
    "conversation_part",
    "social_profile",
    "subscription_type",
];
/// Fields that hold the workspace's own id: the same on every object.
pub const WORKSPACE_IDS: &[&str] = &["app_id", "workspace_id"];
/// Intercom returns at most this many parts of a conversation.
pub const PART_CAP: usize = 500;

/// What the model reads: the lean form, with customer-written text marked as data
/// ([`crate::untrusted`]).
pub fn for_model(output: Output, body: Value, mode: crate::untrusted::Mode) -> Value {
    use crate::untrusted::{Kind, Records, mark};
    let records = match output {
        Output::CursorPage(items) | Output::NumberedPage(items) => {
            Kind::of_items(items).map_or(Records::None, |kind| Records::Under(items, kind))
        }
        Output::Conversation => Records::Top(Kind::Conversation),
        Output::Object => body
            .get("type")
            .and_then(Value::as_str)
            .and_then(Kind::of_type)
            .map_or(Records::None, Records::Top),
        Output::List => Records::None,
    };
    let mut lean = lean(output, body);
    mark(&mut lean, records, mode);
    lean
}

pub fn lean(output: Output, body: Value) -> Value {
    match output {
        Output::Object | Output::List => value(None, body),
        Output::Conversation => conversation(body),
        Output::CursorPage(items) => page(body, items, false),
        Output::NumberedPage(items) => page(body, items, true),
    }
}

/// True for `null`, `""`, `[]` and `{}`: left out everywhere.
pub fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(text) => text.is_empty(),
        Value::Array(items) => items.is_empty(),
        Value::Object(map) => map.is_empty(),
        Value::Bool(_) | Value::Number(_) => false,
    }
}

/// True for the values rule 1 leaves out of Intercom's own fields: the empty ones, `false`
/// and `0`.
pub fn is_default(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Bool(flag) => !flag,
        Value::Number(number) => number.as_f64() == Some(0.0),
        Value::String(text) => text.is_empty(),
        Value::Array(items) => items.is_empty(),
        Value::Object(map) => map.is_empty(),
    }
}

pub fn is_kind_type(key: &str, value: &Value) -> bool {
    key == "type"
        && value
            .as_str()
            .is_some_and(|kind| KINDS.contains(&kind) || kind.ends_with(".list"))
}

pub fn is_time_field(key: &str) -> bool {
    key.ends_with("_at") || key == "waiting_since" || key == "snoozed_until"
}

pub use crate::time::iso;

fn looks_like_html(text: &str) -> bool {
    text.contains('<') && text.contains('>')
}

/// Rules 1–6 on any value; `key` is the field it sits in, when known.
fn value(key: Option<&str>, value: Value) -> Value {
    match value {
        Value::Object(map) => object(map),
        // An array keeps every item that is not empty: a `0` or `false` in a list is a value.
        Value::Array(items) => Value::Array(
            items
                .into_iter()
                .map(|item| self::value(None, item))
                .filter(|v| !is_empty(v))
                .collect(),
        ),
        Value::Number(number) if key.is_some_and(is_time_field) => match number.as_u64() {
            Some(seconds) if seconds > 0 => {
                iso(seconds).map_or(Value::Number(number), Value::String)
            }
            _ => Value::Number(number),
        },
        Value::String(text) if key == Some("body") && looks_like_html(&text) => {
            json!(plain_text(&text))
        }
        other => other,
    }
}

fn is_list_wrapper(map: &Map<String, Value>) -> bool {
    map.get("type")
        .and_then(Value::as_str)
        .is_some_and(|kind| kind == "list" || kind.ends_with(".list"))
        && map.keys().all(|key| {
            matches!(key.as_str(), "type" | "url" | "total_count" | "has_more")
                || map.get(key).is_some_and(Value::is_array)
        })
}

/// Changed in place: `retain` keeps the order and the keys' hashes, where building a new map
/// hashed every key again (docs/performance.md).
fn object(mut map: Map<String, Value>) -> Value {
    if is_list_wrapper(&map) {
        return list_wrapper(map);
    }
    let created_at = map.get("created_at").cloned();
    map.retain(|key, field| {
        let dropped = is_kind_type(key, field)
            || WORKSPACE_IDS.contains(&key.as_str())
            || (key == "url" && field.as_str().is_some_and(|url| url.starts_with('/')))
            || (matches!(key.as_str(), "updated_at" | "notified_at")
                && created_at.as_ref() == Some(&*field));
        if dropped {
            return false;
        }
        let taken = std::mem::take(field);
        // Custom attributes are the customer's own data: there, `false` and `0` are values.
        *field = if key == "custom_attributes" {
            custom_attributes(taken)
        } else {
            value(Some(key), taken)
        };
        !is_default(field)
    });
    Value::Object(map)
}

fn custom_attributes(field: Value) -> Value {
    match field {
        Value::Object(mut map) => {
            map.retain(|_, value| !is_empty(value));
            Value::Object(map)
        }
        other => other,
    }
}

fn list_wrapper(mut map: Map<String, Value>) -> Value {
    let items_key = map
        .iter()
        .find(|(_, field)| field.is_array())
        .map(|(key, _)| key.clone());
    let items = items_key
        .and_then(|key| map.remove(&key))
        .unwrap_or_default();
    let items = value(None, items);
    let shown = items.as_array().map_or(0, Vec::len) as u64;
    let total = map.get("total_count").and_then(Value::as_u64);
    let has_more = map
        .get("has_more")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    if !has_more && total.is_none_or(|total| total <= shown) {
        return items;
    }
    let mut out = Map::new();
    out.insert("data".to_owned(), items);
    if let Some(total) = total {
        out.insert("total_count".to_owned(), json!(total));
    }
    out.insert("has_more".to_owned(), json!(has_more));
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_kinds_paths_and_workspace_ids_go() {
        let raw = json!({"type": "contact", "id": "c1", "app_id": "w", "name": null, "phone": "",
            "tags": {"type": "list", "data": [], "url": "/contacts/c1/tags", "total_count": 0, "has_more": false},
            "unsubscribed_from_emails": false, "owner_id": 0, "custom_attributes": {}, "role": "user"});
        assert_eq!(
            lean(Output::Object, raw),
            json!({"id": "c1", "role": "user"})
        );
    }

    #[test]
    fn custom_attributes_and_list_items_keep_false_and_zero() {
        let raw = json!({"id": "c1", "vip": false, "custom_attributes": {"vip": false, "seats": 0, "note": null}, "scores": [0, 1, false]});
        assert_eq!(
            lean(Output::Object, raw),
            json!({"id": "c1", "custom_attributes": {"vip": false, "seats": 0}, "scores": [0, 1, false]})
        );
    }

    #[test]
    fn numbers_no_time_can_be_stay_numbers() {
        let raw = json!({"created_at": 1719492736, "last_order_at": 1717000000000_u64, "huge_at": u64::MAX});
        assert_eq!(
            lean(Output::Object, raw),
            json!({"created_at": "2024-06-27T12:52:16Z", "last_order_at": 1717000000000_u64, "huge_at": u64::MAX})
        );
    }

    #[test]
    fn times_become_iso_and_an_unchanged_updated_at_goes() {
        let raw =
            json!({"created_at": 1719492736, "updated_at": 1719492736, "last_seen_at": 1719500000});
        assert_eq!(
            lean(Output::Object, raw),
            json!({"created_at": "2024-06-27T12:52:16Z", "last_seen_at": "2024-06-27T14:53:20Z"})
        );
    }

    #[test]
    fn a_cut_short_sub_list_keeps_its_counts() {
        let raw = json!({"tags": {"type": "list", "data": [{"type": "tag", "id": "1"}], "total_count": 12, "has_more": true}});
        assert_eq!(
            lean(Output::Object, raw),
            json!({"tags": {"data": [{"id": "1"}], "total_count": 12, "has_more": true}})
        );
    }

    #[test]
    fn html_bodies_become_text_with_links() {
        let raw = json!({"body": "<p>See <a href=\"https://example.com/d\">the docs</a> &amp; reply.</p>"});
        assert_eq!(
            lean(Output::Object, raw),
            json!({"body": "See [the docs][1] & reply.\n\n[1]: https://example.com/d"})
        );
    }

    #[test]
    fn pages_become_has_more_and_a_cursor_or_page_number() {
        let raw = json!({"type": "list", "data": [{"type": "contact", "id": "a"}], "total_count": 40,
            "pages": {"type": "pages", "page": 1, "per_page": 1, "total_pages": 40, "next": {"page": 2, "starting_after": "WzE="}}});
        assert_eq!(
            lean(Output::CursorPage("contacts"), raw.clone()),
            json!({"has_more": true, "next_cursor": "WzE=", "total_count": 40, "contacts": [{"id": "a"}]})
        );
        assert_eq!(
            lean(Output::NumberedPage("companies"), raw),
            json!({"has_more": true, "next_page": 2, "total_count": 40, "companies": [{"id": "a"}]})
        );
        let last = json!({"type": "list", "data": [], "total_count": 0, "pages": {"page": 1, "total_pages": 0}});
        assert_eq!(
            lean(Output::CursorPage("contacts"), last),
            json!({"has_more": false})
        );
    }

    #[test]
    fn a_capped_conversation_says_so() {
        let parts: Vec<Value> = (0..PART_CAP).map(|i| json!({"type": "conversation_part", "id": i.to_string(), "part_type": "comment", "created_at": 1_700_000_000 + i})).collect();
        let raw = json!({"id": "1", "conversation_parts": {"type": "conversation_part.list", "conversation_parts": parts, "total_count": 612}});
        let lean = lean(Output::Conversation, raw);
        assert_eq!(lean["timeline"].as_array().unwrap().len(), PART_CAP);
        assert_eq!(
            lean["timeline_note"],
            "Intercom returns at most 500 parts: 500 shown of 612"
        );
    }
}
