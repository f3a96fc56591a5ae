//! The package's facts from Cargo.toml (through `cargo metadata`): version, description,
//! licence and `repository`, the one place the GitHub owner is written; everything published
//! (the bundle's links, server.json's name, the image's name) derives from it.

use std::path::PathBuf;
use std::process::Command;

use anyhow::{Context, bail};
use serde_json::Value;

pub struct Package {
    pub version: String,
    pub description: String,
    pub license: String,
    /// `https://github.com/OWNER/NAME`, without a trailing slash or `.git`.
    pub repository: String,
    /// The GitHub owner, as written in `repository`.
    pub owner: String,
    /// The workspace's root directory.
    pub root: PathBuf,
    pub target_dir: PathBuf,
}

impl Package {
    pub fn read() -> anyhow::Result<Self> {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
        let output = Command::new(cargo)
            .args(["metadata", "--no-deps", "--format-version", "1"])
            .output()
            .context("running cargo metadata")?;
        if !output.status.success() {
            bail!(
                "cargo metadata failed: {}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        let metadata: Value = serde_json::from_slice(&output.stdout)?;
        Self::from_metadata(&metadata)
    }

    fn from_metadata(metadata: &Value) -> anyhow::Result<Self> {
        let package = metadata["packages"]
            .as_array()
            .and_then(|packages| {
                packages
                    .iter()
                    .find(|package| package["name"] == "intercom-mcp")
            })
            .context("cargo metadata lists no intercom-mcp package")?;
        let text = |field: &str| -> anyhow::Result<String> {
            package[field]
                .as_str()
                .map(str::to_owned)
                .with_context(|| format!("Cargo.toml has no `{field}`"))
        };
        let repository = text("repository")?
            .trim_end_matches('/')
            .trim_end_matches(".git")
            .to_owned();
        let owner = owner(&repository)?;
        let path = |field: &str| -> anyhow::Result<PathBuf> {
            metadata[field]
                .as_str()
                .map(PathBuf::from)
                .with_context(|| format!("cargo metadata has no {field}"))
        };
        Ok(Self {
            version: text("version")?,
            description: text("description")?,
            license: text("license")?,
            owner,
            repository,
            root: path("workspace_root")?,
            target_dir: path("target_directory")?,
        })
    }
}

/// The owner in `https://github.com/OWNER/NAME`; the registry names a server after it
/// (`io.github.OWNER/…`), so any other host is refused.
fn owner(repository: &str) -> anyhow::Result<String> {
    let rest = repository
        .strip_prefix("https://github.com/")
        .with_context(|| {
            format!(
                "Cargo.toml's repository must be https://github.com/OWNER/NAME, got {repository:?}"
            )
        })?;
    match rest.split('/').collect::<Vec<_>>()[..] {
        [owner, name] if !owner.is_empty() && !name.is_empty() => Ok(owner.to_owned()),
        _ => bail!(
            "Cargo.toml's repository must be https://github.com/OWNER/NAME, got {repository:?}"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::owner;

    #[test]
    fn the_owner_comes_from_a_github_url_only() {
        assert_eq!(
            owner("https://github.com/acme/intercom-mcp").unwrap(),
            "acme"
        );
        assert!(owner("https://gitlab.com/acme/intercom-mcp").is_err());
        assert!(owner("https://github.com/acme").is_err());
        assert!(owner("https://github.com/acme/intercom-mcp/tree/main").is_err());
    }
}
