//! `--metrics` through the real binary over stdio and over HTTP: tool calls against the mock Intercom, then
//! `GET /metrics` on the separate listener, where each call is one observation of
//! `mcp_server_operation_duration_seconds` under its method, tool and error type, and a tool
//! name the client invented is `_OTHER`.

use std::process::Stdio;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::Command;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::TOKEN;

/// The count of the duration histogram's series with exactly these labels (0 when absent).
fn count(text: &str, tool: &str, error_type: &str) -> u64 {
    let series = format!(
        "mcp_server_operation_duration_seconds_count{{mcp_method_name=\"tools/call\",gen_ai_tool_name=\"{tool}\",error_type=\"{error_type}\"}} "
    );
    text.lines()
        .find_map(|line| line.strip_prefix(&series))
        .map_or(0, |value| value.trim().parse().unwrap())
}

/// `/metrics` once the listener answers (it starts with the server).
async fn scrape(url: &str) -> String {
    // reqwest is built without a TLS provider of its own (the server installs one).
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::new();
    for _ in 0..100 {
        if let Ok(response) = client.get(url).send().await {
            assert_eq!(response.status(), 200);
            let kind = response.headers()["content-type"]
                .to_str()
                .unwrap()
                .to_owned();
            assert_eq!(kind, "text/plain; version=0.0.4; charset=utf-8");
            return response.text().await.unwrap();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("nothing answered at {url}");
}

#[tokio::test]
async fn each_tool_call_is_one_observation_and_an_invented_tool_is_other() {
    let intercom = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/contacts/c1"))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"type": "contact", "id": "c1"})),
        )
        .expect(1)
        .mount(&intercom)
        .await;
    Mock::given(method("GET"))
        .and(path("/contacts/gone"))
        .respond_with(
            ResponseTemplate::new(404).set_body_json(json!({"type": "error.list",
            "errors": [{"code": "not_found", "message": "no such contact"}]})),
        )
        .expect(1)
        .mount(&intercom)
        .await;
    let port = free_port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_intercom-mcp"))
        .current_dir(std::env::temp_dir())
        .env_clear()
        .env("accessToken", TOKEN)
        .env("INTERCOM_BASE_URL", intercom.uri())
        .env("INTERCOM_MCP_METRICS_ADDR", format!("127.0.0.1:{port}"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let url = format!("http://127.0.0.1:{port}/metrics");
    let before = scrape(&url).await;
    // Before any call the histogram has no series: nothing of it is written.
    assert!(
        !before.contains("mcp_server_operation_duration_seconds_count"),
        "{before}"
    );

    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap()).lines();
    let lines = [
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": "2025-06-18",
            "capabilities": {}, "clientInfo": {"name": "metrics-test", "version": "1"}}}),
        json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
        json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "intercomGetContact",
            "arguments": {"contact_id": "c1"}}}),
        json!({"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {"name": "intercomGetContact",
            "arguments": {"contact_id": "gone"}}}),
        json!({"jsonrpc": "2.0", "id": 4, "method": "tools/call", "params": {"name": "intercomInventedTool",
            "arguments": {}}}),
    ];
    for line in &lines {
        stdin
            .write_all(format!("{line}\n").as_bytes())
            .await
            .unwrap();
    }
    stdin.flush().await.unwrap();
    let mut replies = std::collections::BTreeMap::new();
    while replies.len() < 4 {
        let line = tokio::time::timeout(Duration::from_secs(20), stdout.next_line())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        let reply: Value = serde_json::from_str(&line).unwrap();
        replies.insert(reply["id"].as_i64().unwrap(), reply);
    }
    assert_eq!(
        replies[&2]["result"]["isError"],
        json!(false),
        "{}",
        replies[&2]
    );
    assert_eq!(
        replies[&3]["result"]["isError"],
        json!(true),
        "{}",
        replies[&3]
    );
    assert_eq!(
        replies[&4]["error"]["code"],
        json!(-32602),
        "{}",
        replies[&4]
    );

    let after = scrape(&url).await;
    assert!(
        after.contains("# TYPE mcp_server_operation_duration_seconds histogram"),
        "{after}"
    );
    let tool = "intercomGetContact";
    assert_eq!(
        count(&after, tool, "") - count(&before, tool, ""),
        1,
        "{after}"
    );
    let failed = count(&after, tool, "tool_error") - count(&before, tool, "tool_error");
    assert_eq!(failed, 1, "{after}");
    assert_eq!(count(&after, "_OTHER", "-32602"), 1, "{after}");
    assert!(!after.contains("intercomInventedTool"), "{after}");
    drop(stdin);
}

fn free_port() -> u16 {
    // Bound and released for the server to take: the port is free a moment later.
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Over HTTP, with the flag rather than the variable: a call on `/mcp` shows on the other port.
#[tokio::test]
async fn over_http_a_call_on_mcp_is_counted_on_the_metrics_port() {
    let (port, metrics_port) = (free_port(), free_port());
    let _server = Command::new(env!("CARGO_BIN_EXE_intercom-mcp"))
        .args(["--sandbox", "serve", "--http", &format!("127.0.0.1:{port}")])
        .args(["--metrics", &format!("127.0.0.1:{metrics_port}")])
        .current_dir(std::env::temp_dir())
        .env_clear()
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let url = format!("http://127.0.0.1:{metrics_port}/metrics");
    let before = scrape(&url).await;
    assert!(
        !before.contains("mcp_server_operation_duration_seconds_count"),
        "{before}"
    );
    let answer: Value = reqwest::Client::new()
        .post(format!("http://127.0.0.1:{port}/mcp"))
        .header("accept", "application/json, text/event-stream")
        .header("authorization", "Bearer sandbox")
        .header("mcp-protocol-version", "2025-06-18")
        .json(
            &json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params":
            {"name": "intercomGetConversation", "arguments": {"conversation_id": "20415"}}}),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(answer["result"]["isError"], json!(false), "{answer}");
    let after = scrape(&url).await;
    assert_eq!(count(&after, "intercomGetConversation", ""), 1, "{after}");
}
