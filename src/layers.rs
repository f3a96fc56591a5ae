//! The layer map of docs/architecture.md, checked: each top-level module of src/ sits on one
//! floor, and its code (comments and unit tests aside) names only modules on lower floors. So
//! no two modules use each other, and a new module must be given a floor. Also the house
//! style's small rooms: no source file over 400 lines. Test-only.

#![allow(clippy::unwrap_used, clippy::panic)]

use std::collections::BTreeSet;
use std::path::Path;

/// Top to bottom. A module may use the modules of the floors below its own, never its own
/// floor's or those above.
const FLOORS: &[&[&str]] = &[
    &["http"],
    &["transport", "auth"],
    &["server", "doctor"],
    &[
        "completion",
        "prompts",
        "resources",
        "credentials",
        "logging",
    ],
    &["tools"],
    &["workspace", "confirm"],
    &["response"],
    &["error"],
    &["intercom"],
    &["redact", "sandbox"],
    &["policy", "output"],
    &[
        "untrusted",
        "time",
        "declared",
        "state",
        "metrics",
        "traces",
        "audit",
    ],
    // The allowlist is a constant that names nothing; below metrics, which labels by it.
    &["config", "operations"],
];

fn floor(module: &str) -> Option<usize> {
    FLOORS.iter().position(|floor| floor.contains(&module))
}

/// The top-level modules a source file names through `crate::` paths, outside comments and
/// its unit tests (which by this crate's convention close the file after `#[cfg(test)]`).
fn imports(source: &str) -> BTreeSet<String> {
    let code = source.split("#[cfg(test)]").next().unwrap_or_default();
    let mut found = BTreeSet::new();
    for line in code.lines() {
        let line = line.split("//").next().unwrap_or_default();
        for (at, _) in line.match_indices("crate::") {
            let rest = line.get(at + "crate::".len()..).unwrap_or_default();
            if let Some(group) = rest.strip_prefix('{') {
                // `use crate::{a, b::c};` names a and b.
                let group = group.split('}').next().unwrap_or_default();
                found.extend(
                    group
                        .split(',')
                        .filter_map(|path| first_segment(path.trim())),
                );
            } else {
                found.extend(first_segment(rest));
            }
        }
    }
    found
}

fn first_segment(path: &str) -> Option<String> {
    let name: String = path
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    (!name.is_empty()).then_some(name)
}

/// What breaks the map in `files` (each a top-level module and one of its sources): a module
/// with no floor, or a name of a module on its own floor or above.
fn violations(files: &[(String, String)]) -> Vec<String> {
    let mut found = Vec::new();
    for (module, source) in files {
        let Some(own) = floor(module) else {
            found.push(format!("`{module}` has no floor in the layer map"));
            continue;
        };
        for used in imports(source) {
            if used == *module {
                continue;
            }
            match floor(&used) {
                Some(theirs) if theirs > own => {}
                Some(_) => found.push(format!("`{module}` uses `{used}`, which is not below it")),
                None => found.push(format!("`{module}` uses `{used}`, which has no floor")),
            }
        }
    }
    found
}

/// Every source file under `dir`, as (top-level module, text).
fn sources(dir: &Path, top: Option<&str>, out: &mut Vec<(String, String)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let module = top.map_or(name.clone(), str::to_owned);
        // The crate's roots, the binary's own modules (`main/`) and this test are no floor.
        if top.is_none() && ["lib", "main", "layers"].contains(&name.as_str()) {
            continue;
        }
        if path.is_dir() {
            sources(&path, Some(&module), out);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            out.push((module, std::fs::read_to_string(&path).unwrap()));
        }
    }
}

#[test]
fn every_module_uses_only_the_floors_below_its_own() {
    let mut files = Vec::new();
    sources(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        None,
        &mut files,
    );
    assert!(files.len() > 50, "read {} files", files.len());
    let broken = violations(&files);
    assert!(broken.is_empty(), "{}", broken.join("\n"));
}

#[test]
fn an_upward_or_sideways_import_fails_and_a_downward_one_passes() {
    let file = |module: &str, source: &str| vec![(module.to_owned(), source.to_owned())];
    assert!(violations(&file("config", "use crate::tools::Facts;\n")).len() == 1);
    assert!(violations(&file("policy", "let x = crate::output::iso(1);\n")).len() == 1);
    assert!(violations(&file("workspace", "use crate::{error, confirm};\n")).len() == 1);
    assert!(violations(&file("nowhere", "")).len() == 1);
    assert!(
        violations(&file(
            "tools",
            "use crate::{config::Exposure, workspace};\n"
        ))
        .is_empty()
    );
    // Comments and unit tests may name anything.
    assert!(violations(&file("config", "/// see `crate::server`\n")).is_empty());
    assert!(violations(&file("config", "#[cfg(test)]\nuse crate::server;\n")).is_empty());
}

/// The house style's small rooms ("No source file over 400 lines"): a file past the limit is
/// split by what its parts own.
const MAX_LINES: usize = 400;

/// Every `.rs` file under `dir` (build output aside), with its line count.
fn line_counts(dir: &Path, out: &mut Vec<(String, usize)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            if path.file_name().is_some_and(|name| name != "target") {
                line_counts(&path, out);
            }
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            let lines = std::fs::read_to_string(&path).unwrap().lines().count();
            out.push((path.display().to_string(), lines));
        }
    }
}

#[test]
fn no_source_file_is_over_the_house_styles_limit() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["src", "tests", "benches", "xtask"] {
        line_counts(&root.join(dir), &mut files);
    }
    assert!(files.len() > 100, "read {} files", files.len());
    let long: Vec<String> = files
        .iter()
        .filter(|(_, lines)| *lines > MAX_LINES)
        .map(|(path, lines)| format!("{path}: {lines} lines"))
        .collect();
    assert!(
        long.is_empty(),
        "over {MAX_LINES} lines:\n{}",
        long.join("\n")
    );
}
