//! `cargo xtask regen`: published document → pruned, normalized, prose-free
//! `openapi/intercom-2.11.json`, with a report of what changed and why.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use serde_json::{Map, Value};

use crate::{drift, normalize, prune, source, validate};

include!(concat!(env!("CARGO_MANIFEST_DIR"), "/../src/operations.rs"));

fn output_path() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../openapi/intercom-2.11.json"
    ))
}

pub fn run(from: &str, check: bool) -> Result<ExitCode> {
    let upstream = source::load(from)?;
    let (derived, steps) = derive(upstream)?;
    let text = to_text(&derived)?;
    let path = output_path();
    let committed = std::fs::read_to_string(&path).ok();
    let drift = match committed.as_deref() {
        Some(old) => drift::report(
            &source::parse(old).context("the committed document")?,
            &derived,
        ),
        None => vec!["no committed document: everything is new".to_owned()],
    };
    if check {
        if committed.as_deref() == Some(text.as_str()) {
            eprintln!("regen --check: openapi/intercom-2.11.json is up to date");
            return Ok(ExitCode::SUCCESS);
        }
        eprintln!(
            "regen --check: openapi/intercom-2.11.json is not what regen derives from {from}"
        );
        print_section("drift", &drift, "formatting or ordering only");
        eprintln!("run `cargo xtask regen --from {from}` and review the diff");
        return Ok(ExitCode::FAILURE);
    }
    print_section("normalizations", &steps, "none");
    print_section("drift against the committed document", &drift, "none");
    std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
    eprintln!("wrote openapi/intercom-2.11.json");
    Ok(ExitCode::SUCCESS)
}

/// The whole derivation, without touching the disk: prune, normalize, prune again, validate.
pub fn derive(mut doc: Value) -> Result<(Value, Vec<String>)> {
    let mut report = prune::select_operations(&mut doc, OPERATIONS)?;
    report.extend(prune::drop_unreached_schemas(&mut doc, prune::EXTRA_ROOTS));
    for (name, step) in normalize::STEPS {
        let changes = step(&mut doc).with_context(|| format!("normalization {name}"))?;
        report.extend(
            changes
                .into_iter()
                .map(|change| format!("{name}: {change}")),
        );
    }
    report.extend(prune::drop_unreached_schemas(&mut doc, prune::EXTRA_ROOTS));
    validate::check(&doc)?;
    Ok((doc, report))
}

/// Sorted keys and two-space indentation, whatever order the parser kept.
pub fn to_text(doc: &Value) -> Result<String> {
    Ok(serde_json::to_string_pretty(&sorted(doc))? + "\n")
}

fn sorted(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let mut out = Map::new();
            for key in keys {
                if let Some(child) = map.get(key) {
                    out.insert(key.clone(), sorted(child));
                }
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

fn print_section(title: &str, lines: &[String], when_empty: &str) {
    eprintln!("{title}:");
    if lines.is_empty() {
        eprintln!("  {when_empty}");
    }
    for line in lines {
        eprintln!("  {line}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Intercom's document as laid beside the project (`../shared`). A clone on its own has
    /// no such folder: the tests that need it then say so and pass, unless
    /// INTERCOM_MCP_REQUIRE_UPSTREAM is set (as `.ci/run` does), where its absence fails.
    fn upstream() -> Option<Value> {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../shared/intercom-openapi/api.intercom.io.2.11.yaml"
        );
        match std::fs::read_to_string(path) {
            Ok(text) => Some(source::parse(&text).unwrap()),
            Err(_) if std::env::var_os("INTERCOM_MCP_REQUIRE_UPSTREAM").is_none() => {
                eprintln!("skipped: no upstream document at {path}");
                None
            }
            Err(err) => panic!("the upstream document is required at {path}: {err}"),
        }
    }

    #[test]
    fn deriving_twice_gives_identical_bytes_and_the_committed_file() {
        let Some(doc) = upstream() else { return };
        let first = to_text(&derive(doc.clone()).unwrap().0).unwrap();
        let second = to_text(&derive(doc).unwrap().0).unwrap();
        assert_eq!(first, second);
        assert_eq!(std::fs::read_to_string(output_path()).unwrap(), first);
    }

    #[test]
    fn the_derived_document_keeps_exactly_the_allowlist() {
        let Some(doc) = upstream() else { return };
        let (derived, _) = derive(doc).unwrap();
        let mut ids: Vec<&str> = crate::doc::operations(&derived)
            .iter()
            .map(|op| op.id)
            .collect();
        ids.sort_unstable();
        let mut expected = OPERATIONS.to_vec();
        expected.sort_unstable();
        assert_eq!(ids, expected);
    }

    #[test]
    fn a_document_without_an_allowlisted_operation_fails_naming_it() {
        let Some(mut doc) = upstream() else { return };
        doc["paths"].as_object_mut().unwrap().remove("/me");
        let err = format!("{:#}", derive(doc).unwrap_err());
        assert!(err.contains("identifyAdmin"), "{err}");
    }

    #[test]
    fn output_is_sorted_whatever_the_input_order() {
        let doc: Value = serde_json::from_str(r#"{"b": 1, "a": {"d": 2, "c": 3}}"#).unwrap();
        assert_eq!(
            to_text(&doc).unwrap(),
            "{\n  \"a\": {\n    \"c\": 3,\n    \"d\": 2\n  },\n  \"b\": 1\n}\n"
        );
    }
}
