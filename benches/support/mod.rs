//! What the whole-process benchmarks share: an instant mock Intercom, and reading a process's
//! memory from /proc.
#![allow(dead_code)]

use axum::Router;
use axum::response::IntoResponse;

pub type Failure = Box<dyn std::error::Error + Send + Sync>;

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
