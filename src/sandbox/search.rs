//! Intercom's search query language, run over JSON records: a filter `{field, operator,
//! value}` or an AND/OR group of them, at most two groups deep and 15 members a group.
//!
//! Fields are dotted paths into the record (`location.city`, `source.author.email`); a field
//! that holds a list (`tag_ids`, `contact_ids`) matches when any member does, and its negations
//! (`!=`, `NIN`, `!~`) when none does. Dates compare by UTC calendar day, as Intercom compares
//! them in the workspace's time zone. Operators are not checked against field types: the
//! server refuses those combinations before it sends anything.

use std::cmp::Ordering;

use serde_json::{Map, Value};

use super::html::plain_text;

/// Members allowed in one AND/OR group.
const MAX_GROUP: usize = 15;
const DAY: i64 = 86_400;

/// A parsed query.
#[derive(Debug)]
pub enum Query {
    Filter {
        field: String,
        operator: Operator,
        value: Value,
    },
    Group {
        all: bool,
        members: Vec<Query>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operator {
    Eq,
    Ne,
    In,
    Nin,
    Lt,
    Le,
    Gt,
    Ge,
    Contains,
    NotContains,
    StartsWith,
    EndsWith,
}

impl Operator {
    fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "=" => Self::Eq,
            "!=" => Self::Ne,
            "IN" => Self::In,
            "NIN" => Self::Nin,
            "<" => Self::Lt,
            "<=" => Self::Le,
            ">" => Self::Gt,
            ">=" => Self::Ge,
            "~" => Self::Contains,
            "!~" => Self::NotContains,
            "^" => Self::StartsWith,
            "$" => Self::EndsWith,
            _ => return None,
        })
    }

    /// The operator a negation is the opposite of.
    fn negated(self) -> Option<Self> {
        match self {
            Self::Ne => Some(Self::Eq),
            Self::Nin => Some(Self::In),
            Self::NotContains => Some(Self::Contains),
            _ => None,
        }
    }
}

/// Reads a query; `Err` says what is wrong, for a `parameter_invalid` answer.
pub fn parse(query: &Value) -> Result<Query, String> {
    parse_at(query, "query", 1)
}

fn parse_at(query: &Value, at: &str, depth: usize) -> Result<Query, String> {
    let Value::Object(map) = query else {
        return Err(format!(
            "`{at}` must be an object: a filter {{field, operator, value}} or a group {{operator, value}}"
        ));
    };
    if map.contains_key("field") {
        return parse_filter(map, at);
    }
    let all = match map.get("operator").and_then(Value::as_str) {
        Some("AND") => true,
        Some("OR") => false,
        _ => return Err(format!("`{at}.operator` of a group must be AND or OR")),
    };
    if depth > 2 {
        return Err(format!(
            "`{at}` nests groups three deep; a group may hold groups, those may not"
        ));
    }
    let Some(Value::Array(members)) = map.get("value") else {
        return Err(format!(
            "`{at}.value` of a group must be an array of filters"
        ));
    };
    if members.is_empty() || members.len() > MAX_GROUP {
        return Err(format!(
            "`{at}.value` must hold 1 to {MAX_GROUP} filters, not {}",
            members.len()
        ));
    }
    let members = members
        .iter()
        .enumerate()
        .map(|(index, member)| parse_at(member, &format!("{at}.value[{index}]"), depth + 1))
        .collect::<Result<_, _>>()?;
    Ok(Query::Group { all, members })
}

fn parse_filter(map: &Map<String, Value>, at: &str) -> Result<Query, String> {
    let field = map
        .get("field")
        .and_then(Value::as_str)
        .filter(|field| !field.is_empty())
        .ok_or_else(|| format!("`{at}.field` must be a field name"))?;
    let operator = map
        .get("operator")
        .and_then(Value::as_str)
        .and_then(Operator::parse)
        .ok_or_else(|| format!("`{at}.operator` must be one of = != IN NIN < <= > >= ~ !~ ^ $"))?;
    let value = map
        .get("value")
        .cloned()
        .ok_or_else(|| format!("`{at}.value` is missing"))?;
    let listed = matches!(operator, Operator::In | Operator::Nin);
    if listed != value.is_array() {
        return Err(format!(
            "`{at}`: IN and NIN take an array of values, the other operators a single value"
        ));
    }
    Ok(Query::Filter {
        field: field.to_owned(),
        operator,
        value,
    })
}

impl Query {
    pub fn matches(&self, record: &Value) -> bool {
        match self {
            Query::Group { all: true, members } => members.iter().all(|m| m.matches(record)),
            Query::Group {
                all: false,
                members,
            } => members.iter().any(|m| m.matches(record)),
            Query::Filter {
                field,
                operator,
                value,
            } => filter_matches(record, field, *operator, value),
        }
    }
}

fn filter_matches(record: &Value, field: &str, operator: Operator, wanted: &Value) -> bool {
    let found = lookup(record, field);
    if wanted.is_null() {
        // "Has no value" and "has a value".
        return match operator {
            Operator::Eq => found.is_empty(),
            Operator::Ne => !found.is_empty(),
            _ => false,
        };
    }
    let kind = Kind::of(field);
    let any = |operator| {
        found
            .iter()
            .any(|value| test(value, operator, wanted, kind))
    };
    match operator.negated() {
        Some(positive) => !any(positive),
        None => any(operator),
    }
}

/// How a field's values compare.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Plain,
    /// Unix seconds, compared by day.
    Date,
    /// HTML, compared as its text; `=` matches any one word of it, as Intercom's does.
    Body,
}

impl Kind {
    fn of(field: &str) -> Self {
        let last = field.rsplit('.').next().unwrap_or(field);
        if last.ends_with("_at") || last == "waiting_since" || last == "snoozed_until" {
            Kind::Date
        } else if last == "body" {
            Kind::Body
        } else {
            Kind::Plain
        }
    }
}

/// The values at `field`: none for a missing or null field, every member of a list.
fn lookup<'a>(record: &'a Value, field: &str) -> Vec<&'a Value> {
    // A custom attribute's name may itself hold dots.
    let target = match field.strip_prefix("custom_attributes.") {
        Some(name) => record
            .get("custom_attributes")
            .and_then(|map| map.get(name)),
        None => field.split('.').try_fold(record, |node, key| node.get(key)),
    };
    match target {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items.iter().filter(|item| !item.is_null()).collect(),
        Some(value) => vec![value],
    }
}

fn test(found: &Value, operator: Operator, wanted: &Value, kind: Kind) -> bool {
    match operator {
        Operator::Eq => {
            equal(found, wanted, kind)
                || (kind == Kind::Body
                    && words(&text(found, kind)).any(|word| word == text(wanted, Kind::Plain)))
        }
        Operator::In => wanted
            .as_array()
            .is_some_and(|choices| choices.iter().any(|choice| equal(found, choice, kind))),
        Operator::Lt => compare(found, wanted, kind) == Some(Ordering::Less),
        Operator::Le => compare(found, wanted, kind).is_some_and(Ordering::is_le),
        Operator::Gt => compare(found, wanted, kind) == Some(Ordering::Greater),
        Operator::Ge => compare(found, wanted, kind).is_some_and(Ordering::is_ge),
        Operator::Contains => text(found, kind).contains(&text(wanted, Kind::Plain)),
        Operator::StartsWith => text(found, kind).starts_with(&text(wanted, Kind::Plain)),
        Operator::EndsWith => text(found, kind).ends_with(&text(wanted, Kind::Plain)),
        // Negations are answered by their positive form.
        Operator::Ne | Operator::Nin | Operator::NotContains => false,
    }
}

fn equal(found: &Value, wanted: &Value, kind: Kind) -> bool {
    if let Some(order) = compare(found, wanted, kind) {
        return order == Ordering::Equal;
    }
    match (found, wanted) {
        (Value::Bool(found), Value::Bool(wanted)) => found == wanted,
        _ => text(found, kind) == text(wanted, Kind::Plain),
    }
}

/// Numbers (or numeric strings) in order; dates by day. `None` when either is not a number.
fn compare(found: &Value, wanted: &Value, kind: Kind) -> Option<Ordering> {
    let (found, wanted) = (number(found)?, number(wanted)?);
    if kind == Kind::Date {
        // Whole seconds: the fraction of a float timestamp is dropped.
        let day = |seconds: f64| (seconds as i64).div_euclid(DAY);
        return Some(day(found).cmp(&day(wanted)));
    }
    found.partial_cmp(&wanted)
}

fn number(value: &Value) -> Option<f64> {
    match value {
        Value::Number(number) => number.as_f64(),
        Value::String(text) => text.trim().parse().ok(),
        _ => None,
    }
}

/// A value as lowercase text: string matching ignores case, as Intercom's does.
fn text(value: &Value, kind: Kind) -> String {
    let raw = match value {
        Value::String(text) if kind == Kind::Body => plain_text(text),
        Value::String(text) => text.clone(),
        other => other.to_string(),
    };
    raw.to_lowercase()
}

fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// Whether the filter `{field, operator, value}` matches `record`.
    fn hits(record: &Value, field: &str, operator: &str, value: Value) -> bool {
        let query = json!({"field": field, "operator": operator, "value": value});
        parse(&query).unwrap().matches(record)
    }

    #[test]
    fn lists_match_any_member_and_negations_none() {
        let record = json!({"tag_ids": ["1", "2"], "email": "Kit@Example.com"});
        assert!(hits(&record, "tag_ids", "=", json!("2")));
        assert!(!hits(&record, "tag_ids", "!=", json!("2")));
        assert!(hits(&record, "tag_ids", "NIN", json!(["3"])));
        assert!(hits(&record, "email", "$", json!("example.com")));
        assert!(!hits(&record, "email", "!~", json!("kit")));
        assert!(hits(&record, "missing", "!=", json!("x")));
    }

    #[test]
    fn dates_compare_by_day() {
        // 2025-03-03T09:00:00Z
        let record = json!({"created_at": 1_740_992_400});
        let later_that_day = 1_740_992_400 + 3600;
        assert!(hits(&record, "created_at", "=", json!(later_that_day)));
        let (earlier, next_day) = (later_that_day - 7200, later_that_day + 86_400);
        assert!(!hits(&record, "created_at", ">", json!(earlier)));
        assert!(hits(&record, "created_at", "<", json!(next_day)));
    }

    #[test]
    fn bodies_match_words_of_their_text() {
        let record = json!({"source": {"body": "<p>The export&nbsp;fails</p>"}});
        assert!(hits(&record, "source.body", "=", json!("export")));
        assert!(!hits(&record, "source.body", "~", json!("<p>")));
    }

    #[test]
    fn malformed_queries_are_refused() {
        assert!(parse(&json!({"field": "email", "operator": "LIKE", "value": "x"})).is_err());
        assert!(parse(&json!({"field": "email", "operator": "IN", "value": "x"})).is_err());
        assert!(parse(&json!({"field": "email", "operator": "=", "value": ["x"]})).is_err());
        let leaf = json!({"field": "role", "operator": "=", "value": "user"});
        let deep = json!({"operator": "AND", "value": [{"operator": "OR", "value": [{"operator": "AND", "value": [leaf]}]}]});
        assert!(parse(&deep).is_err());
        assert!(parse(&json!({"operator": "OR", "value": []})).is_err());
    }
}
