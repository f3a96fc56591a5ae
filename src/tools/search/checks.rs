//! The rules Intercom enforces on a search query, checked before anything is sent: nesting,
//! group size, which operators a field's type takes, arrays only with IN/NIN; and dates given
//! as ISO 8601 turned into the unix seconds Intercom wants.

use serde_json::{Map, Value};

use super::fields::{Fields, Kind, MAX_FILTERS_PER_GROUP};

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
    use serde_json::json;

    use super::*;
    use crate::tools::search::CONTACT_FIELDS;

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
