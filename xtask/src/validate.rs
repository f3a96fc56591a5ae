//! The last gate before regen writes: every reference resolves, and progenitor generates.

use std::collections::BTreeSet;

use anyhow::{Result, bail};
use serde_json::Value;

use crate::{codegen, doc};

pub fn check(document: &Value) -> Result<()> {
    references_resolve(document)?;
    if let Err(reason) = codegen::generate(document) {
        bail!("progenitor cannot generate the derived document: {reason}");
    }
    Ok(())
}

/// Every `$ref` in `document` names a component schema it defines.
pub fn references_resolve(document: &Value) -> Result<()> {
    let mut referenced = BTreeSet::new();
    doc::collect_refs(document, &mut referenced);
    let defined: BTreeSet<String> = doc::schemas(document)
        .map(|schemas| schemas.keys().cloned().collect())
        .unwrap_or_default();
    let dangling: Vec<&String> = referenced.difference(&defined).collect();
    if !dangling.is_empty() {
        bail!(
            "the derived document references undefined schemas: {}; define them in \
             normalization 1 (xtask/src/normalize.rs) or correction R1 if they are free-form",
            dangling
                .iter()
                .map(|name| format!("`{name}`"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_dangling_reference_is_named() {
        let doc = json!({"openapi": "3.0.1", "info": {"title": "t", "version": "1"}, "paths": {},
            "components": {"schemas": {"a": {"$ref": "#/components/schemas/missing"}}}});
        let err = check(&doc).unwrap_err().to_string();
        assert!(err.contains("`missing`"), "{err}");
    }
}
