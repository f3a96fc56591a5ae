//! The response side of regen: what Intercom answers to each allowlisted operation (its 2xx
//! JSON bodies) and to every failed request (the `error` body), with the component schemas
//! they reach, corrected (`response_fixes.rs`) and prose-free, for
//! `openapi/intercom-2.11-responses.json`.
//!
//! A file of its own rather than typed responses in `intercom-2.11.json`: the client keeps
//! decoding 2xx bodies as untyped JSON (normalization 5), so build.rs and progenitor are
//! untouched, and typed responses would triple the generated code (facts: 6k → 17k lines) on
//! a 2-core build. The shapes serve the checks (sandbox, lean output) and the drift report.

use std::collections::BTreeSet;

use anyhow::{Result, bail};
use serde_json::{Map, Value, json};

use crate::normalize::Step;
use crate::{doc, regen, response_fixes, validate};

/// The schema every non-2xx body has.
pub const ERROR_SCHEMA: &str = "error";

/// The shapes of `operations`' answers in `upstream` (a whole or pruned document), corrected
/// and stripped; with the report of what each correction did.
pub fn derive(upstream: &Value, operations: &[&str]) -> Result<(Value, Vec<String>)> {
    derive_with(upstream, operations, response_fixes::STEPS)
}

/// As [`derive`], with the given corrections only (tests take one out to show it is needed).
pub fn derive_with(
    upstream: &Value,
    operations: &[&str],
    steps: &[(&str, Step)],
) -> Result<(Value, Vec<String>)> {
    let mut answered = Map::new();
    let mut problems = Vec::new();
    for op in doc::operations(upstream) {
        if !operations.contains(&op.id) {
            continue;
        }
        let mut bodies = Map::new();
        for (code, response) in op
            .body
            .get("responses")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .filter(|(code, _)| code.starts_with('2'))
        {
            match response.pointer("/content/application~1json/schema") {
                Some(schema) => {
                    bodies.insert(code.clone(), schema.clone());
                }
                None => problems.push(format!("{} answers {code} without a JSON schema", op.id)),
            }
        }
        if bodies.is_empty() {
            problems.push(format!("{} declares no 2xx JSON answer", op.id));
        }
        answered.insert(
            op.id.to_owned(),
            json!({"method": op.method, "path": op.path, "responses": bodies}),
        );
    }
    let missing: Vec<&&str> = operations
        .iter()
        .filter(|id| !answered.contains_key(**id))
        .collect();
    if !missing.is_empty() {
        problems.push(format!("no operation {missing:?} in the document"));
    }
    if !problems.is_empty() {
        bail!(
            "cannot vendor the response shapes:\n  {}",
            problems.join("\n  ")
        );
    }
    let error_ref = json!({"$ref": format!("#/components/schemas/{ERROR_SCHEMA}")});
    let mut shapes = json!({
        "info": {"title": "Intercom REST API: the answers of the operations intercom-mcp uses", "version": "2.11"},
        "operations": answered,
        "error": error_ref,
        "components": {"schemas": reached(upstream, &Value::Object(answered_roots(&answered)))?},
    });
    let report = regen::apply(steps, &mut shapes)?;
    validate::references_resolve(&shapes)?;
    Ok((shapes, report))
}

/// The roots whose references are followed: every kept answer, and the error body.
fn answered_roots(answered: &Map<String, Value>) -> Map<String, Value> {
    let mut roots = answered.clone();
    roots.insert(
        "(error)".to_owned(),
        json!({"$ref": format!("#/components/schemas/{ERROR_SCHEMA}")}),
    );
    roots
}

/// The component schemas `roots` reach, directly or through one another. A reference the
/// document never defines is left dangling here; correction R1 defines the known ones and
/// the check below names any other.
fn reached(upstream: &Value, roots: &Value) -> Result<Map<String, Value>> {
    let all = doc::schemas(upstream).cloned().unwrap_or_default();
    let mut names = BTreeSet::new();
    doc::collect_refs(roots, &mut names);
    let mut frontier: Vec<String> = names.iter().cloned().collect();
    while let Some(name) = frontier.pop() {
        let mut more = BTreeSet::new();
        if let Some(schema) = all.get(&name) {
            doc::collect_refs(schema, &mut more);
        }
        for found in more {
            if names.insert(found.clone()) {
                frontier.push(found);
            }
        }
    }
    if !all.contains_key(ERROR_SCHEMA) {
        bail!("the document has no `{ERROR_SCHEMA}` schema for failed requests");
    }
    Ok(names
        .into_iter()
        .filter_map(|name| all.get(&name).map(|schema| (name, schema.clone())))
        .collect())
}
