//! The drift report: what an update of Intercom's document changes in what the tools use, for
//! a person deciding whether to accept it.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::doc;

/// Differences from `old` (the committed document) to `new`, one line each; empty when equal
/// in everything the report looks at.
pub fn report(old: &Value, new: &Value) -> Vec<String> {
    let mut lines = Vec::new();
    let (old_ops, new_ops) = (operations(old), operations(new));
    diff_keys(old_ops.keys(), new_ops.keys(), "operation", &mut lines);
    for (key, new_op) in &new_ops {
        if let Some(old_op) = old_ops.get(key) {
            let (old_params, new_params) = (parameters(old_op), parameters(new_op));
            diff_fields(
                &format!("{key} parameter"),
                &old_params,
                &new_params,
                &mut lines,
            );
            let (old_body, new_body) = (request_body(old_op), request_body(new_op));
            if old_body != new_body {
                lines.push(format!("{key}: request body {old_body} → {new_body}"));
            }
        }
    }
    let empty = serde_json::Map::new();
    let old_schemas = doc::schemas(old).unwrap_or(&empty);
    let new_schemas = doc::schemas(new).unwrap_or(&empty);
    diff_keys(old_schemas.keys(), new_schemas.keys(), "schema", &mut lines);
    for (name, new_schema) in new_schemas {
        if let Some(old_schema) = old_schemas.get(name) {
            diff_fields(
                &format!("schema {name} field"),
                &fields(old_schema),
                &fields(new_schema),
                &mut lines,
            );
            if summarize(old_schema) != summarize(new_schema) && fields(new_schema).is_empty() {
                lines.push(format!(
                    "schema {name}: {} → {}",
                    summarize(old_schema),
                    summarize(new_schema)
                ));
            }
        }
    }
    lines
}

fn operations(document: &Value) -> BTreeMap<String, Value> {
    doc::operations(document)
        .into_iter()
        .map(|op| {
            (
                format!("{} {} ({})", op.method.to_uppercase(), op.path, op.id),
                op.body.clone(),
            )
        })
        .collect()
}

fn diff_keys<'a>(
    old: impl IntoIterator<Item = &'a String>,
    new: impl IntoIterator<Item = &'a String>,
    what: &str,
    lines: &mut Vec<String>,
) {
    let old: BTreeSet<&String> = old.into_iter().collect();
    let new: BTreeSet<&String> = new.into_iter().collect();
    for added in new.difference(&old) {
        lines.push(format!("{what} added: {added}"));
    }
    for removed in old.difference(&new) {
        lines.push(format!("{what} removed: {removed}"));
    }
}

/// name → "type, required?" for a parameter list.
fn parameters(operation: &Value) -> BTreeMap<String, String> {
    let list = operation.get("parameters").and_then(Value::as_array);
    list.into_iter()
        .flatten()
        .map(|param| {
            let name = param.get("name").and_then(Value::as_str).unwrap_or("?");
            let place = param.get("in").and_then(Value::as_str).unwrap_or("?");
            let required = param
                .get("required")
                .and_then(Value::as_bool)
                .unwrap_or(false);
            let schema = param.get("schema").map(summarize).unwrap_or_default();
            (format!("{name} ({place})"), describe(&schema, required))
        })
        .collect()
}

fn request_body(operation: &Value) -> String {
    operation
        .pointer("/requestBody/content/application~1json/schema")
        .map(summarize)
        .unwrap_or_else(|| "none".to_owned())
}

/// field → "type, required?" for an object schema.
fn fields(schema: &Value) -> BTreeMap<String, String> {
    let required: BTreeSet<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let props = schema.get("properties").and_then(Value::as_object);
    props
        .into_iter()
        .flatten()
        .map(|(name, prop)| {
            (
                name.clone(),
                describe(&summarize(prop), required.contains(name.as_str())),
            )
        })
        .collect()
}

fn describe(summary: &str, required: bool) -> String {
    format!("{summary}{}", if required { ", required" } else { "" })
}

fn diff_fields(
    what: &str,
    old: &BTreeMap<String, String>,
    new: &BTreeMap<String, String>,
    lines: &mut Vec<String>,
) {
    for (name, new_desc) in new {
        match old.get(name) {
            None => lines.push(format!("{what} added: {name}: {new_desc}")),
            Some(old_desc) if old_desc != new_desc => {
                lines.push(format!("{what} changed: {name}: {old_desc} → {new_desc}"))
            }
            Some(_) => {}
        }
    }
    for (name, old_desc) in old {
        if !new.contains_key(name) {
            lines.push(format!("{what} removed: {name}: {old_desc}"));
        }
    }
}

/// A one-line type summary: `string(date-time)`, `enum[a|b]`, `array<ref thing>`, `oneOf(…)`.
fn summarize(schema: &Value) -> String {
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        return format!(
            "ref {}",
            doc::schema_ref_name(reference).unwrap_or(reference)
        );
    }
    for key in ["oneOf", "anyOf", "allOf"] {
        if let Some(Value::Array(branches)) = schema.get(key) {
            let parts: Vec<String> = branches.iter().map(summarize).collect();
            return format!("{key}({})", parts.join(", "));
        }
    }
    let mut text = schema
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("any")
        .to_owned();
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
    if let Some(items) = schema.get("items") {
        text = format!("{text}<{}>", summarize(items));
    }
    if schema.get("nullable") == Some(&Value::Bool(true)) {
        text.push_str(" nullable");
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
            "schema contact field added: fresh: boolean",
            "schema contact field removed: gone: string",
            "schema contact field changed: age: integer → string",
            "schema contact field changed: email: string, required → string",
        ] {
            assert!(
                lines.iter().any(|line| line == expected),
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
