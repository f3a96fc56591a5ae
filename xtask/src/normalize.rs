//! The normalizations that make Intercom's published document generate a correct client.
//! Numbered as in `../shared/docs/intercom-2.11-facts.md`; each reports what it changed, and
//! each fails, naming the place, when the document no longer looks the way it expects.

use std::collections::BTreeSet;

use anyhow::{Result, bail};
use serde_json::{Map, Value, json};

use crate::{doc, prose};

pub type Step = fn(&mut Value) -> Result<Vec<String>>;

/// The steps in the order regen applies them (after pruning).
pub const STEPS: &[(&str, Step)] = &[
    ("1 define open objects", define_open_objects),
    ("2 unname symbol enums", unname_symbol_enums),
    ("3 reject unsupported constructs", reject_unsupported),
    (
        "4 drop required-only combinators",
        drop_required_only_combinators,
    ),
    ("5 untyped responses", untyped_responses),
    ("6 untyped request_id", untyped_request_id),
    (
        "7 require search filter fields",
        require_search_filter_fields,
    ),
    ("8 drop version header", drop_version_header),
    ("9 require admin reply body", require_admin_reply_body),
    ("10 strip prose", strip_prose),
];

/// Components that Intercom references but never defines, and what they are: free-form objects.
const OPEN_OBJECTS: &[&str] = &["custom_attributes"];

/// 1. A `$ref` to an undefined schema makes typify panic. Define the known free-form ones.
pub fn define_open_objects(doc: &mut Value) -> Result<Vec<String>> {
    let mut referenced = BTreeSet::new();
    doc::collect_refs(doc, &mut referenced);
    let Some(schemas) = doc::schemas_mut(doc) else {
        return Ok(Vec::new());
    };
    let mut changes = Vec::new();
    for name in OPEN_OBJECTS {
        if referenced.contains(*name) && !schemas.contains_key(*name) {
            schemas.insert(
                (*name).to_owned(),
                json!({"type": "object", "additionalProperties": true}),
            );
            changes.push(format!("defined `{name}` as a free-form object"));
        }
    }
    Ok(changes)
}

/// 2. typify names enum variants after their values and panics on `=`, `!=`, `<`… The server
///    validates such values itself, so the schema keeps only `type: string`.
pub fn unname_symbol_enums(doc: &mut Value) -> Result<Vec<String>> {
    let mut changes = Vec::new();
    doc::for_each_document_schema_mut(doc, &mut |at, schema| {
        let Some(Value::Array(values)) = schema.get("enum") else {
            return;
        };
        let unnameable = values.iter().any(|value| {
            value
                .as_str()
                .is_some_and(|text| !text.chars().any(|c| c.is_ascii_alphanumeric()))
        });
        if unnameable {
            let listed: Vec<String> = values.iter().map(Value::to_string).collect();
            changes.push(format!("{at}: enum [{}] → plain string", listed.join(" ")));
            if let Value::Object(map) = schema {
                map.remove("enum");
            }
        }
    });
    Ok(changes)
}

/// 3. Constructs progenitor cannot take: JSON content without a schema (a `todo!()` in
///    progenitor) and an inline enum whose generated name collides with a component's (typify
///    panics). Not present in the pruned v2.11 set; an update that brings one in stops regen.
pub fn reject_unsupported(doc: &mut Value) -> Result<Vec<String>> {
    let mut problems = Vec::new();
    for op in doc::operations(doc) {
        for (section, node) in [
            ("request", op.body.get("requestBody")),
            ("responses", op.body.get("responses")),
        ] {
            let mut found = Vec::new();
            schemaless_json_content(node.unwrap_or(&Value::Null), &mut found);
            for media in found {
                problems.push(format!(
                    "operation {} ({} {}): {section} content `{media}` has no schema",
                    op.id, op.method, op.path
                ));
            }
        }
    }
    if let Some(schemas) = doc::schemas(doc) {
        let generated: BTreeSet<String> = schemas.keys().map(|name| pascal(name)).collect();
        for (name, schema) in schemas {
            let Some(Value::Object(props)) = schema.get("properties") else {
                continue;
            };
            for (prop, prop_schema) in props {
                let inline_type =
                    prop_schema.get("enum").is_some() || prop_schema.get("properties").is_some();
                let generated_name = format!("{}{}", pascal(name), pascal(prop));
                if inline_type && generated.contains(&generated_name) {
                    problems.push(format!(
                        "schema `{name}`: the inline type of property `{prop}` would be named \
                         {generated_name}, which another component already takes"
                    ));
                }
            }
        }
    }
    if problems.is_empty() {
        Ok(Vec::new())
    } else {
        bail!(
            "progenitor cannot generate this document:\n  {}",
            problems.join("\n  ")
        )
    }
}

fn schemaless_json_content(node: &Value, found: &mut Vec<String>) {
    let Some(Value::Object(content)) = node.get("content") else {
        if let Value::Object(map) = node {
            map.values()
                .for_each(|value| schemaless_json_content(value, found));
        }
        return;
    };
    for (media, body) in content {
        if media.contains("json") && body.get("schema").is_none() {
            found.push(media.clone());
        }
    }
}

/// typify's type names: `create_contact_request` → `CreateContactRequest`.
fn pascal(name: &str) -> String {
    name.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut chars = part.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect()
}

/// 4. `anyOf`/`oneOf` branches that differ only in `required` make typify emit an untagged
///    enum that drops fields when serialized. Remove the combinator; keep the alternatives as
///    `x-required-any-of` so the server can enforce "at least one of".
pub fn drop_required_only_combinators(doc: &mut Value) -> Result<Vec<String>> {
    let mut changes = Vec::new();
    doc::for_each_document_schema_mut(doc, &mut |at, schema| {
        let Value::Object(map) = schema else { return };
        for key in ["anyOf", "oneOf"] {
            let Some(Value::Array(branches)) = map.get(key) else {
                continue;
            };
            let required_only = !branches.is_empty()
                && branches.iter().all(|branch| {
                    branch.as_object().is_some_and(|b| {
                        b.contains_key("required")
                            && b.keys()
                                .all(|k| matches!(k.as_str(), "required" | "title" | "description"))
                    })
                });
            if !required_only {
                continue;
            }
            let alternatives: Vec<Value> = branches
                .iter()
                .filter_map(|branch| branch.get("required").cloned())
                .collect();
            changes.push(format!(
                "{at}: {key} of required-only branches → x-required-any-of"
            ));
            map.remove(key);
            map.insert("x-required-any-of".to_owned(), Value::Array(alternatives));
        }
    });
    Ok(changes)
}

/// 5. Intercom's success bodies do not match their own schemas (missing "required" fields,
///    nulls, undocumented fields), so 2xx bodies are decoded as untyped JSON (schema `{}`).
///    Error responses are removed: operations declare them inconsistently, so the server reads
///    every non-2xx body itself, with the `error` schema.
pub fn untyped_responses(doc: &mut Value) -> Result<Vec<String>> {
    let mut untyped = 0;
    let mut removed = 0;
    let mut problems = Vec::new();
    doc::for_each_operation_mut(doc, |id, operation| {
        let Some(Value::Object(responses)) = operation.get_mut("responses") else {
            return;
        };
        let before = responses.len();
        responses.retain(|code, _| code.starts_with('2'));
        removed += before - responses.len();
        for (code, response) in responses.iter_mut() {
            // A response given by `$ref` would keep its typed body beside ours: refuse it.
            match response {
                Value::Object(map) if !map.contains_key("$ref") => {
                    // Every 2xx, even one without content, gets the same `{}` body: progenitor
                    // panics when one operation's success responses resolve to different types.
                    let untyped_json = json!({"application/json": {"schema": {}}});
                    if map.get("content") != Some(&untyped_json) {
                        map.insert("content".to_owned(), untyped_json);
                        untyped += 1;
                    }
                }
                _ => problems.push(format!(
                    "operation {id}: response {code} is not an inline response object"
                )),
            }
        }
    });
    if !problems.is_empty() {
        bail!(
            "normalization 5 cannot untype:\n  {}",
            problems.join("\n  ")
        );
    }
    Ok(vec![format!(
        "{untyped} success bodies made untyped, {removed} error responses removed"
    )])
}

/// 6. Real `request_id`s are not always UUIDs; with `format: uuid` an API error would turn
///    into a decode error.
pub fn untyped_request_id(doc: &mut Value) -> Result<Vec<String>> {
    let mut changes = Vec::new();
    doc::for_each_document_schema_mut(doc, &mut |at, schema| {
        let Some(Value::Object(request_id)) = schema.pointer_mut("/properties/request_id") else {
            return;
        };
        if request_id.get("format").and_then(Value::as_str) == Some("uuid") {
            request_id.remove("format");
            changes.push(format!("{at}.request_id: dropped format uuid"));
        }
    });
    Ok(changes)
}

/// 7. Search filters declare nothing required. A single filter needs field, operator and
///    value; a group needs operator and value; `value` is not nullable.
pub fn require_search_filter_fields(doc: &mut Value) -> Result<Vec<String>> {
    let mut changes = Vec::new();
    for (name, required) in [
        (
            "single_filter_search_request",
            &["field", "operator", "value"][..],
        ),
        ("multiple_filter_search_request", &["operator", "value"][..]),
    ] {
        let schema = component_mut(doc, name, "7")?;
        changes.extend(require(schema, name, required));
        if let Some(Value::Object(value)) = schema
            .get_mut("properties")
            .and_then(|props| props.get_mut("value"))
            && value.remove("nullable").is_some()
        {
            changes.push(format!("{name}.value: no longer nullable"));
        }
    }
    Ok(changes)
}

/// 8. Every operation declares an optional `Intercom-Version` header; the client sends
///    `Intercom-Version: 2.11` on every request instead.
pub fn drop_version_header(doc: &mut Value) -> Result<Vec<String>> {
    let mut removed = 0;
    let is_version = |param: &Value| {
        param.get("in").and_then(Value::as_str) == Some("header")
            && param
                .get("name")
                .and_then(Value::as_str)
                .is_some_and(|name| name.eq_ignore_ascii_case("Intercom-Version"))
    };
    if let Some(Value::Object(paths)) = doc.get_mut("paths") {
        for item in paths.values_mut() {
            let mut lists: Vec<&mut Value> = Vec::new();
            if let Value::Object(item) = item {
                for (key, value) in item.iter_mut() {
                    if key == "parameters" {
                        lists.push(value);
                    } else if let Some(params) = value.get_mut("parameters") {
                        lists.push(params);
                    }
                }
            }
            for list in lists {
                if let Value::Array(params) = list {
                    let before = params.len();
                    params.retain(|param| !is_version(param));
                    removed += before - params.len();
                }
            }
        }
    }
    Ok(vec![format!(
        "removed {removed} Intercom-Version header parameters"
    )])
}

/// 9. The admin reply marks `body` optional, but Intercom rejects a reply without one.
pub fn require_admin_reply_body(doc: &mut Value) -> Result<Vec<String>> {
    let name = "admin_reply_conversation_request";
    let schema = component_mut(doc, name, "9")?;
    Ok(require(schema, name, &["body"]))
}

/// 10. Intercom's words stay upstream: every description, summary, title and example goes.
///     The words a model reads are the project's own (src/tools/descriptions.rs).
pub fn strip_prose(doc: &mut Value) -> Result<Vec<String>> {
    let mut removed = 0;
    prose::strip(doc, &mut removed);
    if let Value::Object(root) = doc {
        root.remove("tags");
        root.insert(
            "info".to_owned(),
            json!({"title": "Intercom REST API, the operations intercom-mcp uses", "version": "2.11"}),
        );
    }
    // OpenAPI requires a description on every response object; ours is empty.
    doc::for_each_operation_mut(doc, |_, operation| {
        if let Some(Value::Object(responses)) = operation.get_mut("responses") {
            for response in responses.values_mut() {
                if let Value::Object(response) = response {
                    response.insert("description".to_owned(), json!(""));
                }
            }
        }
    });
    Ok(vec![format!("removed {removed} prose and example entries")])
}

pub(crate) fn component_mut<'a>(
    doc: &'a mut Value,
    name: &str,
    step: &str,
) -> Result<&'a mut Map<String, Value>> {
    match doc::schemas_mut(doc).and_then(|schemas| schemas.get_mut(name)) {
        Some(Value::Object(schema)) => Ok(schema),
        _ => bail!(
            "normalization {step} expects component schema `{name}`, which the document no \
             longer has; revisit that step in xtask/src"
        ),
    }
}

fn require(schema: &mut Map<String, Value>, name: &str, fields: &[&str]) -> Vec<String> {
    let list = schema.entry("required").or_insert_with(|| json!([]));
    let Value::Array(list) = list else {
        return Vec::new();
    };
    let mut changes = Vec::new();
    for field in fields {
        if !list.iter().any(|existing| existing == field) {
            list.push(json!(field));
            changes.push(format!("{name}.{field}: now required"));
        }
    }
    changes
}

#[cfg(test)]
#[path = "normalize_tests.rs"]
mod tests;
