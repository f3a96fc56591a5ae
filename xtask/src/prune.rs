//! Pruning: keep the allowlisted operations and the component schemas they reach.

use std::collections::BTreeSet;

use anyhow::{Result, bail};
use serde_json::Value;

use crate::doc;

/// Schemas kept although no operation references them: the server decodes every error body
/// with `error` itself (see normalize::untyped_responses).
pub const EXTRA_ROOTS: &[&str] = &["error"];

/// Removes every operation not in `keep`; fails naming any allowlisted operation the document
/// lacks, since a tool without its operation cannot be generated.
pub fn select_operations(doc: &mut Value, keep: &[&str]) -> Result<Vec<String>> {
    let present: BTreeSet<&str> = doc::operations(doc).iter().map(|op| op.id).collect();
    let missing: Vec<&str> = keep
        .iter()
        .copied()
        .filter(|id| !present.contains(id))
        .collect();
    if !missing.is_empty() {
        bail!(
            "the upstream document has no operation {} (allowlisted in src/operations.rs); \
             a tool depends on it, so regen stops here",
            missing.join(", ")
        );
    }
    let before = present.len();
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        bail!("the document has no `paths`");
    };
    for item in paths.values_mut() {
        if let Value::Object(item) = item {
            item.retain(|key, operation| {
                !doc::METHODS.contains(&key.as_str())
                    || operation
                        .get("operationId")
                        .and_then(Value::as_str)
                        .is_some_and(|id| keep.contains(&id))
            });
        }
    }
    paths.retain(|_, item| {
        doc::METHODS
            .iter()
            .any(|method| item.get(*method).is_some())
    });
    Ok(vec![format!("kept {} of {before} operations", keep.len())])
}

/// Removes every component schema that no kept operation (nor an extra root) reaches.
pub fn drop_unreached_schemas(doc: &mut Value, extra_roots: &[&str]) -> Vec<String> {
    let mut reached = BTreeSet::new();
    if let Some(paths) = doc.get("paths") {
        doc::collect_refs(paths, &mut reached);
    }
    reached.extend(extra_roots.iter().map(|name| (*name).to_owned()));
    let mut frontier: Vec<String> = reached.iter().cloned().collect();
    while let Some(name) = frontier.pop() {
        let mut refs = BTreeSet::new();
        if let Some(schema) = doc::schemas(doc).and_then(|schemas| schemas.get(&name)) {
            doc::collect_refs(schema, &mut refs);
        }
        for found in refs {
            if reached.insert(found.clone()) {
                frontier.push(found);
            }
        }
    }
    let Some(schemas) = doc::schemas_mut(doc) else {
        return Vec::new();
    };
    let before = schemas.len();
    schemas.retain(|name, _| reached.contains(name));
    vec![format!(
        "kept {} of {before} component schemas",
        schemas.len()
    )]
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fixture() -> Value {
        json!({
            "openapi": "3.0.1",
            "paths": {
                "/a": {"get": {"operationId": "keepMe", "responses": {"200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/a"}}}}}}},
                "/b": {"get": {"operationId": "dropMe", "responses": {"200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/b"}}}}}}}
            },
            "components": {"schemas": {
                "a": {"type": "object", "properties": {"inner": {"$ref": "#/components/schemas/a_inner"}}},
                "a_inner": {"type": "string"},
                "b": {"type": "string"},
                "error": {"type": "object"}
            }}
        })
    }

    #[test]
    fn keeps_allowlisted_operations_and_what_they_reach() {
        let mut doc = fixture();
        select_operations(&mut doc, &["keepMe"]).unwrap();
        drop_unreached_schemas(&mut doc, EXTRA_ROOTS);
        assert!(doc.pointer("/paths/~1b").is_none());
        let names: Vec<&String> = doc::schemas(&doc).unwrap().keys().collect();
        assert_eq!(names, ["a", "a_inner", "error"]);
    }

    #[test]
    fn a_missing_allowlisted_operation_is_named() {
        let mut doc = fixture();
        let err = select_operations(&mut doc, &["keepMe", "identifyAdmin"]).unwrap_err();
        assert!(err.to_string().contains("identifyAdmin"), "{err}");
    }
}
