//! What the whole-process benchmarks share: the binary to run, an instant mock Intercom, and
//! reading a process's memory and CPU time from /proc.
#![allow(dead_code)]

use axum::Router;
use axum::response::IntoResponse;

pub type Failure = Box<dyn std::error::Error + Send + Sync>;

/// The server binary: `BENCH_BINARY` when set (`cargo xtask bench` points it at the build
/// `cargo build --release` makes, the one that ships), else the one cargo built for the bench,
/// which carries the dev-dependencies' features too and so is a little larger.
pub fn binary() -> String {
    std::env::var("BENCH_BINARY").unwrap_or_else(|_| env!("CARGO_BIN_EXE_intercom-mcp").to_owned())
}

/// A mock Intercom that answers every request at once with a small contact.
pub async fn instant_mock() -> Result<String, Failure> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    let app = Router::new().fallback(|| async {
        (
            [("content-type", "application/json")],
            r#"{"type":"contact","id":"c1","email":"ada@example.com"}"#,
        )
            .into_response()
    });
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(format!("http://{address}"))
}

/// A field of /proc/PID/status in KiB (`VmRSS:` now, `VmHWM:` the peak); 0 when unknown.
pub fn status_kib(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|status| {
            let line = status
                .lines()
                .find(|line| line.starts_with(field))?
                .to_owned();
            line.split_whitespace().nth(1)?.parse().ok()
        })
        .unwrap_or(0)
}

/// CPU time a process has used, user and system, from /proc/PID/stat; zero when unknown.
/// Unlike a wall-clock latency, it does not move when other processes take the cores.
pub fn cpu_time(pid: u32) -> std::time::Duration {
    // Linux reports these in clock ticks of 1/100 s to user space.
    const TICKS_PER_SECOND: u64 = 100;
    let ticks = std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|stat| {
            // The command name is in parentheses and may hold spaces: count fields after it.
            // There, utime and stime (fields 14 and 15 of the line) are the 12th and 13th.
            let mut fields = stat.rsplit_once(')')?.1.split_whitespace().skip(11);
            let user: u64 = fields.next()?.parse().ok()?;
            let system: u64 = fields.next()?.parse().ok()?;
            Some(user + system)
        })
        .unwrap_or(0);
    std::time::Duration::from_millis(ticks * 1000 / TICKS_PER_SECOND)
}
