//! Developer tasks behind the `cargo xtask` alias: regenerating the vendored Intercom document
//! and the shapes of its answers from Intercom's published one, running every benchmark, and
//! building the container image with podman.

mod bench;
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
