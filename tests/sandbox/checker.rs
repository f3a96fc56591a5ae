//! A checker of answers against the response schemas of Intercom's published document: every
//! field declared and of the declared type, with the few known gaps of the document let
//! through by name.

use serde_json::{Map, Value, json};

/// Fields real Intercom returns that the document's schemas leave out (facts:
/// "fields the document does not list"), by schema and field. Nothing else is let through.
const UNDECLARED: &[(&str, &str)] = &[
    // A contact's tags, notes and social profiles are list wrappers with `type: list` in
    // every real answer (and the document's own examples); their schemas omit `type`.
    ("contact_tags", "type"),
    ("contact_notes", "type"),
    ("contact_social_profiles", "type"),
    // Real locations carry both codes; the schema stops at country, region and city.
    ("contact_location", "country_code"),
    ("contact_location", "continent_code"),
    // `topics` is in the conversation schemas' `required` list but not in their properties;
    // `ticket` (null unless the conversation is a ticket) is in every real conversation.
    ("conversation", "topics"),
    ("conversation", "ticket"),
    ("conversation_list_item", "topics"),
    ("conversation_list_item", "ticket"),
];

/// Fields real Intercom returns as null though the document does not mark them nullable
/// (facts: "nulls where it says non-null"); the document's own examples show these nulls.
const NULLS: &[(&str, &str)] = &[
    ("conversation", "first_contact_reply"),
    ("conversation", "conversation_rating"),
    ("conversation_list_item", "first_contact_reply"),
    ("conversation_list_item", "conversation_rating"),
];

pub struct Checker<'a> {
    pub document: &'a Value,
    pub problems: Vec<String>,
}

static NULL: Value = Value::Null;

/// Follows `$ref`s; returns the schema and the component name it came from, if any.
fn resolve<'s>(document: &'s Value, mut schema: &'s Value) -> (&'s Value, Option<&'s str>) {
    let mut name = None;
    while let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let component = reference.trim_start_matches("#/components/schemas/");
        name = Some(component);
        match document["components"]["schemas"].get(component) {
            Some(target) => schema = target,
            // A reference the document never defines (custom_attributes): any object.
            None => return (&NULL, name),
        }
    }
    (schema, name)
}

/// The declared properties, merged over allOf/oneOf/anyOf; `None` for a free-form object.
fn properties(document: &Value, schema: &Value) -> Option<Map<String, Value>> {
    let (schema, _) = resolve(document, schema);
    let mut merged: Option<Map<String, Value>> =
        schema.get("properties").and_then(Value::as_object).cloned();
    for combinator in ["allOf", "oneOf", "anyOf"] {
        for part in schema[combinator].as_array().into_iter().flatten() {
            if let Some(more) = properties(document, part) {
                merged.get_or_insert_with(Map::new).extend(more);
            }
        }
    }
    merged
}

/// The declared `type` of a schema (through `$ref` and allOf), and whether it is nullable.
fn declared_type(document: &Value, schema: &Value) -> (Option<String>, bool) {
    let nullable = schema["nullable"] == true;
    let (resolved, _) = resolve(document, schema);
    let mut kind = resolved["type"].as_str().map(str::to_owned);
    if kind.is_none() {
        for part in resolved["allOf"].as_array().into_iter().flatten() {
            kind = kind.or(declared_type(document, part).0);
        }
    }
    (kind, nullable || resolved["nullable"] == true)
}

impl Checker<'_> {
    /// Checks `value` against `schema`: every field declared, each of the declared type,
    /// `type` fields among the declared values; then, while `depth` allows, one level down.
    pub fn check(&mut self, at: &str, value: &Value, schema: &Value, depth: usize) {
        let document = self.document;
        let (resolved, name) = resolve(document, schema);
        if let Value::Array(items) = value {
            let item_schema = resolved.get("items").cloned().unwrap_or(Value::Null);
            for (index, item) in items.iter().enumerate() {
                self.check(&format!("{at}[{index}]"), item, &item_schema, depth);
            }
            return;
        }
        let Value::Object(fields) = value else { return };
        let Some(declared) = properties(document, schema) else {
            return;
        };
        let name = name.unwrap_or("(inline)").to_owned();
        for (key, field) in fields {
            let here = format!("{at}.{key}");
            let Some(field_schema) = declared.get(key) else {
                if !UNDECLARED.contains(&(name.as_str(), key.as_str())) {
                    self.problems
                        .push(format!("{here}: not declared in `{name}`"));
                }
                continue;
            };
            let (kind, nullable) = declared_type(document, field_schema);
            let fits = match (kind.as_deref(), field) {
                (_, Value::Null) => nullable || NULLS.contains(&(name.as_str(), key.as_str())),
                (None, _) => true,
                (Some("string"), Value::String(_))
                | (Some("boolean"), Value::Bool(_))
                | (Some("object"), Value::Object(_))
                | (Some("array"), Value::Array(_)) => true,
                (Some("integer"), Value::Number(number)) => number.is_i64() || number.is_u64(),
                (Some("number"), Value::Number(_)) => true,
                _ => false,
            };
            if !fits {
                self.problems.push(format!(
                    "{here}: {field} does not fit the declared type {kind:?} in `{name}`"
                ));
            }
            if key == "type" {
                let (resolved_field, _) = resolve(document, field_schema);
                let allowed = match (&resolved_field["enum"], &resolved_field["default"]) {
                    (Value::Array(values), _) => Some(values.clone()),
                    (_, Value::String(default)) => Some(vec![json!(default)]),
                    _ => None,
                };
                if let Some(allowed) = allowed
                    && !allowed.contains(field)
                {
                    self.problems.push(format!(
                        "{here}: {field} is not among {allowed:?} in `{name}`"
                    ));
                }
            }
            if depth > 0 && !field.is_null() {
                self.check(&here, field, field_schema, depth - 1);
            }
        }
    }
}

/// The 200 response schema of `method path` in the document.
pub fn response_schema(document: &Value, method: &str, path: &str) -> Value {
    let operation = &document["paths"][path][method];
    assert!(operation.is_object(), "no {method} {path} in the document");
    operation["responses"]["200"]["content"]["application/json"]["schema"].clone()
}

#[tokio::test]
async fn the_checker_catches_what_it_should() {
    let Some(document) = super::common::upstream() else {
        return;
    };
    let mut checker = Checker {
        document: &document,
        problems: Vec::new(),
    };
    let schema = json!({"$ref": "#/components/schemas/contact_list"});
    let answer = json!({"type": "list", "data": [{"type": "contact", "id": 5, "nickname": "x",
        "location": {"type": "place"}}], "total_count": 1, "surprise": true});
    checker.check("answer", &answer, &schema, 1);
    let problems = checker.problems.join("\n");
    assert!(
        problems.contains("answer.surprise: not declared"),
        "{problems}"
    );
    assert!(
        problems.contains("answer.data[0].nickname: not declared"),
        "{problems}"
    );
    assert!(
        problems.contains("answer.data[0].id: 5 does not fit"),
        "{problems}"
    );
    assert_eq!(checker.problems.len(), 3, "{problems}");
}
