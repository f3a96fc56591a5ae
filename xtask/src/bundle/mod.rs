//! `cargo xtask bundle`: the Claude Desktop bundle (MCPB) for one platform, a zip of
//! `manifest.json`, the release binary under `server/` and our icon, written to
//! `<target>/dist/intercom-mcp-<version>-<os>-<arch>.mcpb`; and `cargo xtask server-json`, the
//! MCP registry's entry ([`server_json`]).
//!
//! The format is the MCPB manifest specification, version 0.3, the one its repository calls
//! current (https://github.com/modelcontextprotocol/mcpb/blob/main/MANIFEST.md: "Current
//! version: `0.3`"; 0.4 only adds the experimental `uv` server type). The manifest's fields
//! follow that page and the CLI's schema
//! (https://github.com/modelcontextprotocol/mcpb/blob/main/src/schemas/0.3.ts): `server.type:
//! "binary"` runs a native executable, `mcp_config` names it through `${__dirname}` (the
//! directory the bundle is unpacked to), and `${user_config.KEY}` fills environment variables
//! from the settings the app asks the user for. An optional setting without a default is left
//! as the literal `${user_config.KEY}` by the reference substitution (`replaceVariables` in
//! https://github.com/modelcontextprotocol/mcpb/blob/main/src/shared/config.ts), so every
//! setting here has a default, the token's being empty.

mod manifest;
mod package;
pub mod server_json;
#[cfg(test)]
mod tests;
mod tools;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use anyhow::{Context, bail};
use zip::write::SimpleFileOptions;

pub use package::Package;

/// The binary's name, as Cargo.toml's `[[bin]]` (the package name) makes it.
const BINARY: &str = "intercom-mcp";
/// Our icon, drawn by `packaging/mcpb/icon.py`.
const ICON: &str = "packaging/mcpb/icon.png";

/// A platform a bundle is built for, named as Rust names it (`std::env::consts`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Platform {
    pub os: &'static str,
    pub arch: &'static str,
}

impl Platform {
    /// The platforms the release workflow builds bundles for.
    pub const RELEASED: [Platform; 5] = [
        Platform::new("linux", "x86_64"),
        Platform::new("linux", "aarch64"),
        Platform::new("macos", "x86_64"),
        Platform::new("macos", "aarch64"),
        Platform::new("windows", "x86_64"),
    ];

    const fn new(os: &'static str, arch: &'static str) -> Self {
        Self { os, arch }
    }

    fn host() -> Self {
        Self::new(std::env::consts::OS, std::env::consts::ARCH)
    }

    /// The platform of a Rust target triple, e.g. `aarch64-unknown-linux-gnu`.
    fn of_target(triple: &str) -> anyhow::Result<Self> {
        Self::RELEASED
            .into_iter()
            .find(|platform| {
                let os = match platform.os {
                    "macos" => "-apple-darwin",
                    "windows" => "-windows-",
                    _ => "-linux-",
                };
                triple.starts_with(&format!("{}-", platform.arch)) && triple.contains(os)
            })
            .with_context(|| format!("no bundle platform for the target {triple:?}"))
    }

    /// MCPB's name for the operating system (`compatibility.platforms`: Node's `process.platform`).
    fn mcpb(self) -> &'static str {
        match self.os {
            "macos" => "darwin",
            "windows" => "win32",
            other => other,
        }
    }

    fn executable(self) -> String {
        if self.os == "windows" {
            format!("{BINARY}.exe")
        } else {
            BINARY.to_owned()
        }
    }

    /// The bundle's file name, which the release publishes under the same name.
    pub fn file_name(self, version: &str) -> String {
        format!("{BINARY}-{version}-{}-{}.mcpb", self.os, self.arch)
    }
}

/// `tools_from`: a binary of the same source that runs here, when the bundled one cannot (a
/// cross build); by default the bundled binary lists its own tools.
pub fn run(
    binary: Option<PathBuf>,
    target: Option<String>,
    tools_from: Option<PathBuf>,
) -> anyhow::Result<ExitCode> {
    let package = Package::read()?;
    let platform = match &target {
        Some(triple) => Platform::of_target(triple)?,
        None => Platform::host(),
    };
    let binary = match binary {
        Some(path) => path,
        None => build_release(&package, target.as_deref(), platform)?,
    };
    if !binary.is_file() {
        bail!("no binary at {}", binary.display());
    }
    // The lister runs in an empty directory (tools.rs), so a relative path must be made whole.
    let binary = std::fs::canonicalize(&binary)?;
    let tools_from = tools_from.map(std::fs::canonicalize).transpose()?;
    // The tools come from the binary itself, so a bundle cannot list a tool its server lacks.
    let lister = tools_from.as_deref().unwrap_or(&binary);
    let tools = tools::list(lister)
        .with_context(|| format!("listing the tools of {}", lister.display()))?;
    let manifest = manifest::manifest(&package, platform, &tools);
    let icon = std::fs::read(package.root.join(ICON)).context(ICON)?;
    let dist = package.target_dir.join("dist");
    std::fs::create_dir_all(&dist)?;
    let path = dist.join(platform.file_name(&package.version));
    write_zip(&path, &manifest, &binary, platform, &icon)
        .with_context(|| format!("writing {}", path.display()))?;
    println!("{}", path.display());
    Ok(ExitCode::SUCCESS)
}

/// The release build CI and the Dockerfile make; `--binary` skips it when CI already has one.
fn build_release(
    package: &Package,
    target: Option<&str>,
    platform: Platform,
) -> anyhow::Result<PathBuf> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let mut command = Command::new(cargo);
    command.args(["build", "--release", "--locked", "--bin", BINARY]);
    let mut release = package.target_dir.clone();
    if let Some(triple) = target {
        command.args(["--target", triple]);
        release.push(triple);
    }
    let status = command.current_dir(&package.root).status()?;
    if !status.success() {
        bail!("the release build failed ({status})");
    }
    Ok(release.join("release").join(platform.executable()))
}

fn write_zip(
    path: &Path,
    manifest: &serde_json::Value,
    binary: &Path,
    platform: Platform,
    icon: &[u8],
) -> anyhow::Result<()> {
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path)?);
    let file = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .unix_permissions(0o644);
    zip.start_file("manifest.json", file)?;
    zip.write_all(serde_json::to_string_pretty(manifest)?.as_bytes())?;
    zip.write_all(b"\n")?;
    // Executable once unpacked: the app runs it directly.
    zip.start_file(
        format!("server/{}", platform.executable()),
        file.unix_permissions(0o755),
    )?;
    zip.write_all(&std::fs::read(binary)?)?;
    zip.start_file("icon.png", file)?;
    zip.write_all(icon)?;
    zip.finish()?;
    Ok(())
}
