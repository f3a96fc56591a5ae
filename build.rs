//! Generates the typed Intercom client from the vendored document, at every build.

#[path = "codegen/generate.rs"]
mod codegen;

use std::path::PathBuf;

const DOCUMENT: &str = "openapi/intercom-2.11.json";

fn main() {
    println!("cargo:rerun-if-changed={DOCUMENT}");
    println!("cargo:rerun-if-changed=codegen/generate.rs");
    pack_relocations();
    if let Err(message) = run() {
        // A build script reports failure by exiting non-zero; the message is what cargo shows.
        eprintln!("error: {message}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    let text = std::fs::read_to_string(DOCUMENT)
        .map_err(|err| format!("cannot read {DOCUMENT}: {err}"))?;
    let document: serde_json::Value =
        serde_json::from_str(&text).map_err(|err| format!("{DOCUMENT} is not JSON: {err}"))?;
    let code = codegen::generate(&document)?;
    let out_dir = std::env::var_os("OUT_DIR").ok_or("cargo did not set OUT_DIR")?;
    let out = PathBuf::from(out_dir).join("intercom_client.rs");
    std::fs::write(&out, code).map_err(|err| format!("cannot write {}: {err}", out.display()))?;
    let out = out.with_file_name("operation_paths.rs");
    std::fs::write(&out, path_templates(&document))
        .map_err(|err| format!("cannot write {}: {err}", out.display()))
}

/// Each operation's path template (`/contacts/{contact_id}`), by the operation id the generated
/// client reports (operationId in snake case): what a trace names an Intercom request by, since
/// its path holds customers' ids (src/traces/outgoing.rs).
fn path_templates(document: &serde_json::Value) -> String {
    let mut arms = String::new();
    let paths = document["paths"].as_object().into_iter().flatten();
    for (path, operations) in paths {
        for operation in operations
            .as_object()
            .into_iter()
            .flat_map(|map| map.values())
        {
            if let Some(id) = operation["operationId"].as_str().map(snake_case) {
                arms.push_str(&format!("        {id:?} => {path:?},\n"));
            }
        }
    }
    format!(
        "/// The path template of the operation `operation_id`.\n\
         pub fn path_template(operation_id: &str) -> &'static str {{\n    \
         match operation_id {{\n{arms}        _ => \"\",\n    }}\n}}\n"
    )
}

/// On Linux with glibc, stores the binary's relative relocations packed (DT_RELR, glibc 2.36+)
/// instead of one 24-byte entry each: the loader then reads a few KiB at start-up instead of
/// about 700 KiB, which is resident memory of every running server (docs/performance.md).
fn pack_relocations() {
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if os == "linux" && env == "gnu" {
        println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    }
}

/// `RetrieveACompanyById` → `retrieve_a_company_by_id`, as progenitor names operations.
fn snake_case(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    let mut out = String::new();
    for (at, &c) in chars.iter().enumerate() {
        let before = at.checked_sub(1).and_then(|at| chars.get(at));
        let after = chars.get(at + 1);
        let starts_word = c.is_uppercase()
            && (before.is_some_and(|b| b.is_lowercase() || b.is_ascii_digit())
                || (before.is_some_and(|b| b.is_uppercase())
                    && after.is_some_and(|a| a.is_lowercase())));
        if starts_word {
            out.push('_');
        }
        out.extend(c.to_lowercase());
    }
    out
}
