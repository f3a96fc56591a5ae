//! Developer tasks behind the `cargo xtask` alias: regenerating the vendored Intercom document
//! and the shapes of its answers from Intercom's published one, running every benchmark, and
//! packaging: the Claude Desktop bundle, the MCP registry's server.json, and the container
//! image, built with podman.

mod bench;
mod bundle;
#[path = "../../codegen/generate.rs"]
mod codegen;
mod doc;
mod drift;
mod image;
mod normalize;
mod prose;
mod prune;
mod regen;
mod response_fixes;
mod responses;
#[cfg(test)]
#[path = "../../tests/common/shapes/check.rs"]
mod shape_check;
mod source;
mod validate;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Where `regen` reads Intercom's published v2.11 document by default.
const UPSTREAM_URL: &str = "https://raw.githubusercontent.com/intercom/Intercom-OpenAPI/main/descriptions/2.11/api.intercom.io.yaml";

#[derive(Parser)]
#[command(name = "xtask", about = "intercom-mcp developer tasks")]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Derive openapi/intercom-2.11.json from Intercom's published document.
    Regen {
        /// A path or an http(s) URL of Intercom's document, YAML or JSON.
        #[arg(long, default_value = UPSTREAM_URL)]
        from: String,
        /// Write nothing; exit non-zero when the committed file differs from what regen derives.
        #[arg(long)]
        check: bool,
    },
    /// Run every benchmark (by hand, never in CI): a clean release build, then the stdio,
    /// HTTP load and in-process benches, and lean output sizes (docs/performance.md).
    Bench {
        /// Reuse the last bench build instead of starting clean (its time is then not a clean
        /// build's).
        #[arg(long)]
        reuse_build: bool,
        /// Keep every core awake with idle-priority busy loops while benchmarking, so that
        /// latencies show the work done rather than virtual cores waking up.
        #[arg(long)]
        keep_awake: bool,
    },
    /// Build the Claude Desktop bundle for this platform, target/dist/intercom-mcp-<version>-
    /// <os>-<arch>.mcpb, and print its path last.
    Bundle {
        /// Bundle this binary instead of making the release build (CI passes the one it built)
        #[arg(long, value_name = "PATH")]
        binary: Option<std::path::PathBuf>,
        /// Build for this Rust target triple instead of the host's
        #[arg(long, value_name = "TRIPLE")]
        target: Option<String>,
        /// List the tools with this binary (of the same source) when the bundled one cannot
        /// run here, as after a cross build
        #[arg(long, value_name = "PATH")]
        tools_from: Option<std::path::PathBuf>,
    },
    /// Write server.json (the MCP registry's entry) from Cargo.toml.
    ServerJson {
        /// Write nothing; exit non-zero when the committed server.json differs.
        #[arg(long)]
        check: bool,
        /// Fill each bundle's SHA-256 from the bundles in DIR (a release's).
        #[arg(long, value_name = "DIR")]
        bundles: Option<std::path::PathBuf>,
    },
    /// Build the Dockerfile's image with podman from the host's static release build (the
    /// Dockerfile's own build line); prints the image reference as the last line.
    Image {
        /// The image reference to tag; default localhost/intercom-mcp:<version>.
        #[arg(long)]
        tag: Option<String>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.task {
        Task::Regen { from, check } => regen::run(&from, check),
        Task::Bench {
            reuse_build,
            keep_awake,
        } => bench::run(reuse_build, keep_awake),
        Task::Bundle {
            binary,
            target,
            tools_from,
        } => bundle::run(binary, target, tools_from),
        Task::ServerJson { check, bundles } => bundle::server_json::run(check, bundles),
        Task::Image { tag } => image::run(tag),
    };
    match outcome {
        Ok(code) => code,
        Err(err) => {
            eprintln!("xtask: {err:#}");
            ExitCode::FAILURE
        }
    }
}
