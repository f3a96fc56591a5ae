//! Load benchmark (run by hand, never in CI): the release server over Streamable HTTP, 64
//! concurrent clients (8 workspaces of 8) calling intercomGetContact for a fixed time against
//! an instant local mock Intercom. Prints throughput, p50/p99 latency, errors, the server's
//! CPU time per call and its peak RSS.
//!
//!     cargo bench --bench http_load            # BENCH_SECONDS=10 by default

mod support;

use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use support::Failure;
use tokio::process::Command;

const CLIENTS: usize = 64;
const WORKSPACES: usize = 8;

#[tokio::main]
async fn main() -> Result<(), Failure> {
    // reqwest is built without a default TLS provider (see intercom::http_client).
    let _already_installed = rustls::crypto::ring::default_provider().install_default();
    let seconds: u64 = std::env::var("BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    let intercom = support::instant_mock().await?;
    let port = free_port()?;
    let mut server = Command::new(support::binary())
        .args(["serve", "--http", &format!("127.0.0.1:{port}")])
        .env_clear()
        .env("INTERCOM_BASE_URL", &intercom)
        .env("LOG_LEVEL", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()?;
    let pid = server.id().ok_or("the server did not start")?;
    let http = reqwest::Client::new();
    let base = format!("http://127.0.0.1:{port}");
    wait_until_healthy(&http, &base).await?;
    let rss_at_start = support::status_kib(pid, "VmHWM:");

    let deadline = Instant::now() + Duration::from_secs(seconds);
    let errors = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for client in 0..CLIENTS {
        let (http, url, errors) = (http.clone(), format!("{base}/mcp"), Arc::clone(&errors));
        let token = format!("tok_bench_workspace_{}", client % WORKSPACES);
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut id = 0u64;
            while Instant::now() < deadline {
                id += 1;
                let body = format!(
                    r#"{{"jsonrpc":"2.0","id":{id},"method":"tools/call","params":{{"name":"intercomGetContact","arguments":{{"contact_id":"c{client}"}}}}}}"#
                );
                let started = Instant::now();
                let answer = http
                    .post(&url)
                    .bearer_auth(&token)
                    .header("content-type", "application/json")
                    .header("accept", "application/json, text/event-stream")
                    .body(body)
                    .send()
                    .await;
                let ok = match answer {
                    Ok(response) if response.status().is_success() => {
                        response.text().await.is_ok_and(|text| text.contains(r#""isError":false"#))
                    }
                    _ => false,
                };
                latencies.push(started.elapsed());
                if !ok {
                    errors.fetch_add(1, Ordering::Relaxed);
                }
            }
            latencies
        }));
    }
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await?);
    }
    let peak = support::status_kib(pid, "VmHWM:");
    // The server's own CPU time per call: unlike throughput, it does not depend on how much
    // of the two cores the clients and the mock in this process take.
    let server_cpu = support::cpu_time(pid);
    server.kill().await?;
    latencies.sort_unstable();
    let count = latencies.len();
    let percentile = |p: f64| {
        latencies
            .get(((count as f64 * p) as usize).min(count.saturating_sub(1)))
            .copied()
            .unwrap_or_default()
    };
    println!("| measure | value |");
    println!("|---|---:|");
    println!("| clients (workspaces) | {CLIENTS} ({WORKSPACES}) |");
    println!("| duration | {seconds} s |");
    println!("| calls | {count} |");
    println!(
        "| throughput | {:.0} calls/s |",
        count as f64 / seconds as f64
    );
    println!(
        "| latency p50 | {:.2} ms |",
        percentile(0.50).as_secs_f64() * 1000.0
    );
    println!(
        "| latency p99 | {:.2} ms |",
        percentile(0.99).as_secs_f64() * 1000.0
    );
    println!("| errors | {} |", errors.load(Ordering::Relaxed));
    println!(
        "| server CPU time per call (user + system) | {:.1} µs |",
        server_cpu.as_secs_f64() * 1e6 / count.max(1) as f64
    );
    println!(
        "| server RSS after start-up | {:.1} MiB |",
        rss_at_start as f64 / 1024.0
    );
    println!("| server peak RSS | {:.1} MiB |", peak as f64 / 1024.0);
    Ok(())
}

fn free_port() -> Result<u16, Failure> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

async fn wait_until_healthy(http: &reqwest::Client, base: &str) -> Result<(), Failure> {
    for _ in 0..200 {
        if http
            .get(format!("{base}/healthz"))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    Err("the server did not become healthy".into())
}
