//! `cargo xtask regen`: published document → pruned, normalized, prose-free
//! `openapi/intercom-2.11.json`, with a report of what changed and why.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use serde_json::{Map, Value};

use crate::normalize::Step;
use crate::{drift, normalize, prune, responses, source, validate};

include!(concat!(env!("CARGO_MANIFEST_DIR"), "/../src/operations.rs"));

/// The two files regen writes: the document the client is generated from, and the shapes of
/// Intercom's answers (responses.rs says why they are apart).
const DOCUMENT: &str = "openapi/intercom-2.11.json";
const RESPONSES: &str = "openapi/intercom-2.11-responses.json";

fn output_path(file: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/..")).join(file)
}

/// What regen derives from Intercom's document.
#[derive(Debug)]
pub struct Derived {
    pub document: Value,
    pub responses: Value,
    /// What pruning, each normalization and each response correction did.
    pub report: Vec<String>,
}

pub fn run(from: &str, check: bool) -> Result<ExitCode> {
    let upstream = source::load(from)?;
    let derived = derive(upstream)?;
    let texts = [
        (DOCUMENT, to_text(&derived.document)?),
        (RESPONSES, to_text(&derived.responses)?),
    ];
    let committed: Vec<Option<String>> = texts
        .iter()
        .map(|(file, _)| std::fs::read_to_string(output_path(file)).ok())
        .collect();
    let mut drift = Vec::new();
    for ((file, _), (old, new)) in texts.iter().zip(
        committed
            .iter()
            .zip([&derived.document, &derived.responses]),
    ) {
        let Some(old) = old else {
            drift.push(format!("no committed {file}: everything is new"));
            continue;
        };
        let old: Value =
            serde_json::from_str(old).with_context(|| format!("the committed {file}"))?;
        drift.extend(if *file == DOCUMENT {
            drift::report(&old, new)
        } else {
            drift::responses_report(&old, new)
        });
    }
    let stale: Vec<&str> = texts
        .iter()
        .zip(&committed)
        .filter(|((_, text), old)| old.as_deref() != Some(text.as_str()))
        .map(|((file, _), _)| *file)
        .collect();
    if check {
        if stale.is_empty() {
            eprintln!("regen --check: {DOCUMENT} and {RESPONSES} are up to date");
            return Ok(ExitCode::SUCCESS);
        }
        eprintln!(
            "regen --check: {} not what regen derives from {from}",
            stale.join(" and ")
        );
        print_section("drift", &drift, "formatting or ordering only");
        eprintln!("run `cargo xtask regen --from {from}` and review the diff");
        return Ok(ExitCode::FAILURE);
    }
    print_section("normalizations and corrections", &derived.report, "none");
    print_section("drift against the committed files", &drift, "none");
    for (file, text) in &texts {
        let path = output_path(file);
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
        eprintln!("wrote {file}");
    }
    Ok(ExitCode::SUCCESS)
}

/// The whole derivation, without touching the disk: prune; take the response shapes; then
/// normalize, prune again, validate.
pub fn derive(mut doc: Value) -> Result<Derived> {
    let mut report = prune::select_operations(&mut doc, OPERATIONS)?;
    let (responses, fixes) = responses::derive(&doc, OPERATIONS)?;
    report.extend(prune::drop_unreached_schemas(&mut doc, prune::EXTRA_ROOTS));
    report.extend(apply(normalize::STEPS, &mut doc)?);
    report.extend(prune::drop_unreached_schemas(&mut doc, prune::EXTRA_ROOTS));
    validate::check(&doc)?;
    report.extend(fixes);
    Ok(Derived {
        document: doc,
        responses,
        report,
    })
}

/// Runs `steps` in order on `doc`; what each changed, one line each, led by its name. A
/// step that fails stops the rest, named.
pub fn apply(steps: &[(&str, Step)], doc: &mut Value) -> Result<Vec<String>> {
    let mut report = Vec::new();
    for (name, step) in steps {
        let changes = step(doc).with_context(|| format!("step {name}"))?;
        report.extend(
            changes
                .into_iter()
                .map(|change| format!("{name}: {change}")),
        );
    }
    Ok(report)
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
pub(crate) mod tests {
    use super::*;

    /// Intercom's document as laid beside the project (`../shared`). A clone on its own has
    /// no such folder: the tests that need it then say so and pass, unless
    /// INTERCOM_MCP_REQUIRE_UPSTREAM is set (as `.ci/run` does), where its absence fails.
    pub(crate) fn upstream() -> Option<Value> {
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
        let (first, second) = (derive(doc.clone()).unwrap(), derive(doc).unwrap());
        for (file, first, second) in [
            (DOCUMENT, &first.document, &second.document),
            (RESPONSES, &first.responses, &second.responses),
        ] {
            let first = to_text(first).unwrap();
            assert_eq!(first, to_text(second).unwrap());
            assert_eq!(
                std::fs::read_to_string(output_path(file)).unwrap(),
                first,
                "{file}"
            );
        }
    }

    #[test]
    fn the_derived_document_keeps_exactly_the_allowlist() {
        let Some(doc) = upstream() else { return };
        let derived = derive(doc).unwrap();
        let mut answered: Vec<&String> = derived.responses["operations"]
            .as_object()
            .unwrap()
            .keys()
            .collect();
        answered.sort_unstable();
        let mut ids: Vec<&str> = crate::doc::operations(&derived.document)
            .iter()
            .map(|op| op.id)
            .collect();
        ids.sort_unstable();
        let mut expected = OPERATIONS.to_vec();
        expected.sort_unstable();
        assert_eq!(ids, expected);
        assert_eq!(answered, expected);
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
