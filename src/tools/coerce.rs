//! Arguments a client got wrong in a way whose meaning is not in doubt, put right before they are
//! checked: some clients send an object or array argument as a string holding its JSON, a number
//! as a numeric string, a boolean as `"true"`, or an id as a number. The model cannot fix what its
//! client does, so refusing would fail every such call. Only these four, and only where the schema
//! the model saw expects the other kind and not a string: anything else is left for the check
//! (`validate.rs`) to refuse precisely.

use serde_json::{Map, Value};

/// Puts right, in place, the top-level arguments and the fields of nested objects whose schema
/// declares them.
pub fn arguments(args: &mut Map<String, Value>, schema: &Value) {
    object(args, schema, schema);
}

fn object(map: &mut Map<String, Value>, schema: &Value, root: &Value) {
    let Some(Value::Object(properties)) = resolve(schema, root).get("properties") else {
        return;
    };
    for (name, value) in map.iter_mut() {
        if let Some(property) = properties.get(name) {
            one(name, value, property, root);
        }
    }
}

fn one(name: &str, value: &mut Value, schema: &Value, root: &Value) {
    let schema = resolve(schema, root);
    let kinds = kinds(schema, root);
    let wants = |kind: &str| kinds.contains(&kind);
    let fixed = match &*value {
        Value::String(text) if !wants("string") => {
            let trimmed = text.trim();
            if (wants("object") && trimmed.starts_with('{'))
                || (wants("array") && trimmed.starts_with('['))
            {
                serde_json::from_str::<Value>(trimmed)
                    .ok()
                    .filter(|parsed| {
                        (parsed.is_object() && wants("object"))
                            || (parsed.is_array() && wants("array"))
                    })
            } else if wants("integer") {
                trimmed.parse::<i64>().ok().map(Value::from)
            } else if wants("boolean") {
                match trimmed {
                    "true" => Some(Value::Bool(true)),
                    "false" => Some(Value::Bool(false)),
                    _ => None,
                }
            } else {
                None
            }
        }
        Value::Number(number) if wants("string") && !wants("integer") && is_id(name) => {
            (number.is_i64() || number.is_u64()).then(|| Value::String(number.to_string()))
        }
        _ => None,
    };
    if let Some(fixed) = fixed {
        tracing::debug!(
            argument = name,
            "argument of another JSON type taken as meant"
        );
        *value = fixed;
    }
    if let Value::Object(map) = value {
        object(map, schema, root);
    }
}

/// `id`, or a name ending in `_id`: the strings Intercom uses as ids, which some clients send as
/// the numbers they look like.
fn is_id(name: &str) -> bool {
    name == "id" || name.ends_with("_id")
}

/// A local `$ref` (`#/$defs/…`) followed to its definition.
fn resolve<'a>(schema: &'a Value, root: &'a Value) -> &'a Value {
    let mut schema = schema;
    // A bound, not a loop: definitions may refer to each other.
    for _ in 0..8 {
        let Some(target) = schema
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|reference| reference.strip_prefix('#'))
            .and_then(|pointer| root.pointer(pointer))
        else {
            break;
        };
        schema = target;
    }
    schema
}

/// The JSON types a schema admits: its own, and those of its `anyOf`/`oneOf` branches.
fn kinds<'a>(schema: &'a Value, root: &'a Value) -> Vec<&'a str> {
    let mut kinds = own_kinds(schema);
    for branches in ["anyOf", "oneOf"] {
        if let Some(Value::Array(branches)) = schema.get(branches) {
            for branch in branches {
                kinds.extend(own_kinds(resolve(branch, root)));
            }
        }
    }
    kinds
}

/// A schema's `type`, and `object` where it declares properties (a branch that is itself a
/// choice adds nothing: one level is enough for the schemas the tools have).
fn own_kinds(schema: &Value) -> Vec<&str> {
    let mut kinds = Vec::new();
    match schema.get("type") {
        Some(Value::String(kind)) => kinds.push(kind.as_str()),
        Some(Value::Array(list)) => kinds.extend(list.iter().filter_map(Value::as_str)),
        _ => {}
    }
    if schema.get("properties").is_some() {
        kinds.push("object");
    }
    kinds
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn coerced(args: Value, schema: &Value) -> Value {
        let Value::Object(mut map) = args else {
            panic!("arguments are an object")
        };
        arguments(&mut map, schema);
        Value::Object(map)
    }

    #[test]
    fn only_unambiguous_mistakes_are_put_right() {
        let schema = json!({
            "type": "object",
            "properties": {
                "query": {"$ref": "#/$defs/query"},
                "ids": {"type": "array", "items": {"type": "string"}},
                "per_page": {"type": "integer"},
                "raw": {"type": "boolean"},
                "conversation_id": {"type": "string"},
                "body": {"type": "string"},
                "pagination": {"type": "object", "properties": {"per_page": {"type": "integer"}}}
            },
            "$defs": {"query": {"anyOf": [{"$ref": "#/$defs/group"}, {"type": "object", "properties": {}}]},
                      "group": {"type": "object", "properties": {}}}
        });
        assert_eq!(
            coerced(
                json!({"query": " {\"field\": \"open\"} ", "ids": "[\"1\"]", "per_page": "5",
                       "raw": "true", "conversation_id": 20418, "pagination": {"per_page": "7"}}),
                &schema
            ),
            json!({"query": {"field": "open"}, "ids": ["1"], "per_page": 5, "raw": true,
                   "conversation_id": "20418", "pagination": {"per_page": 7}})
        );
        // Left as they are, for the check to refuse precisely.
        let untouched = json!({"query": "not json", "ids": "{\"a\": 1}", "per_page": "five",
                               "raw": "yes", "body": 5, "conversation_id": 1.5});
        assert_eq!(coerced(untouched.clone(), &schema), untouched);
    }
}
