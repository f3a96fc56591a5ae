//! `cargo xtask image`: the Dockerfile built here with podman, its `build` stage replaced by a
//! directory holding the host's static build (the Dockerfile's own build command, read from it)
//! and the host's CA bundle, after checking that the binary really is static.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use anyhow::{Context, bail, ensure};
use object::elf;
use object::read::elf::{Dyn, FileHeader, ProgramHeader};

/// The one build recipe, whose static build command this task runs on the host.
const DOCKERFILE: &str = "Dockerfile";
/// Where Debian (and the Dockerfile's build stage, a Debian image) keeps its CA bundle; the
/// runtime stage copies it from this same path.
const CA_BUNDLE: &str = "etc/ssl/certs/ca-certificates.crt";
/// The roots Debian's ca-certificates package ships, from which it makes that bundle.
const MOZILLA_ROOTS: &str = "/usr/share/ca-certificates/mozilla";
/// Where the runtime stage copies the binary from, in the build stage or its replacement.
const STAGED_BINARY: &str = "intercom-mcp";
/// podman as this machine kind runs it: crun refuses the VM's hybrid cgroups, so runc; and
/// explicit limits, as podman's defaults come from the host's and fail in its sandbox.
const PODMAN_FLAGS: [&str; 6] = [
    "--runtime",
    "runc",
    "--ulimit",
    "nofile=1024:1024",
    "--ulimit",
    "nproc=1024:1024",
];

/// What cargo sets for the crate it runs (besides CARGO_PKG_*), per
/// https://doc.rust-lang.org/cargo/reference/environment-variables.html
const CARGO_RUN_SETS: [&str; 5] = [
    "CARGO_MANIFEST_DIR",
    "CARGO_MANIFEST_PATH",
    "CARGO_CRATE_NAME",
    "CARGO_BIN_NAME",
    "CARGO_PRIMARY_PACKAGE",
];

pub fn run(tag: Option<String>) -> anyhow::Result<ExitCode> {
    let root = workspace_root()?;
    let metadata = cargo_metadata(&root)?;
    let triple = host_triple()?;
    let binary = static_build(&root, &metadata.target_directory)?;

    // The stand-in for the build stage: the same two paths the runtime stage copies.
    let stage = metadata.target_directory.join("image-build-stage");
    let ca = stage.join(CA_BUNDLE);
    std::fs::create_dir_all(ca.parent().context("CA bundle path has no parent")?)?;
    std::fs::write(&ca, mozilla_roots()?)
        .with_context(|| format!("cannot write {}", ca.display()))?;
    std::fs::copy(&binary, stage.join(STAGED_BINARY))?;

    let reference = tag.unwrap_or_else(|| format!("localhost/intercom-mcp:{}", metadata.version));
    let mut podman = Command::new("podman");
    podman
        .arg("build")
        .args(PODMAN_FLAGS)
        .arg("--build-context")
        .arg(format!("build={}", stage.display()))
        .args(["--file", DOCKERFILE, "--tag", &reference])
        .current_dir(&root);
    // The replaced stage reads these; podman 4.3 does not set them itself, and says so.
    let arch = match triple.split('-').next() {
        Some("x86_64") => "amd64",
        Some("aarch64") => "arm64",
        other => bail!("no image platform for {}", other.unwrap_or(&triple)),
    };
    for name in ["TARGETARCH", "BUILDARCH"] {
        podman.arg("--build-arg").arg(format!("{name}={arch}"));
    }
    if let Some(name) = &metadata.server_name {
        podman
            .arg("--build-arg")
            .arg(format!("MCP_SERVER_NAME={name}"));
    }
    // What podman prints (its steps, the image id) goes to stderr: the last line of stdout is
    // the reference.
    let status = podman
        .arg(".")
        .stdout(std::io::stderr())
        .status()
        .context("cannot run podman (Debian: podman and runc)")?;
    ensure!(status.success(), "podman build failed: {status}");
    println!("{reference}");
    Ok(ExitCode::SUCCESS)
}

/// Runs the Dockerfile's static build line on the host, for the host's platform, into
/// `target_dir`, and returns the binary once it is checked to be static. `cargo xtask bench`
/// measures this same binary.
pub fn static_build(root: &Path, target_dir: &Path) -> anyhow::Result<PathBuf> {
    let dockerfile = std::fs::read_to_string(root.join(DOCKERFILE))
        .with_context(|| format!("cannot read {DOCKERFILE}"))?;
    let build = build_command(&dockerfile)?;
    let triple = host_triple()?;
    eprintln!("xtask: RUST_TARGET={triple} {build}");
    let mut sh = Command::new("sh");
    sh.args(["-c", build])
        .env("RUST_TARGET", &triple)
        .env("CARGO_TARGET_DIR", target_dir)
        .current_dir(root);
    // What `cargo run` set for xtask itself: ring's build script depends on CARGO_MANIFEST_DIR,
    // so leaving them would rebuild the release build that a shell running the same line made.
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy();
        if name.starts_with("CARGO_PKG_") || CARGO_RUN_SETS.contains(&name.as_ref()) {
            sh.env_remove(name.as_ref());
        }
    }
    let status = sh.status().context("cannot run sh")?;
    ensure!(status.success(), "the static build failed: {status}");

    let binary = target_dir.join(&triple).join("release").join(STAGED_BINARY);
    let bytes =
        std::fs::read(&binary).with_context(|| format!("no binary at {}", binary.display()))?;
    check_static(&bytes).with_context(|| format!("{} is not static", binary.display()))?;
    Ok(binary)
}

/// The CA bundle a fresh Debian image has: the Mozilla roots Debian's ca-certificates ships,
/// one PEM file each. Not the host's /etc/ssl/certs bundle, which also holds whatever CAs the
/// machine added for itself (this one trusts its egress proxy's).
fn mozilla_roots() -> anyhow::Result<Vec<u8>> {
    let mut files = std::fs::read_dir(MOZILLA_ROOTS)
        .with_context(|| format!("cannot list {MOZILLA_ROOTS} (Debian: ca-certificates)"))?
        .map(|entry| entry.map(|entry| entry.path()))
        .collect::<Result<Vec<_>, _>>()?;
    files.retain(|path| path.extension().is_some_and(|ext| ext == "crt"));
    files.sort();
    ensure!(!files.is_empty(), "{MOZILLA_ROOTS} holds no certificate");
    let mut bundle = Vec::new();
    for path in files {
        let pem =
            std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
        bundle.extend_from_slice(&pem);
        if !bundle.ends_with(b"\n") {
            bundle.push(b'\n');
        }
    }
    Ok(bundle)
}

/// The Dockerfile's static build: the one line running `cargo build`, without the `RUN` or `&&`
/// joining it to its neighbours. It names the platform's target as `$RUST_TARGET`.
fn build_command(dockerfile: &str) -> anyhow::Result<&str> {
    let mut lines = dockerfile
        .lines()
        .filter(|line| line.contains("cargo build"));
    let (Some(line), None) = (lines.next(), lines.next()) else {
        bail!("{DOCKERFILE} must run `cargo build` on exactly one line");
    };
    let line = line.trim();
    let line = line.strip_prefix("RUN ").unwrap_or(line);
    let line = line.strip_prefix("&& ").unwrap_or(line);
    let line = line.strip_suffix('\\').unwrap_or(line).trim();
    let line = line.strip_suffix("&&").unwrap_or(line).trim();
    ensure!(
        line.contains("--release") && line.contains(&format!("--bin {STAGED_BINARY}")),
        "{DOCKERFILE}'s build line must build --release --bin {STAGED_BINARY}: {line}"
    );
    ensure!(
        line.contains("--target \"$RUST_TARGET\""),
        "{DOCKERFILE}'s build line must take its target from $RUST_TARGET: {line}"
    );
    Ok(line)
}

/// Fails unless the ELF executable needs nothing at run time: no interpreter (PT_INTERP) and no
/// shared library (DT_NEEDED). A static-pie keeps a dynamic segment for relocating itself, so
/// the segment alone says nothing; what it asks for does.
fn check_static(data: &[u8]) -> anyhow::Result<()> {
    let header = elf::FileHeader64::<object::Endianness>::parse(data)
        .map_err(|err| anyhow::anyhow!("not a 64-bit ELF file: {err}"))?;
    let endian = header.endian().map_err(|err| anyhow::anyhow!("{err}"))?;
    let segments = header
        .program_headers(endian, data)
        .map_err(|err| anyhow::anyhow!("unreadable program headers: {err}"))?;
    for segment in segments {
        ensure!(
            segment.p_type(endian) != elf::PT_INTERP,
            "it names a program interpreter (PT_INTERP), so it needs a dynamic loader"
        );
        let entries = segment
            .dynamic(endian, data)
            .map_err(|err| anyhow::anyhow!("unreadable dynamic segment: {err}"))?;
        let needed = entries
            .unwrap_or_default()
            .iter()
            .filter(|entry| entry.tag(endian) == elf::DT_NEEDED)
            .count();
        ensure!(
            needed == 0,
            "it needs {needed} shared libraries (DT_NEEDED)"
        );
    }
    Ok(())
}

struct Metadata {
    target_directory: PathBuf,
    version: String,
    /// `io.github.<owner>/intercom-mcp`, when Cargo.toml's `repository` is on GitHub.
    server_name: Option<String>,
}

fn cargo_metadata(root: &Path) -> anyhow::Result<Metadata> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--no-deps", "--locked"])
        .current_dir(root)
        .output()
        .context("cannot run cargo metadata")?;
    ensure!(
        output.status.success(),
        "cargo metadata failed: {}",
        output.status
    );
    let json: serde_json::Value = serde_json::from_slice(&output.stdout)?;
    let target_directory = json["target_directory"]
        .as_str()
        .context("cargo metadata has no target_directory")?
        .into();
    let package = json["packages"]
        .as_array()
        .and_then(|packages| packages.iter().find(|p| p["name"] == STAGED_BINARY))
        .context("cargo metadata lists no intercom-mcp package")?;
    let version = package["version"].as_str().unwrap_or("dev").to_owned();
    let server_name = package["repository"].as_str().and_then(server_name);
    Ok(Metadata {
        target_directory,
        version,
        server_name,
    })
}

/// The MCP registry's name for a GitHub repository URL: `io.github.<owner>/intercom-mcp`.
fn server_name(repository: &str) -> Option<String> {
    let path = repository.strip_prefix("https://github.com/")?;
    let owner = path.split('/').next().filter(|owner| !owner.is_empty())?;
    Some(format!("io.github.{owner}/{STAGED_BINARY}"))
}

/// The host's Rust target, e.g. x86_64-unknown-linux-gnu: what the image's platform runs.
fn host_triple() -> anyhow::Result<String> {
    let output = Command::new("rustc")
        .arg("-vV")
        .output()
        .context("cannot run rustc -vV")?;
    let text = String::from_utf8(output.stdout)?;
    let triple = text
        .lines()
        .find_map(|line| line.strip_prefix("host: "))
        .context("rustc -vV names no host")?;
    ensure!(
        triple.ends_with("-linux-gnu"),
        "the image holds a Linux glibc binary; this host is {triple}"
    );
    Ok(triple.to_owned())
}

/// The workspace root: xtask's manifest sits one level below it.
fn workspace_root() -> anyhow::Result<PathBuf> {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .context("xtask's manifest has no parent directory")
}

#[cfg(test)]
#[path = "image_tests.rs"]
mod tests;
