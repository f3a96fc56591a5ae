//! The drift report: what an update of Intercom's document changes in what the tools use, for
//! a person deciding whether to accept it. Every schema, parameter and request body is
//! flattened to `path → type and constraints`, so a change at any depth shows.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::doc;

/// Keywords that constrain a value, shown in a field's summary.
const CONSTRAINTS: &[&str] = &[
    "minimum",
    "maximum",
    "minItems",
    "maxItems",
    "minLength",
    "maxLength",
    "pattern",
    "default",
    "x-required-any-of",
];

/// Differences from `old` (the committed document) to `new`, one line each; empty when equal
/// in everything the report looks at.
pub fn report(old: &Value, new: &Value) -> Vec<String> {
    let mut lines = Vec::new();
    let (old_ops, new_ops) = (operations(old), operations(new));
    let keys = |map: &BTreeMap<String, BTreeMap<String, String>>| {
        map.keys().cloned().collect::<BTreeSet<_>>()
    };
    let (old_keys, new_keys) = (keys(&old_ops), keys(&new_ops));
    for added in new_keys.difference(&old_keys) {
        lines.push(format!("operation added: {added}"));
    }
    for removed in old_keys.difference(&new_keys) {
        lines.push(format!("operation removed: {removed}"));
    }
    for (key, new_shape) in &new_ops {
        if let Some(old_shape) = old_ops.get(key) {
            compare(key, old_shape, new_shape, &mut lines);
        }
    }
    let (old_schemas, new_schemas) = (schemas(old), schemas(new));
    for (name, new_shape) in &new_schemas {
        match old_schemas.get(name) {
            Some(old_shape) => compare(&format!("schema {name}"), old_shape, new_shape, &mut lines),
            None => lines.push(format!("schema added: {name}")),
        }
    }
    for name in old_schemas
        .keys()
        .filter(|name| !new_schemas.contains_key(*name))
    {
        lines.push(format!("schema removed: {name}"));
    }
    lines
}

fn compare(
    what: &str,
    old: &BTreeMap<String, String>,
    new: &BTreeMap<String, String>,
    lines: &mut Vec<String>,
) {
    for (path, new_summary) in new {
        match old.get(path) {
            None => lines.push(format!("{what}: {path} added: {new_summary}")),
            Some(old_summary) if old_summary != new_summary => lines.push(format!(
                "{what}: {path} changed: {old_summary} → {new_summary}"
            )),
            Some(_) => {}
        }
    }
    for (path, old_summary) in old {
        if !new.contains_key(path) {
            lines.push(format!("{what}: {path} removed: {old_summary}"));
        }
    }
}

/// `METHOD path (operationId)` → its parameters and request body, flattened.
fn operations(document: &Value) -> BTreeMap<String, BTreeMap<String, String>> {
    doc::operations(document)
        .into_iter()
        .map(|op| {
            let mut shape = BTreeMap::new();
            for param in op
                .body
                .get("parameters")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let name = param.get("name").and_then(Value::as_str).unwrap_or("?");
                let place = param.get("in").and_then(Value::as_str).unwrap_or("?");
                let required = param
                    .get("required")
                    .and_then(Value::as_bool)
                    .unwrap_or(false);
                let schema = param.get("schema").cloned().unwrap_or(Value::Null);
                flatten(
                    &schema,
                    &format!("parameter {name} ({place})"),
                    required,
                    &mut shape,
                );
            }
            if let Some(body) = op
                .body
                .pointer("/requestBody/content/application~1json/schema")
            {
                flatten(body, "body", true, &mut shape);
            }
            (
                format!("{} {} ({})", op.method.to_uppercase(), op.path, op.id),
                shape,
            )
        })
        .collect()
}

fn schemas(document: &Value) -> BTreeMap<String, BTreeMap<String, String>> {
    doc::schemas(document)
        .into_iter()
        .flatten()
        .map(|(name, schema)| {
            let mut shape = BTreeMap::new();
            flatten(schema, "(root)", true, &mut shape);
            (name.clone(), shape)
        })
        .collect()
}

/// Records `at` and everything below it: properties, array items, combinator branches.
fn flatten(schema: &Value, at: &str, required: bool, out: &mut BTreeMap<String, String>) {
    let mut summary = summarize(schema);
    if required {
        summary.push_str(", required");
    }
    out.insert(at.to_owned(), summary);
    let required_names: BTreeSet<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    if let Some(Value::Object(properties)) = schema.get("properties") {
        for (name, property) in properties {
            let path = if at == "(root)" {
                name.clone()
            } else {
                format!("{at}.{name}")
            };
            flatten(property, &path, required_names.contains(name.as_str()), out);
        }
    }
    if let Some(items) = schema.get("items") {
        flatten(items, &format!("{at}[]"), false, out);
    }
    for key in ["oneOf", "anyOf", "allOf"] {
        for (index, branch) in schema
            .get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            flatten(branch, &format!("{at}.{key}[{index}]"), false, out);
        }
    }
}

/// A one-line summary of a schema node itself: `string(uri)`, `enum[a|b]`, `ref thing`,
/// `array maxItems=10`.
fn summarize(schema: &Value) -> String {
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        return format!(
            "ref {}",
            doc::schema_ref_name(reference).unwrap_or(reference)
        );
    }
    let mut text = schema
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("any")
        .to_owned();
    for key in ["oneOf", "anyOf", "allOf"] {
        if schema.get(key).is_some() {
            text = format!("{text} {key}");
        }
    }
    if let Some(format) = schema.get("format").and_then(Value::as_str) {
        text = format!("{text}({format})");
    }
    if let Some(Value::Array(values)) = schema.get("enum") {
        let values: Vec<String> = values
            .iter()
            .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
            .collect();
        text = format!("{text} enum[{}]", values.join("|"));
    }
    if schema.get("nullable") == Some(&Value::Bool(true)) {
        text.push_str(" nullable");
    }
    if let Some(Value::Bool(false)) = schema.get("additionalProperties") {
        text.push_str(" closed");
    }
    for key in CONSTRAINTS {
        if let Some(value) = schema.get(*key) {
            text = format!("{text} {key}={value}");
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn document(contact: Value, operations: Value) -> Value {
        json!({"paths": operations, "components": {"schemas": {"contact": contact}}})
    }

    #[test]
    fn reports_operations_fields_types_and_requiredness() {
        let old = document(
            json!({"type": "object", "required": ["email"], "properties": {
                "email": {"type": "string"}, "age": {"type": "integer"}, "gone": {"type": "string"}
            }}),
            json!({"/contacts": {"get": {"operationId": "ListContacts"}}}),
        );
        let new = document(
            json!({"type": "object", "properties": {
                "email": {"type": "string"}, "age": {"type": "string"}, "fresh": {"type": "boolean"}
            }}),
            json!({"/contacts": {"post": {"operationId": "CreateContact"}}}),
        );
        let lines = report(&old, &new);
        for expected in [
            "operation added: POST /contacts (CreateContact)",
            "operation removed: GET /contacts (ListContacts)",
            "schema contact: fresh added: boolean",
            "schema contact: gone removed: string",
            "schema contact: age changed: integer → string",
            "schema contact: email changed: string, required → string",
        ] {
            assert!(
                lines.iter().any(|line| line == expected),
                "missing {expected:?} in {lines:#?}"
            );
        }
    }

    #[test]
    fn changes_inside_inline_bodies_nested_objects_and_constraints_show() {
        let note = |admin: Value, id_type: &str| {
            json!({"paths": {"/contacts/{contact_id}/notes": {"post": {"operationId": "createNote",
                "requestBody": {"content": {"application/json": {"schema": {"type": "object",
                    "properties": {"body": {"type": "string"}, "admin_id": admin,
                        "tag": {"type": "object", "properties": {"id": {"type": id_type}}}}}}}}}}},
                "components": {"schemas": {"reply": {"type": "object", "properties": {
                    "urls": {"type": "array", "maxItems": 10, "items": {"type": "string", "format": "uri"}}}}}}})
        };
        let old = note(json!({"type": "string"}), "string");
        let mut new = note(json!(null), "integer");
        new["paths"]["/contacts/{contact_id}/notes"]["post"]["requestBody"]["content"]["application/json"]["schema"]["properties"]
            .as_object_mut()
            .unwrap()
            .remove("admin_id");
        new["components"]["schemas"]["reply"]["properties"]["urls"]["maxItems"] = json!(5);
        let lines = report(&old, &new);
        let op = "POST /contacts/{contact_id}/notes (createNote)";
        for expected in [
            format!("{op}: body.admin_id removed: string"),
            format!("{op}: body.tag.id changed: string → integer"),
            "schema reply: urls changed: array maxItems=10 → array maxItems=5".to_owned(),
        ] {
            assert!(
                lines.contains(&expected),
                "missing {expected:?} in {lines:#?}"
            );
        }
    }

    #[test]
    fn equal_documents_report_nothing() {
        let doc = document(json!({"type": "object"}), json!({}));
        assert!(report(&doc, &doc).is_empty());
    }
}
