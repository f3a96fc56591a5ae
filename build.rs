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
    std::fs::write(&out, code).map_err(|err| format!("cannot write {}: {err}", out.display()))
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
