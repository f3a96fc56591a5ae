//! `cargo xtask bench`: every performance figure of docs/performance.md in one run — a clean
//! static release build (its time and the binary's size), the whole-process benches against
//! that very binary, the in-process criterion bench, and lean output bytes per read tool.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::time::Instant;

use anyhow::{Context, bail};

/// Where the clean build goes, apart from `target/release` so that it really starts clean.
const CLEAN_TARGET: &str = "target/bench-clean";

pub fn run(reuse_build: bool, keep_awake: bool) -> anyhow::Result<ExitCode> {
    let root = workspace_root()?;
    let _spinners = if keep_awake {
        Spinners::start()?
    } else {
        Spinners::default()
    };
    let target = root.join(CLEAN_TARGET);
    if !reuse_build && target.exists() {
        std::fs::remove_dir_all(&target)
            .with_context(|| format!("cannot remove {}", target.display()))?;
    }
    let started = Instant::now();
    // The binary that ships: the Dockerfile's static build, as `cargo xtask image` makes it.
    let binary = crate::image::static_build(&root, &target)?;
    let build_seconds = started.elapsed().as_secs_f64();
    let size = std::fs::metadata(&binary)
        .with_context(|| format!("no binary at {}", binary.display()))?
        .len();

    let shipped = [("BENCH_BINARY", binary.as_path())];
    for bench in ["stdio", "http_load"] {
        cargo(&root, &["bench", "--locked", "--bench", bench], &shipped)?;
    }
    cargo(&root, &["bench", "--locked", "--bench", "inprocess"], &[])?;
    cargo(
        &root,
        &[
            "test",
            "--locked",
            "--test",
            "output",
            "--",
            "--nocapture",
            "sizes",
        ],
        &[],
    )?;

    let kind = if reuse_build {
        "release build (reused, not clean)"
    } else {
        "clean release build"
    };
    println!("| {kind} | {build_seconds:.0} s |");
    println!(
        "| release binary, static (the Dockerfile's build) | {:.1} MB ({size} bytes) |",
        size as f64 / 1_000_000.0
    );
    Ok(ExitCode::SUCCESS)
}

fn cargo(root: &Path, args: &[&str], env: &[(&str, &Path)]) -> anyhow::Result<()> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command.current_dir(root).args(args);
    for (name, value) in env {
        command.env(name, value);
    }
    let status = command
        .status()
        .with_context(|| format!("cannot run cargo {}", args.join(" ")))?;
    if !status.success() {
        bail!("cargo {} failed: {status}", args.join(" "));
    }
    Ok(())
}

/// The workspace root: xtask's manifest sits one level below it.
fn workspace_root() -> anyhow::Result<PathBuf> {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .context("xtask's manifest has no parent directory")
}

/// One busy loop per core at idle priority (`chrt --idle`): it runs only when nothing else
/// wants the core, so it takes no time from the bench, but keeps virtual cores from halting
/// between calls. On a VM, waking a halted core adds tens of microseconds to every hand-off
/// between processes, which would swamp what the server itself adds.
#[derive(Default)]
struct Spinners(Vec<Child>);

impl Spinners {
    fn start() -> anyhow::Result<Self> {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        let mut spinners = Self::default();
        for _ in 0..cores {
            let child = Command::new("chrt")
                .args(["--idle", "0", "sh", "-c", "while :; do :; done"])
                .stdin(Stdio::null())
                .spawn()
                .context("cannot start an idle-priority spinner with chrt (util-linux)")?;
            spinners.0.push(child);
        }
        Ok(spinners)
    }
}

impl Drop for Spinners {
    fn drop(&mut self) {
        for child in &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
