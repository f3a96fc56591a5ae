//! The search query language shared by the contact and conversation searches: the schema
//! refinements, and every rule Intercom enforces checked before anything is sent — nesting,
//! group size, which operators a field's type takes, arrays only with IN/NIN — with dates
//! accepted as ISO 8601 and sent as unix seconds.

use serde_json::{Value, json};

use serde_json::Map;

use super::schema::for_each_schema;

/// Every operator Intercom's search accepts; which ones fit depends on the field's type.
pub const OPERATORS: [&str; 12] = [
    "=", "!=", "IN", "NIN", "<", "<=", ">", ">=", "~", "!~", "^", "$",
];
const MAX_FILTERS_PER_GROUP: usize = 15;
const MAX_PER_PAGE: u64 = 150;

/// Makes the query schema compact and exact: the document's operator enum is shown again
/// (normalization 2 had to drop it), the query is one recursive definition instead of the
/// generated pair of near-identical unions, and the page size is bounded.
pub fn shape(schema: &mut Value) {
    for_each_schema(schema, &mut |map| {
        let Some(Value::Object(properties)) = map.get_mut("properties") else {
            return;
        };
        if properties.contains_key("field") {
            if let Some(Value::Object(operator)) = properties.get_mut("operator") {
                operator.insert("enum".to_owned(), json!(OPERATORS));
            }
            // Same values as the generated union of five, in a third of the bytes; serde
            // still rejects an array that mixes strings and integers.
            properties.insert(
                "value".to_owned(),
                json!({"type": ["string", "integer", "boolean", "array"], "items": {"type": ["string", "integer"]}}),
            );
        }
        if let Some(Value::Object(per_page)) = properties.get_mut("per_page") {
            per_page.insert("minimum".to_owned(), json!(1));
            per_page.insert("maximum".to_owned(), json!(MAX_PER_PAGE));
        }
    });
    rename_definitions(schema);
}

/// `query` is either a filter or a group, exactly what the recursive union already says.
fn rename_definitions(schema: &mut Value) {
    let Some(Value::Object(defs)) = schema.get_mut("$defs") else {
        return;
    };
    let (Some(group), Some(either)) = (
        defs.remove("MultipleFilterSearchRequest"),
        defs.remove("MultipleOrSingleFilterSearchRequest"),
    ) else {
        return;
    };
    defs.insert("group".to_owned(), group);
    defs.insert("query".to_owned(), either);
    rewrite_refs(schema);
    if let Some(Value::Object(query)) = schema.pointer_mut("/properties/query") {
        query.retain(|key, _| key == "description");
        query.insert("$ref".to_owned(), json!("#/$defs/query"));
    }
}

fn rewrite_refs(node: &mut Value) {
    match node {
        Value::Object(map) => {
            if let Some(Value::String(target)) = map.get_mut("$ref") {
                *target = match target.as_str() {
                    "#/$defs/MultipleOrSingleFilterSearchRequest" => "#/$defs/query".to_owned(),
                    "#/$defs/MultipleFilterSearchRequest" => "#/$defs/group".to_owned(),
                    other => other.to_owned(),
                };
            }
            map.values_mut().for_each(rewrite_refs);
        }
        Value::Array(items) => items.iter_mut().for_each(rewrite_refs),
        _ => {}
    }
}

/// The type of a searchable field, which decides the operators it takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Text,
    Integer,
    Boolean,
    /// Unix seconds, matched by calendar day.
    Date,
    /// A contact's `tag_id`.
    Tag,
}

impl Kind {
    fn operators(self) -> &'static [&'static str] {
        match self {
            Kind::Text => &["=", "!=", "IN", "NIN", "~", "!~", "^", "$"],
            Kind::Integer => &["=", "!=", "IN", "NIN", "<", "<=", ">", ">="],
            Kind::Boolean => &["=", "!=", "IN", "NIN"],
            Kind::Date => &["=", "<", ">"],
            Kind::Tag => &["=", "!="],
        }
    }

    fn name(self) -> &'static str {
        match self {
            Kind::Text => "a string",
            Kind::Integer => "an integer",
            Kind::Boolean => "a boolean",
            Kind::Date => "a date",
            Kind::Tag => "a tag id",
        }
    }
}

/// Searchable fields by type (Intercom's search reference), grouped so each type's
/// operators apply to the whole group.
pub struct Fields {
    pub text: &'static [&'static str],
    pub integer: &'static [&'static str],
    pub boolean: &'static [&'static str],
    pub date: &'static [&'static str],
    pub tag: &'static [&'static str],
}

impl Fields {
    fn kind(&self, field: &str) -> Option<Kind> {
        [
            (self.text, Kind::Text),
            (self.integer, Kind::Integer),
            (self.boolean, Kind::Boolean),
            (self.date, Kind::Date),
            (self.tag, Kind::Tag),
        ]
        .into_iter()
        .find(|(names, _)| names.contains(&field))
        .map(|(_, kind)| kind)
    }
}

/// The fields a contact search knows.
pub const CONTACT_FIELDS: Fields = Fields {
    text: &[
        "id",
        "role",
        "name",
        "avatar",
        "email",
        "email_domain",
        "phone",
        "external_id",
        "language_override",
        "browser",
        "browser_language",
        "os",
        "location.country",
        "location.region",
        "location.city",
        "ios_app_version",
        "ios_device",
        "ios_app_device",
        "ios_os_version",
        "ios_app_name",
        "ios_sdk_version",
        "android_app_version",
        "android_device",
        "android_app_name",
        "android_sdk_version",
        "segment_id",
    ],
    integer: &["owner_id"],
    boolean: &[
        "unsubscribed_from_emails",
        "marked_email_as_spam",
        "has_hard_bounced",
    ],
    date: &[
        "created_at",
        "signed_up_at",
        "updated_at",
        "last_seen_at",
        "last_contacted_at",
        "last_replied_at",
        "last_email_opened_at",
        "last_email_clicked_at",
        "ios_last_seen_at",
        "android_last_seen_at",
    ],
    tag: &["tag_id"],
};

/// The fields a conversation search knows.
pub const CONVERSATION_FIELDS: Fields = Fields {
    text: &[
        "id",
        "source.type",
        "source.id",
        "source.delivered_as",
        "source.subject",
        "source.body",
        "source.author.id",
        "source.author.type",
        "source.author.name",
        "source.author.email",
        "source.url",
        "contact_ids",
        "teammate_ids",
        "channel_initiated",
        "state",
        "tag_ids",
        "priority",
        "statistics.last_closed_by_id",
        "conversation_rating.remark",
        "conversation_rating.contact_id",
        "conversation_rating.admin_id",
        "ai_agent.resolution_state",
        "ai_agent.last_answer_type",
        "ai_agent.rating_remark",
        "ai_agent.source_type",
        "ai_agent.source_title",
    ],
    integer: &[
        "admin_assignee_id",
        "team_assignee_id",
        "statistics.time_to_assignment",
        "statistics.time_to_admin_reply",
        "statistics.time_to_first_close",
        "statistics.time_to_last_close",
        "statistics.median_time_to_reply",
        "statistics.count_reopens",
        "statistics.count_assignments",
        "statistics.count_conversation_parts",
        "conversation_rating.score",
        "ai_agent.rating",
    ],
    boolean: &["open", "read", "ai_agent_participated"],
    date: &[
        "created_at",
        "updated_at",
        "waiting_since",
        "snoozed_until",
        "statistics.first_contact_reply_at",
        "statistics.first_assignment_at",
        "statistics.first_admin_reply_at",
        "statistics.first_close_at",
        "statistics.last_assignment_at",
        "statistics.last_assignment_admin_reply_at",
        "statistics.last_contact_reply_at",
        "statistics.last_admin_reply_at",
        "statistics.last_close_at",
        "conversation_rating.requested_at",
        "conversation_rating.replied_at",
    ],
    tag: &[],
};

/// Checks the query in `args` against Intercom's rules for `fields`, converting ISO 8601
/// dates to unix seconds. Fields it does not know (custom attributes among them) pass as
/// they are: Intercom decides.
pub fn adjust(args: &mut Map<String, Value>, fields: &Fields) -> Result<(), String> {
    match args.get_mut("query") {
        Some(query) => check_query(query, "query", 1, fields),
        None => Ok(()),
    }
}

fn check_query(query: &mut Value, at: &str, depth: usize, fields: &Fields) -> Result<(), String> {
    if query.get("field").is_some() {
        return check_filter(query, at, fields);
    }
    if depth > 2 {
        return Err(format!(
            "`{at}` nests a third level of groups; Intercom allows a group inside a group at most"
        ));
    }
    let Some(Value::Array(members)) = query.get_mut("value") else {
        return Ok(());
    };
    if members.is_empty() {
        return Err(format!("`{at}.value` must hold at least one filter"));
    }
    if members.len() > MAX_FILTERS_PER_GROUP {
        return Err(format!(
            "`{at}.value` has {} filters; Intercom allows at most {MAX_FILTERS_PER_GROUP} per group: split it into nested groups",
            members.len()
        ));
    }
    for (index, member) in members.iter_mut().enumerate() {
        check_query(member, &format!("{at}.value[{index}]"), depth + 1, fields)?;
    }
    Ok(())
}

fn check_filter(filter: &mut Value, at: &str, fields: &Fields) -> Result<(), String> {
    let field = filter
        .get("field")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let operator = filter
        .get("operator")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let kind = fields.kind(&field);
    let wants_list = matches!(operator.as_str(), "IN" | "NIN");
    let Some(value) = filter.get_mut("value") else {
        return Ok(());
    };
    match (wants_list, value.is_array()) {
        (true, false) => {
            return Err(format!(
                "`{at}.value` must be an array with operator {operator}"
            ));
        }
        (false, true) => {
            return Err(format!(
                "`{at}.value` is an array, which only IN and NIN take; use IN, or one value with {operator}"
            ));
        }
        _ => {}
    }
    let Some(kind) = kind else { return Ok(()) };
    if !kind.operators().contains(&operator.as_str()) {
        return Err(format!(
            "`{at}.operator`: {operator} does not apply to {field}, {}; use one of {}",
            kind.name(),
            kind.operators().join(" ")
        ));
    }
    let values: Vec<&mut Value> = match value {
        Value::Array(items) if items.is_empty() => {
            return Err(format!(
                "`{at}.value` must hold at least one value for {operator}"
            ));
        }
        Value::Array(items) => items.iter_mut().collect(),
        single => vec![single],
    };
    for value in values {
        fit_value(value, kind, &field).map_err(|problem| format!("`{at}.value`: {problem}"))?;
    }
    Ok(())
}

/// Checks one value against the field's type; a date given as ISO 8601 becomes unix seconds.
fn fit_value(value: &mut Value, kind: Kind, field: &str) -> Result<(), String> {
    let fits = match kind {
        Kind::Text | Kind::Tag => value.is_string(),
        Kind::Integer => value.is_i64() || value.is_u64(),
        Kind::Boolean => value.is_boolean(),
        Kind::Date => {
            if let Some(text) = value.as_str() {
                *value = Value::from(unix_seconds(text).ok_or_else(|| {
                    format!("{field} is a date: give unix seconds or ISO 8601 (2024-05-01 or 2024-05-01T09:30:00Z), not {text:?}")
                })?);
            }
            value.is_i64() || value.is_u64()
        }
    };
    if fits {
        Ok(())
    } else {
        Err(format!("{field} takes {}, not {value}", kind.name()))
    }
}

/// `2024-05-01`, `2024-05-01T09:30:00Z` (or with an offset-free time, read as UTC) → unix seconds.
fn unix_seconds(text: &str) -> Option<u64> {
    let text = text.trim();
    let full = if text.len() == 10 {
        format!("{text}T00:00:00Z")
    } else {
        text.to_owned()
    };
    let time = humantime::parse_rfc3339_weak(&full).ok()?;
    time.duration_since(std::time::UNIX_EPOCH)
        .ok()
        .map(|since| since.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(query: Value) -> Result<Value, String> {
        let mut args = Map::new();
        args.insert("query".to_owned(), query);
        adjust(&mut args, &CONTACT_FIELDS).map(|()| args["query"].clone())
    }

    #[test]
    fn operators_must_fit_the_fields_type() {
        let err = query(json!({"field": "created_at", "operator": ">=", "value": 1})).unwrap_err();
        assert_eq!(
            err,
            "`query.operator`: >= does not apply to created_at, a date; use one of = < >"
        );
        let err = query(json!({"field": "tag_id", "operator": "~", "value": "1"})).unwrap_err();
        assert!(err.contains("use one of = !="), "{err}");
        let err = query(json!({"field": "has_hard_bounced", "operator": "~", "value": true}))
            .unwrap_err();
        assert!(err.contains("a boolean"), "{err}");
        query(json!({"field": "owner_id", "operator": "<=", "value": 5})).unwrap();
        query(json!({"field": "custom_attributes.plan", "operator": "~", "value": "pro"})).unwrap();
    }

    #[test]
    fn values_must_fit_the_fields_type() {
        let err = query(json!({"field": "owner_id", "operator": "=", "value": "5"})).unwrap_err();
        assert_eq!(err, "`query.value`: owner_id takes an integer, not \"5\"");
        let err =
            query(json!({"field": "email", "operator": "IN", "value": ["a@b.c", 3]})).unwrap_err();
        assert!(err.contains("email takes a string, not 3"), "{err}");
        let err = query(json!({"field": "email", "operator": "IN", "value": []})).unwrap_err();
        assert!(err.contains("at least one value"), "{err}");
    }

    #[test]
    fn dates_are_taken_as_iso_or_unix_and_sent_as_unix() {
        let sent = query(json!({"operator": "AND", "value": [
            {"field": "created_at", "operator": ">", "value": "2024-05-01"},
            {"field": "last_seen_at", "operator": "<", "value": "2024-05-01T09:30:00Z"},
            {"field": "signed_up_at", "operator": "=", "value": 1714555800}
        ]}))
        .unwrap();
        assert_eq!(sent["value"][0]["value"], 1714521600);
        assert_eq!(sent["value"][1]["value"], 1714555800);
        assert_eq!(sent["value"][2]["value"], 1714555800);
        let err = query(json!({"field": "created_at", "operator": "=", "value": "last week"}))
            .unwrap_err();
        assert!(err.contains("ISO 8601"), "{err}");
    }

    #[test]
    fn structure_rules() {
        let filter = json!({"field": "email", "operator": "=", "value": "a@b.c"});
        let many: Vec<Value> = (0..16).map(|_| filter.clone()).collect();
        assert!(
            query(json!({"operator": "OR", "value": many}))
                .unwrap_err()
                .contains("at most 15")
        );
        let deep = json!({"operator": "AND", "value": [{"operator": "OR", "value": [{"operator": "AND", "value": [filter.clone()]}]}]});
        assert!(query(deep).unwrap_err().contains("third level"));
        let two = json!({"operator": "AND", "value": [{"operator": "OR", "value": [filter.clone(), filter]}]});
        query(two).unwrap();
    }
}
