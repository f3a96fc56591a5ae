//! The drift report: what an update of Intercom's document changes in what the tools use, for
//! a person deciding whether to accept it. Every schema, parameter and request body is
//! flattened to `path → type and constraints`, so a change at any depth shows; so is every
//! answer of the vendored response shapes, per operation.

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
    let keys = |map: &Shapes| map.keys().cloned().collect::<BTreeSet<_>>();
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
    compare_named(
        "schema",
        "schema ",
        &schemas(old),
        &schemas(new),
        &mut lines,
    );
    lines
}

/// Flattened shapes by name: `field path → summary`.
type Shapes = BTreeMap<String, BTreeMap<String, String>>;

/// Each entry of `new` compared with `old`'s of the same name (`prefix` before the name);
/// an entry on one side only is a `{kind} added` or `{kind} removed` line.
fn compare_named(kind: &str, prefix: &str, old: &Shapes, new: &Shapes, lines: &mut Vec<String>) {
    for (name, new_shape) in new {
        match old.get(name) {
            Some(old_shape) => compare(&format!("{prefix}{name}"), old_shape, new_shape, lines),
            None => lines.push(format!("{kind} added: {name}")),
        }
    }
    for name in old.keys().filter(|name| !new.contains_key(*name)) {
        lines.push(format!("{kind} removed: {name}"));
    }
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
fn operations(document: &Value) -> Shapes {
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
                let at = format!("parameter {name} ({place})");
                flatten(None, &mut Vec::new(), &schema, &at, required, &mut shape);
            }
            if let Some(body) = op
                .body
                .pointer("/requestBody/content/application~1json/schema")
            {
                flatten(None, &mut Vec::new(), body, "body", true, &mut shape);
            }
            (
                format!("{} {} ({})", op.method.to_uppercase(), op.path, op.id),
                shape,
            )
        })
        .collect()
}

fn schemas(document: &Value) -> Shapes {
    doc::schemas(document)
        .into_iter()
        .flatten()
        .map(|(name, schema)| {
            let mut shape = BTreeMap::new();
            flatten(None, &mut Vec::new(), schema, "(root)", true, &mut shape);
            (name.clone(), shape)
        })
        .collect()
}

/// Records `at` and everything below it: properties, array items, combinator branches. With
/// a `root`, references are followed into `root`'s component schemas (`through` holds the
/// ones being followed, so a schema that contains itself stops); without, a reference is a
/// leaf (`ref contact`) and the schema it names is reported on its own.
fn flatten(
    root: Option<&Value>,
    through: &mut Vec<String>,
    schema: &Value,
    at: &str,
    required: bool,
    out: &mut BTreeMap<String, String>,
) {
    let target = root.and_then(|root| {
        let name = doc::schema_ref_name(schema.get("$ref")?.as_str()?)?;
        Some((name, doc::schemas(root)?.get(name)?))
    });
    if let Some((name, target)) = target {
        if through.iter().any(|seen| seen == name) {
            out.insert(at.to_owned(), format!("ref {name} (contains itself)"));
            return;
        }
        through.push(name.to_owned());
        let mut target = target.clone();
        // `nullable` beside a `$ref` belongs to the field, not to the schema it names.
        if schema.get("nullable") == Some(&Value::Bool(true))
            && let Value::Object(map) = &mut target
        {
            map.insert("nullable".to_owned(), Value::Bool(true));
        }
        flatten(root, through, &target, at, required, out);
        through.pop();
        return;
    }
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
            let required = required_names.contains(name.as_str());
            flatten(root, through, property, &path, required, out);
        }
    }
    if let Some(items) = schema.get("items") {
        flatten(root, through, items, &format!("{at}[]"), false, out);
    }
    for key in ["oneOf", "anyOf", "allOf"] {
        for (index, branch) in schema
            .get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            let at = format!("{at}.{key}[{index}]");
            flatten(root, through, branch, &at, false, out);
        }
    }
}

/// Differences between two vendored response-shape files (responses.rs), per operation and
/// per status: every field of the answer, followed through the schemas it references, so a
/// change deep in `contact` shows on each operation that answers a contact.
pub fn responses_report(old: &Value, new: &Value) -> Vec<String> {
    let mut lines = Vec::new();
    compare_named("answer", "", &answers(old), &answers(new), &mut lines);
    lines
}

/// `METHOD path (operationId) answers STATUS` (and `every error answers`) → the answer,
/// flattened through its references.
fn answers(shapes: &Value) -> Shapes {
    let mut found = BTreeMap::new();
    let mut add = |key: String, schema: &Value| {
        let mut shape = BTreeMap::new();
        flatten(
            Some(shapes),
            &mut Vec::new(),
            schema,
            "(root)",
            true,
            &mut shape,
        );
        found.insert(key, shape);
    };
    for (id, operation) in shapes
        .get("operations")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let method = operation
            .get("method")
            .and_then(Value::as_str)
            .unwrap_or("?");
        let path = operation.get("path").and_then(Value::as_str).unwrap_or("?");
        for (status, schema) in operation
            .get("responses")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            let key = format!("{} {path} ({id}) answers {status}", method.to_uppercase());
            add(key, schema);
        }
    }
    if let Some(error) = shapes.get("error") {
        add("every error answers".to_owned(), error);
    }
    found
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
        // Sorted: the order of an enum means nothing (regen may write it last first).
        let mut values: Vec<String> = values
            .iter()
            .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
            .collect();
        values.sort();
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
#[path = "drift_tests.rs"]
mod tests;
