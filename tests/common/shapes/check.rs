//! Whether a JSON value fits a response shape of `openapi/intercom-2.11-responses.json`: the
//! one checker of answers against schemas, for the sandbox's answers, generated answers and
//! xtask's tests of regen's corrections (`#[path]`). Our own, of the subset those shapes use
//! (`$ref`, `type`, `properties`, `required`, `nullable`, `enum`, `items`,
//! `additionalProperties`, `allOf`/`oneOf`/`anyOf`), so no schema crate is built for it.
//!
//! Not `intercom_mcp::tools::validate`, which checks a tool's arguments against the JSON Schema
//! the model saw: these are OpenAPI 3.0 shapes, with `nullable` and `allOf` (whose branches'
//! properties make one closed object) that no input schema has; a report wants every misfit,
//! where the model is told the first; and xtask, which regenerates the document the server is
//! built from, does not build the server.
//!
//! Stricter than OpenAPI on one point, on purpose: an object whose shape lists `properties`
//! and says nothing of `additionalProperties` is closed, so a field the shapes do not know
//! (one Intercom added, or one the sandbox invented) is reported, not let through.

use serde_json::{Map, Value};

const SCHEMA_REF_PREFIX: &str = "#/components/schemas/";

/// Every way `value` does not fit `schema` (with `$ref`s resolved in `root`), one line each,
/// located by a JSON path (`$.data[0].id`); empty when it fits.
pub fn problems(root: &Value, schema: &Value, value: &Value) -> Vec<String> {
    problems_to_depth(root, schema, value, usize::MAX)
}

/// As [`problems`], reading the fields of `value` and of the objects at most `depth` levels
/// below it (items of an array are at their array's level); deeper objects are checked as
/// values of their field, not field by field.
pub fn problems_to_depth(root: &Value, schema: &Value, value: &Value, depth: usize) -> Vec<String> {
    let mut out = Vec::new();
    check(root, schema, value, "$", depth.saturating_add(1), &mut out);
    out
}

/// The schema a `$ref` names, through any chain of references, and whether any step on the
/// way (the referring node included) is `nullable`.
pub fn resolve<'a>(root: &'a Value, mut schema: &'a Value) -> Result<(&'a Value, bool), String> {
    let mut nullable = is_nullable(schema);
    for _ in 0..32 {
        let Some(reference) = schema.get("$ref").and_then(Value::as_str) else {
            return Ok((schema, nullable));
        };
        let name = reference
            .strip_prefix(SCHEMA_REF_PREFIX)
            .ok_or_else(|| format!("reference `{reference}` is not to a component schema"))?;
        schema = root
            .get("components")
            .and_then(|components| components.get("schemas"))
            .and_then(|schemas| schemas.get(name))
            .ok_or_else(|| format!("reference to undefined schema `{name}`"))?;
        nullable |= is_nullable(schema);
    }
    Err("references loop".to_owned())
}

fn is_nullable(schema: &Value) -> bool {
    schema.get("nullable") == Some(&Value::Bool(true))
}

/// A schema with its `allOf` branches folded in: properties and `required` merged, the first
/// `type` and `additionalProperties` found.
pub fn merged(root: &Value, schema: &Value) -> Result<(Map<String, Value>, bool), String> {
    let (schema, nullable) = resolve(root, schema)?;
    let mut view = match schema {
        Value::Object(map) => map.clone(),
        _ => Map::new(),
    };
    let mut nullable = nullable;
    let Some(Value::Array(branches)) = view.remove("allOf") else {
        return Ok((view, nullable));
    };
    for branch in &branches {
        let (part, part_nullable) = merged(root, branch)?;
        nullable |= part_nullable;
        for (key, value) in part {
            match (key.as_str(), view.get_mut(&key), value) {
                ("properties", Some(Value::Object(mine)), Value::Object(theirs)) => {
                    mine.extend(theirs)
                }
                ("required", Some(Value::Array(mine)), Value::Array(theirs)) => mine.extend(theirs),
                (_, Some(_), _) => {}
                (_, None, value) => {
                    view.insert(key, value);
                }
            }
        }
    }
    Ok((view, nullable))
}

/// `levels`: how many levels of objects, from this value down, have their fields read.
fn check(
    root: &Value,
    schema: &Value,
    value: &Value,
    at: &str,
    levels: usize,
    out: &mut Vec<String>,
) {
    let (view, nullable) = match merged(root, schema) {
        Ok(found) => found,
        Err(problem) => return out.push(format!("{at}: {problem}")),
    };
    if value.is_null() {
        if !nullable && !view.is_empty() {
            out.push(format!("{at}: null, but the shape is not nullable"));
        }
        return;
    }
    for (key, exactly_one) in [("anyOf", false), ("oneOf", true)] {
        if let Some(Value::Array(branches)) = view.get(key) {
            let fitting = branches
                .iter()
                .filter(|branch| {
                    let mut misfits = Vec::new();
                    check(root, branch, value, at, levels, &mut misfits);
                    misfits.is_empty()
                })
                .count();
            if fitting == 0 || (exactly_one && fitting > 1) {
                out.push(format!(
                    "{at}: fits {fitting} of the {} `{key}` branches",
                    branches.len()
                ));
            }
        }
    }
    if let Some(kind) = view.get("type").and_then(Value::as_str)
        && !fits_type(kind, value)
    {
        return out.push(format!(
            "{at}: {} where the shape says {kind}",
            brief(value)
        ));
    }
    if let Some(Value::Array(allowed)) = view.get("enum")
        && !allowed.contains(value)
    {
        out.push(format!(
            "{at}: {} is not among {}",
            brief(value),
            Value::Array(allowed.clone())
        ));
    }
    match value {
        Value::Object(fields) if levels > 0 => check_object(root, &view, fields, at, levels, out),
        Value::Array(items) => {
            if let Some(item_schema) = view.get("items") {
                for (index, item) in items.iter().enumerate() {
                    check(
                        root,
                        item_schema,
                        item,
                        &format!("{at}[{index}]"),
                        levels,
                        out,
                    );
                }
            }
        }
        _ => {}
    }
}

fn check_object(
    root: &Value,
    view: &Map<String, Value>,
    fields: &Map<String, Value>,
    at: &str,
    levels: usize,
    out: &mut Vec<String>,
) {
    for name in view
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
    {
        if !fields.contains_key(name) {
            out.push(format!("{at}.{name}: required, missing"));
        }
    }
    let declared = view.get("properties").and_then(Value::as_object);
    for (key, field) in fields {
        let here = format!("{at}.{key}");
        match (
            declared.and_then(|props| props.get(key)),
            view.get("additionalProperties"),
        ) {
            (Some(field_schema), _) => check(root, field_schema, field, &here, levels - 1, out),
            (None, Some(Value::Object(extra))) => check(
                root,
                &Value::Object(extra.clone()),
                field,
                &here,
                levels - 1,
                out,
            ),
            (None, Some(Value::Bool(true))) => {}
            // No `properties` at all: a free-form object.
            (None, None) if declared.is_none() => {}
            (None, _) => out.push(format!("{here}: not in the shape")),
        }
    }
}

fn fits_type(kind: &str, value: &Value) -> bool {
    match (kind, value) {
        ("string", Value::String(_))
        | ("boolean", Value::Bool(_))
        | ("object", Value::Object(_))
        | ("array", Value::Array(_))
        | ("number", Value::Number(_)) => true,
        ("integer", Value::Number(number)) => number.is_i64() || number.is_u64(),
        _ => false,
    }
}

/// A value as a problem line shows it: short.
fn brief(value: &Value) -> String {
    let text = value.to_string();
    match text.char_indices().nth(40) {
        Some((cut, _)) => format!("{}…", text.get(..cut).unwrap_or_default()),
        None => text,
    }
}
