//! Rules 7 and 8 of the output (see `mod.rs`): a page of results as its paging facts then its
//! items, and a conversation's opening message and parts as one timeline.

use serde_json::{Map, Value, json};

use super::{PART_CAP, is_default, object, value};

/// Rule 7: `{has_more, next_cursor | next_page, total_count?, <items>}`.
pub(super) fn page(body: Value, items_key: &'static str, numbered: bool) -> Value {
    let Value::Object(mut map) = body else {
        return value(None, body);
    };
    let pages = map.remove("pages").unwrap_or(Value::Null);
    let items = map
        .iter()
        .find(|(key, field)| field.is_array() && key.as_str() != "errors")
        .map(|(key, _)| key.clone())
        .and_then(|key| map.remove(&key))
        .unwrap_or_default();
    let mut out = Map::new();
    let next = if numbered {
        let page = pages.get("page").and_then(Value::as_u64).unwrap_or(1);
        let total_pages = pages
            .get("total_pages")
            .and_then(Value::as_u64)
            .unwrap_or(0);
        (page < total_pages).then(|| ("next_page", json!(page + 1)))
    } else {
        pages
            .pointer("/next/starting_after")
            .and_then(Value::as_str)
            .filter(|cursor| !cursor.is_empty())
            .map(|cursor| ("next_cursor", json!(cursor)))
    };
    out.insert("has_more".to_owned(), json!(next.is_some()));
    if let Some((name, next)) = next {
        out.insert(name.to_owned(), next);
        if let Some(total) = map.get("total_count") {
            out.insert("total_count".to_owned(), total.clone());
        }
    }
    let items = value(None, items);
    if !is_default(&items) {
        out.insert(items_key.to_owned(), items);
    }
    Value::Object(out)
}

/// Rule 8: the opening message and the parts as one `timeline`, oldest first.
pub(super) fn conversation(body: Value) -> Value {
    let Value::Object(mut map) = body else {
        return value(None, body);
    };
    let source = map.remove("source");
    let parts = map.remove("conversation_parts");
    let created_at = map.get("created_at").cloned();
    let mut timeline: Vec<Value> = Vec::new();
    if let Some(Value::Object(mut source)) = source {
        source.insert("part_type".to_owned(), json!("source"));
        if let Some(created_at) = &created_at {
            source
                .entry("created_at")
                .or_insert_with(|| created_at.clone());
        }
        timeline.push(Value::Object(source));
    }
    let (list, total) = match parts {
        Some(Value::Object(mut wrapper)) => {
            let total = wrapper.get("total_count").and_then(Value::as_u64);
            let list = match wrapper.remove("conversation_parts") {
                Some(Value::Array(list)) => list,
                _ => Vec::new(),
            };
            (list, total)
        }
        _ => (Vec::new(), None),
    };
    let shown = list.len();
    let mut list = list;
    list.sort_by_key(|part| part.get("created_at").and_then(Value::as_u64).unwrap_or(0));
    timeline.extend(list);
    let mut out = match object(map) {
        Value::Object(out) => out,
        _ => Map::new(),
    };
    let timeline = value(None, Value::Array(timeline));
    if !is_default(&timeline) {
        out.insert("timeline".to_owned(), timeline);
    }
    let cut = total.is_some_and(|total| total > shown as u64) || shown >= PART_CAP;
    if cut {
        let total = total.map_or_else(|| "more".to_owned(), |total| total.to_string());
        out.insert(
            "timeline_note".to_owned(),
            json!(format!(
                "Intercom returns at most {PART_CAP} parts: {shown} shown of {total}"
            )),
        );
    }
    Value::Object(out)
}
