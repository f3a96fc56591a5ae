//! Turns a tool's input type (generated request type + path/query fields) into the JSON Schema
//! a model reads: subschemas inlined unless recursive, single-value enums hidden (and filled in
//! before deserializing), generated placeholder text removed, our descriptions added, unknown
//! properties refused.

use std::collections::{BTreeMap, BTreeSet};

use schemars::JsonSchema;
use schemars::generate::SchemaSettings;
use serde_json::{Map, Value, json};

use super::descriptions;

/// A tool's input as the model sees it, and the constants it does not need to see.
#[derive(Debug, Clone)]
pub struct InputSchema {
    pub schema: Map<String, Value>,
    /// Properties with a single allowed value, removed from the schema and set before the
    /// arguments are deserialized (`message_type: "close"`, `type: "admin"`).
    pub hidden: Vec<(String, Value)>,
}

/// Builds the model-facing schema of `T` for a tool whose own field texts are `fields`;
/// `shape` then applies the tool's own refinements (tighter enums, bounds) before
/// descriptions are attached.
pub fn build<T: JsonSchema>(fields: &[(&str, &'static str)], shape: fn(&mut Value)) -> InputSchema {
    let mut schema = SchemaSettings::draft2020_12()
        .with(|settings| settings.meta_schema = None)
        .into_generator()
        .into_root_schema_for::<T>()
        .to_value();
    strip_generated_text(&mut schema);
    inline_non_recursive(&mut schema);
    drop_null_types(&mut schema);
    let hidden = hide_constants(&mut schema);
    shape(&mut schema);
    require_non_empty_strings(&mut schema);
    drop_types_implied_by_enums(&mut schema);
    close_objects(&mut schema);
    describe(&mut schema, fields);
    let mut schema = match schema {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    schema.insert("type".to_owned(), json!("object"));
    InputSchema { schema, hidden }
}

/// Calls `visit` on every schema object below `node`, following the keywords that hold
/// subschemas (and not, say, a property that happens to be named `title`).
pub fn for_each_schema(node: &mut Value, visit: &mut impl FnMut(&mut Map<String, Value>)) {
    let Value::Object(map) = node else { return };
    visit(map);
    for (key, value) in map.iter_mut() {
        match (key.as_str(), value) {
            ("properties" | "$defs", Value::Object(named)) => named
                .values_mut()
                .for_each(|child| for_each_schema(child, visit)),
            ("items" | "additionalProperties", child @ Value::Object(_)) => {
                for_each_schema(child, visit)
            }
            ("oneOf" | "anyOf" | "allOf", Value::Array(branches)) => branches
                .iter_mut()
                .for_each(|child| for_each_schema(child, visit)),
            _ => {}
        }
    }
}

/// typify's doc comments (a type name in backticks), schemars' titles and Rust integer
/// formats (`int64`) say nothing to a model.
fn strip_generated_text(schema: &mut Value) {
    for_each_schema(schema, &mut |map| {
        map.remove("description");
        map.remove("title");
        let rust_format = map
            .get("format")
            .and_then(Value::as_str)
            .is_some_and(|format| {
                ["int", "uint", "float", "double"]
                    .iter()
                    .any(|p| format.starts_with(p))
            });
        if rust_format {
            map.remove("format");
        }
    });
}

fn def_name(reference: &str) -> Option<&str> {
    reference.strip_prefix("#/$defs/")
}

fn refs_in(node: &Value, out: &mut BTreeSet<String>) {
    match node {
        Value::Object(map) => {
            for (key, value) in map {
                match (key.as_str(), value.as_str().and_then(def_name)) {
                    ("$ref", Some(name)) => {
                        out.insert(name.to_owned());
                    }
                    _ => refs_in(value, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| refs_in(item, out)),
        _ => {}
    }
}

/// Definitions that can reach themselves stay in `$defs`; every other reference is replaced by
/// the definition itself, so a model reads each shape where it is used.
fn inline_non_recursive(schema: &mut Value) {
    let defs: BTreeMap<String, Value> = match schema.get_mut("$defs").map(Value::take) {
        Some(Value::Object(map)) => map.into_iter().collect(),
        _ => return,
    };
    let direct: BTreeMap<&String, BTreeSet<String>> = defs
        .iter()
        .map(|(name, def)| {
            let mut refs = BTreeSet::new();
            refs_in(def, &mut refs);
            (name, refs)
        })
        .collect();
    let recursive: BTreeSet<String> = defs
        .keys()
        .filter(|name| reaches(&direct, name, name))
        .cloned()
        .collect();
    let mut kept = Map::new();
    for (name, def) in &defs {
        if recursive.contains(name) {
            let mut def = def.clone();
            substitute(&mut def, &defs, &recursive);
            kept.insert(name.clone(), def);
        }
    }
    substitute(schema, &defs, &recursive);
    if let Value::Object(root) = schema {
        root.remove("$defs");
        if !kept.is_empty() {
            root.insert("$defs".to_owned(), Value::Object(kept));
        }
    }
}

fn reaches(direct: &BTreeMap<&String, BTreeSet<String>>, from: &str, target: &str) -> bool {
    let mut seen = BTreeSet::new();
    let mut frontier: Vec<&str> = vec![from];
    while let Some(name) = frontier.pop() {
        for next in direct.get(&name.to_owned()).into_iter().flatten() {
            if next == target {
                return true;
            }
            if seen.insert(next.clone()) {
                frontier.push(next);
            }
        }
    }
    false
}

fn substitute(node: &mut Value, defs: &BTreeMap<String, Value>, recursive: &BTreeSet<String>) {
    match node {
        Value::Object(map) => {
            let target = map
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(def_name)
                .map(str::to_owned);
            if let Some(name) = target.filter(|name| !recursive.contains(name))
                && let Some(Value::Object(def)) = defs.get(&name)
            {
                map.remove("$ref");
                for (key, value) in def {
                    map.entry(key.clone()).or_insert_with(|| value.clone());
                }
                substitute(node, defs, recursive);
                return;
            }
            map.values_mut()
                .for_each(|value| substitute(value, defs, recursive));
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|item| substitute(item, defs, recursive)),
        _ => {}
    }
}

/// `Option<T>` comes out as "T or null"; for a model, optional means "leave it out", and a
/// null argument is dropped before validation (see `tools::prepare`).
fn drop_null_types(schema: &mut Value) {
    for_each_schema(schema, &mut |map| {
        if let Some(Value::Array(types)) = map.get_mut("type") {
            types.retain(|name| name != "null");
            if let [only] = types.as_slice() {
                let only = only.clone();
                map.insert("type".to_owned(), only);
            }
        }
        for key in ["anyOf", "oneOf"] {
            let Some(Value::Array(branches)) = map.get_mut(key) else {
                continue;
            };
            branches.retain(|branch| branch.get("type") != Some(&json!("null")));
            if let [only] = branches.as_slice() {
                let Value::Object(only) = only.clone() else {
                    continue;
                };
                map.remove(key);
                for (inner_key, value) in only {
                    map.entry(inner_key).or_insert(value);
                }
            }
        }
    });
}

/// Required top-level properties that admit exactly one value. (An optional one, such as
/// `display_as: plaintext`, stays: leaving it out means something.)
fn hide_constants(schema: &mut Value) -> Vec<(String, Value)> {
    let mut hidden = Vec::new();
    let required: Vec<Value> = match schema.get("required") {
        Some(Value::Array(names)) => names.clone(),
        _ => Vec::new(),
    };
    let Some(Value::Object(properties)) = schema.get_mut("properties") else {
        return hidden;
    };
    properties.retain(|name, property| {
        if !required.contains(&json!(name)) {
            return true;
        }
        let single = match (property.get("const"), property.get("enum")) {
            (Some(value), _) => Some(value.clone()),
            (None, Some(Value::Array(values))) if values.len() == 1 => values.first().cloned(),
            _ => None,
        };
        match single {
            Some(value) => {
                hidden.push((name.clone(), value));
                false
            }
            None => true,
        }
    });
    if let Some(Value::Array(required)) = schema.get_mut("required") {
        required.retain(|name| {
            !hidden
                .iter()
                .any(|(hidden_name, _)| name == hidden_name.as_str())
        });
    }
    hidden
}

/// `{"type": "string", "enum": [...]}` says "string" twice; the enum alone is exact.
fn drop_types_implied_by_enums(schema: &mut Value) {
    for_each_schema(schema, &mut |map| {
        let all_strings = match map.get("enum") {
            Some(Value::Array(values)) => values.iter().all(Value::is_string),
            _ => false,
        };
        if all_strings && map.get("type") == Some(&json!("string")) {
            map.remove("type");
        }
    });
}

/// Every object with declared properties refuses others, so a misspelled field is an error
/// instead of a silent drop; free-form objects (custom attributes) accept anything. The root
/// says so; nested objects are closed by `validate` just the same, which treats declared
/// properties as the whole list: saying it again on each costs bytes in every `tools/list`.
fn close_objects(schema: &mut Value) {
    if let Value::Object(root) = schema {
        root.entry("additionalProperties").or_insert(json!(false));
    }
}

fn describe(schema: &mut Value, fields: &[(&str, &'static str)]) {
    // A definition's own properties may have texts of their own (`group.operator`): those go
    // first, and the general pass below leaves them be.
    if let Some(Value::Object(defs)) = schema.get_mut("$defs") {
        for (name, def) in defs.iter_mut() {
            if let Some(Value::Object(properties)) = def.get_mut("properties") {
                for (property_name, property) in properties.iter_mut() {
                    let key = format!("{name}.{property_name}");
                    if let (Some(text), Value::Object(property)) =
                        (descriptions::of(fields, &key), property)
                    {
                        property.insert("description".to_owned(), json!(text));
                    }
                }
            }
        }
    }
    for_each_schema(schema, &mut |map| {
        if let Some(Value::Object(properties)) = map.get_mut("properties") {
            for (name, property) in properties.iter_mut() {
                if let (Some(text), Value::Object(property)) =
                    (descriptions::of(fields, name), property)
                {
                    property.entry("description").or_insert_with(|| json!(text));
                }
            }
        }
    });
}

/// A required string may not be empty: `""` is never a useful id, body or admin.
fn require_non_empty_strings(schema: &mut Value) {
    for_each_schema(schema, &mut |map| {
        let required: Vec<String> = match map.get("required") {
            Some(Value::Array(names)) => names
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect(),
            _ => return,
        };
        let Some(Value::Object(properties)) = map.get_mut("properties") else {
            return;
        };
        for name in required {
            if let Some(Value::Object(property)) = properties.get_mut(&name)
                && property.get("type") == Some(&json!("string"))
            {
                property.entry("minLength").or_insert(json!(1));
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::intercom::types;

    #[derive(serde::Deserialize, JsonSchema)]
    #[allow(dead_code)]
    struct Close {
        conversation_id: String,
        #[serde(flatten)]
        body: types::CloseConversationRequest,
    }

    #[test]
    fn constants_are_hidden_and_the_rest_is_plain() {
        let input = build::<Close>(&[], |_| {});
        let schema = Value::Object(input.schema);
        assert_eq!(
            input.hidden,
            vec![
                ("message_type".to_owned(), json!("close")),
                ("type".to_owned(), json!("admin"))
            ]
        );
        assert_eq!(schema["type"], "object");
        assert_eq!(schema["additionalProperties"], false);
        assert_eq!(schema["required"], json!(["conversation_id", "admin_id"]));
        assert_eq!(schema["properties"]["body"]["type"], "string");
        let text = schema.to_string();
        assert!(
            !text.contains("$ref") && !text.contains("null") && !text.contains("`Close"),
            "{text}"
        );
    }

    #[test]
    fn recursive_definitions_stay_and_others_are_inlined() {
        let input = build::<types::SearchRequest>(&[], |_| {});
        let schema = Value::Object(input.schema);
        let defs = schema["$defs"].as_object().unwrap();
        assert!(
            defs.keys().all(|name| name.contains("Multiple")),
            "{:?}",
            defs.keys()
        );
        assert_eq!(
            schema["properties"]["pagination"]["properties"]["per_page"]["type"],
            "integer"
        );
    }
}
