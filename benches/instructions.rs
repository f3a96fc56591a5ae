//! Instructions per call, counted by valgrind's callgrind (user space, the whole server
//! process): unlike a time, the count does not move with what else the machine is doing. For
//! each tool the release binary serves N and then 10·N sequential calls over stdio against a
//! local mock answering with the examples of Intercom's document; the difference divided by
//! 9·N is what one call costs, start-up and shutdown cancelling out.
//!
//! The same for one call over Streamable HTTP (stateless: one POST a call, the workspace's
//! token as the bearer), for intercomListTags and intercomGetContact.
//!
//! `cargo build --release && cargo bench --bench instructions` (BENCH_BINARY picks another
//! binary, e.g. the `profiling` profile's, which keeps symbols for callgrind_annotate;
//! BENCH_CALLS sets N, default 20; BENCH_KEEP=DIR keeps the reports). The server runs with
//! `--metrics 127.0.0.1:0`, as a team runs it (every call recorded); BENCH_METRICS=0 leaves
//! the flag out. BENCH_OTLP=1 exports traces to a sink on loopback, for the cost of spans.
//! Needs valgrind and ../shared/intercom-openapi.

mod support;

use std::process::Stdio;

use axum::Router;
use axum::response::IntoResponse;
use serde_json::{Value, json};
use support::Failure;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// `--metrics` on a port of the system's choosing, unless BENCH_METRICS=0: nobody scrapes it,
/// so what is measured is what recording costs a call.
fn metrics_flag() -> Vec<&'static str> {
    match std::env::var("BENCH_METRICS").as_deref() {
        Ok("0") => Vec::new(),
        _ => vec!["--metrics", "127.0.0.1:0"],
    }
}

/// The tools measured, their arguments, and the operation whose example the mock answers.
const CASES: [(&str, &str, &str); 4] = [
    ("intercomListTags", "{}", "listTags"),
    (
        "intercomGetContact",
        r#"{"contact_id":"c1"}"#,
        "ShowContact",
    ),
    (
        "intercomSearchConversations",
        r#"{"query":{"field":"state","operator":"=","value":"open"}}"#,
        "searchConversations",
    ),
    (
        "intercomGetConversation",
        r#"{"conversation_id":"1"}"#,
        "retrieveConversation",
    ),
];

/// The first 200 example of `operation` in Intercom's document.
fn example(document: &Value, operation: &str) -> Option<Value> {
    let operation = document["paths"]
        .as_object()?
        .values()
        .filter_map(Value::as_object)
        .flat_map(|item| item.values())
        .find(|op| op.get("operationId").and_then(Value::as_str) == Some(operation))?;
    let examples = operation.pointer("/responses/200/content/application~1json/examples")?;
    examples.as_object()?.values().next()?.get("value").cloned()
}

/// A mock Intercom answering every request with `body` at once.
async fn mock(body: String) -> Result<String, Failure> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    let app = Router::new().fallback(move || {
        let body = body.clone();
        async move { ([("content-type", "application/json")], body).into_response() }
    });
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(format!("http://{address}"))
}

/// Instructions the server ran to serve `calls` calls of `tool`, start to exit.
async fn instructions(
    binary: &str,
    base_url: &str,
    tool: &str,
    args: &str,
    calls: usize,
) -> Result<u64, Failure> {
    let out = report_file();
    let mut child = tokio::process::Command::new("valgrind")
        .arg("--tool=callgrind")
        .arg(format!("--callgrind-out-file={}", out.display()))
        .arg(binary)
        .args(metrics_flag())
        .env_clear()
        .env("accessToken", "tok_bench")
        .env("INTERCOM_BASE_URL", base_url)
        .env("LOG_LEVEL", "info")
        .envs(otlp())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()?;
    let mut stdin = child.stdin.take().ok_or("no stdin")?;
    let mut stdout = BufReader::new(child.stdout.take().ok_or("no stdout")?).lines();
    let initialize = json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "bench", "version": "1"}}});
    stdin
        .write_all(
            format!(
                "{initialize}\n{{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}}\n"
            )
            .as_bytes(),
        )
        .await?;
    stdout.next_line().await?.ok_or("no initialize reply")?;
    for id in 1..=calls {
        let line = format!(
            r#"{{"jsonrpc":"2.0","id":{id},"method":"tools/call","params":{{"name":"{tool}","arguments":{args}}}}}"#
        );
        stdin.write_all(line.as_bytes()).await?;
        stdin.write_all(b"\n").await?;
        let reply = stdout.next_line().await?.ok_or("the server stopped")?;
        if !reply.contains(r#""isError":false"#) {
            return Err(format!("{tool} failed: {reply}").into());
        }
    }
    drop(stdin);
    child.wait().await?;
    total(&out, &format!("{tool}-stdio-{calls}"))
}

/// Where the server exports traces with BENCH_OTLP set: a sink on loopback.
static OTLP_SINK: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// The variables that turn the server's trace export on, when the bench measures it.
fn otlp() -> Vec<(&'static str, String)> {
    OTLP_SINK
        .get()
        .map(|sink| vec![("OTEL_EXPORTER_OTLP_ENDPOINT", sink.clone())])
        .unwrap_or_default()
}

/// Where callgrind writes its report for this bench.
fn report_file() -> std::path::PathBuf {
    std::env::temp_dir().join(format!("intercom-mcp-callgrind-{}.out", std::process::id()))
}

/// The instructions counted in callgrind's report at `out`. The report is then removed, or
/// kept as `BENCH_KEEP/<name>.out` when BENCH_KEEP names a directory: comparing the N and 10·N
/// reports function by function (`callgrind_annotate --inclusive=yes` on each) shows where one
/// call's instructions go.
fn total(out: &std::path::Path, name: &str) -> Result<u64, Failure> {
    let report = std::fs::read_to_string(out)?;
    if let Some(dir) = std::env::var_os("BENCH_KEEP") {
        std::fs::copy(out, std::path::Path::new(&dir).join(format!("{name}.out")))?;
    }
    let _ = std::fs::remove_file(out);
    report
        .lines()
        .find_map(|line| {
            line.strip_prefix("totals: ")
                .or_else(|| line.strip_prefix("summary: "))
        })
        .and_then(|total| total.split_whitespace().next()?.parse().ok())
        .ok_or_else(|| "no total in callgrind's report".into())
}

/// Instructions the server ran to serve `calls` calls of `tool` over Streamable HTTP, start to
/// exit (SIGTERM, after which it finishes and callgrind writes its report).
async fn instructions_http(
    binary: &str,
    base_url: &str,
    tool: &str,
    args: &str,
    calls: usize,
) -> Result<u64, Failure> {
    let out = report_file();
    let address = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?;
    let mut child = tokio::process::Command::new("valgrind")
        .arg("--tool=callgrind")
        .arg(format!("--callgrind-out-file={}", out.display()))
        .arg(binary)
        .args(metrics_flag())
        .args(["serve", "--http", &address.to_string()])
        .env_clear()
        .env("INTERCOM_BASE_URL", base_url)
        .env("LOG_LEVEL", "info")
        .envs(otlp())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()?;
    // Ready when it says where it serves; its log is drained from then on, or a full pipe
    // would stop it.
    let mut log = BufReader::new(child.stderr.take().ok_or("no stderr")?).lines();
    while let Some(line) = log.next_line().await? {
        if line.contains("serving MCP over Streamable HTTP") {
            break;
        }
    }
    tokio::spawn(async move { while let Ok(Some(_)) = log.next_line().await {} });
    let http = reqwest::Client::new();
    let url = format!("http://{address}/mcp");
    for id in 1..=calls {
        let body = format!(
            r#"{{"jsonrpc":"2.0","id":{id},"method":"tools/call","params":{{"name":"{tool}","arguments":{args}}}}}"#
        );
        let reply = http
            .post(&url)
            .bearer_auth("tok_bench")
            .header("content-type", "application/json")
            .header("accept", "application/json, text/event-stream")
            .body(body)
            .send()
            .await?
            .text()
            .await?;
        if !reply.contains(r#""isError":false"#) {
            return Err(format!("{tool} over HTTP failed: {reply}").into());
        }
    }
    let pid = child.id().ok_or("the server is gone")?;
    tokio::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .await?;
    child.wait().await?;
    total(&out, &format!("{tool}-http-{calls}"))
}

#[tokio::main]
async fn main() -> Result<(), Failure> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/intercom-openapi/api.intercom.io.2.11.yaml"
    );
    let document: Value = serde_norway::from_str(&std::fs::read_to_string(path)?)?;
    let binary = std::env::var("BENCH_BINARY").unwrap_or_else(|_| {
        concat!(env!("CARGO_MANIFEST_DIR"), "/target/release/intercom-mcp").to_owned()
    });
    let calls: usize = std::env::var("BENCH_CALLS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(20);
    if std::env::var_os("BENCH_OTLP").is_some() {
        // Answers every export 200 with an empty body, as a collector that took it all does.
        let _first = OTLP_SINK.set(mock(String::new()).await?);
    }
    println!(
        "binary: {binary}; N = {calls}; flags: {:?}; traces exported: {}",
        metrics_flag(),
        !otlp().is_empty()
    );
    table(Over::Stdio, &CASES, &document, &binary, calls).await?;
    // reqwest is built without a default TLS provider (see intercom::http_client).
    let _already_installed = rustls::crypto::ring::default_provider().install_default();
    println!();
    println!("Over Streamable HTTP (stateless):");
    table(Over::Http, &CASES[..2], &document, &binary, calls).await?;
    Ok(())
}

/// How the bench talks to the server.
#[derive(Clone, Copy)]
enum Over {
    Stdio,
    Http,
}

/// One table: per tool, the instructions of N and 10·N calls and what one call costs.
async fn table(
    over: Over,
    cases: &[(&str, &str, &str)],
    document: &Value,
    binary: &str,
    calls: usize,
) -> Result<(), Failure> {
    println!("| tool | answer bytes | instructions, N calls | 10·N calls | per call |");
    println!("|---|---:|---:|---:|---:|");
    for &(tool, args, operation) in cases {
        let body = example(document, operation)
            .ok_or_else(|| format!("no example of {operation}"))?
            .to_string();
        let base_url = mock(body.clone()).await?;
        let base_url = base_url.as_str();
        let count = |calls| async move {
            match over {
                Over::Stdio => instructions(binary, base_url, tool, args, calls).await,
                Over::Http => instructions_http(binary, base_url, tool, args, calls).await,
            }
        };
        let few = count(calls).await?;
        let many = count(calls * 10).await?;
        let per_call = many.saturating_sub(few) / (9 * calls as u64);
        println!("| {tool} | {} | {few} | {many} | {per_call} |", body.len());
    }
    Ok(())
}
