//! Small helpers for walking an OpenAPI document held as `serde_json::Value`.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

pub const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];
const SCHEMA_REF_PREFIX: &str = "#/components/schemas/";

/// The component name a `$ref` points at, when it points into `components.schemas`.
pub fn schema_ref_name(reference: &str) -> Option<&str> {
    reference.strip_prefix(SCHEMA_REF_PREFIX)
}

/// Every component schema name referenced anywhere below `node`.
pub fn collect_refs(node: &Value, out: &mut BTreeSet<String>) {
    match node {
        Value::Object(map) => {
            for (key, value) in map {
                match (key.as_str(), value) {
                    ("$ref", Value::String(reference)) => {
                        if let Some(name) = schema_ref_name(reference) {
                            out.insert(name.to_owned());
                        }
                    }
                    _ => collect_refs(value, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| collect_refs(item, out)),
        _ => {}
    }
}

pub fn schemas(doc: &Value) -> Option<&Map<String, Value>> {
    doc.pointer("/components/schemas")?.as_object()
}

pub fn schemas_mut(doc: &mut Value) -> Option<&mut Map<String, Value>> {
    doc.pointer_mut("/components/schemas")?.as_object_mut()
}

/// One operation of the document, with where it lives.
pub struct Operation<'a> {
    pub path: &'a str,
    pub method: &'a str,
    pub id: &'a str,
    pub body: &'a Value,
}

pub fn operations(doc: &Value) -> Vec<Operation<'_>> {
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for (path, item) in paths {
        for method in METHODS {
            if let Some(body) = item.get(method) {
                let id = body
                    .get("operationId")
                    .and_then(Value::as_str)
                    .unwrap_or("");
                found.push(Operation {
                    path,
                    method,
                    id,
                    body,
                });
            }
        }
    }
    found
}

/// Calls `visit` on every operation object, mutably.
pub fn for_each_operation_mut(doc: &mut Value, mut visit: impl FnMut(&str, &mut Value)) {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for item in paths.values_mut() {
        for method in METHODS {
            if let Some(operation) = item.get_mut(method) {
                let id = operation
                    .get("operationId")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_owned();
                visit(&id, operation);
            }
        }
    }
}

/// Calls `visit` on every schema object below `node` (nested properties, items, combinators),
/// with a dotted location for reports. `node` itself is visited first.
pub fn for_each_schema_mut(node: &mut Value, at: &str, visit: &mut impl FnMut(&str, &mut Value)) {
    visit(at, node);
    let Value::Object(map) = node else { return };
    for (key, value) in map.iter_mut() {
        match key.as_str() {
            "properties" => {
                if let Value::Object(props) = value {
                    for (name, prop) in props.iter_mut() {
                        for_each_schema_mut(prop, &format!("{at}.{name}"), visit);
                    }
                }
            }
            "items" | "additionalProperties" | "not" => {
                for_each_schema_mut(value, &format!("{at}[]"), visit)
            }
            "allOf" | "anyOf" | "oneOf" => {
                if let Value::Array(branches) = value {
                    for (index, branch) in branches.iter_mut().enumerate() {
                        for_each_schema_mut(branch, &format!("{at}.{key}[{index}]"), visit);
                    }
                }
            }
            _ => {}
        }
    }
}

/// Visits every component schema and every schema written inline in an operation.
pub fn for_each_document_schema_mut(doc: &mut Value, visit: &mut impl FnMut(&str, &mut Value)) {
    if let Some(schemas) = schemas_mut(doc) {
        for (name, schema) in schemas.iter_mut() {
            for_each_schema_mut(schema, name, visit);
        }
    }
    for_each_operation_mut(doc, |id, operation| {
        if let Some(Value::Array(params)) = operation.get_mut("parameters") {
            for param in params {
                let name = param
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_owned();
                if let Some(schema) = param.get_mut("schema") {
                    for_each_schema_mut(schema, &format!("{id}({name})"), visit);
                }
            }
        }
        for (section, label) in [("requestBody", "request"), ("responses", "response")] {
            if let Some(section) = operation.get_mut(section) {
                for_each_media_schema(section, &format!("{id}.{label}"), visit);
            }
        }
    });
}

fn for_each_media_schema(node: &mut Value, at: &str, visit: &mut impl FnMut(&str, &mut Value)) {
    let Value::Object(map) = node else { return };
    for (key, value) in map.iter_mut() {
        if key == "schema" {
            for_each_schema_mut(value, at, visit);
        } else {
            for_each_media_schema(value, at, visit);
        }
    }
}
