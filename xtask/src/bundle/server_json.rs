//! `cargo xtask server-json`: the MCP registry's entry, `server.json` at the root, derived from
//! Cargo.toml (name, version, repository) so the two cannot drift; `--check` compares instead
//! of writing (CI), `--bundles DIR` fills each bundle's SHA-256 from the files a release built.
//!
//! Schema: https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json
//! (vendored for CI at ../shared/registry/server.schema.2025-12-11.json). `fileSha256` must be
//! 64 lowercase hex digits; before a release there is no file to hash, so the committed entry
//! carries zeros, which the release replaces. No `remotes`: a remote URL is an operator's own
//! deployment, not the project's (the README says how to list one).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::{Package, Platform};

const SCHEMA: &str = "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json";
/// Stands for a digest until the release computes it.
const NO_DIGEST: &str = "0000000000000000000000000000000000000000000000000000000000000000";

pub fn run(check: bool, bundles: Option<PathBuf>) -> anyhow::Result<ExitCode> {
    let package = Package::read()?;
    let entry = server_json(&package, bundles.as_deref())?;
    let text = format!("{}\n", serde_json::to_string_pretty(&entry)?);
    let path = package.root.join("server.json");
    if check {
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        if committed != text {
            eprintln!(
                "server.json differs from what Cargo.toml gives; run `cargo xtask server-json`"
            );
            return Ok(ExitCode::FAILURE);
        }
        println!("server.json matches Cargo.toml");
    } else {
        std::fs::write(&path, text)?;
        println!("{}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// The registry's name for us: the namespace GitHub proves ownership of.
fn registry_name(package: &Package) -> String {
    format!("io.github.{}/intercom-mcp", package.owner)
}

pub(super) fn server_json(package: &Package, bundles: Option<&Path>) -> anyhow::Result<Value> {
    let version = &package.version;
    let stdio = json!({ "type": "stdio" });
    // ghcr.io names are lowercase whatever the owner's spelling.
    let image = format!(
        "ghcr.io/{}/intercom-mcp:{version}",
        package.owner.to_lowercase()
    );
    let mut packages = vec![json!({
        "registryType": "oci",
        "identifier": image,
        "transport": stdio,
        "environmentVariables": environment(),
    })];
    for platform in Platform::RELEASED {
        let file = platform.file_name(version);
        let digest = match bundles {
            None => NO_DIGEST.to_owned(),
            Some(dir) => sha256(&dir.join(&file))?,
        };
        packages.push(json!({
            "registryType": "mcpb",
            "identifier": format!("{}/releases/download/v{version}/{file}", package.repository),
            "fileSha256": digest,
            "transport": stdio,
        }));
    }
    Ok(json!({
        "$schema": SCHEMA,
        "name": registry_name(package),
        "title": "Intercom",
        "description": package.description,
        "version": version,
        "repository": { "url": package.repository, "source": "github" },
        "websiteUrl": package.repository,
        "packages": packages,
    }))
}

/// What the image reads from its environment; a bundle asks through its own settings.
fn environment() -> Value {
    json!([
        {
            "name": "accessToken",
            "description": "Intercom access token (Developer Hub, your app, Authentication)",
            "isSecret": true,
            "isRequired": false,
        },
        {
            "name": "intercomRegion",
            "description": "Where the workspace is hosted",
            "choices": ["us", "eu", "au"],
            "default": "us",
        },
        {
            "name": "INTERCOM_READ_ONLY",
            "description": "true: offer only the tools that read",
            "format": "boolean",
            "default": "false",
        },
        {
            "name": "INTERCOM_DRY_RUN",
            "description": "true: write tools show the request and send nothing",
            "format": "boolean",
            "default": "false",
        },
        {
            "name": "INTERCOM_SANDBOX",
            "description": "true: a built-in sample workspace instead of Intercom",
            "format": "boolean",
            "default": "false",
        },
    ])
}

fn sha256(path: &Path) -> anyhow::Result<String> {
    if !path.is_file() {
        bail!("no bundle at {} to hash", path.display());
    }
    let bytes = std::fs::read(path).with_context(|| path.display().to_string())?;
    let digest = Sha256::digest(&bytes);
    Ok(digest.iter().map(|byte| format!("{byte:02x}")).collect())
}
