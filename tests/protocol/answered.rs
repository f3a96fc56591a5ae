//! Errors answered to a stdio client, through the real binary: a method this server does not
//! have is named and said to be unsupported, `initialize` sent at 2026-07-28 is a removed
//! method as over HTTP, and each error is logged at debug in one readable line of ours while
//! rmcp's WARN line in Debug form is left out of the log.

use std::process::Stdio;

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::common;

/// The binary's stdout (one reply a line) and stderr after `lines` are sent and stdin closes.
async fn run(lines: &[Value], vars: &[(&str, &str)]) -> (Vec<Value>, String) {
    let mut child = common::command(&["--sandbox"], vars)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    for line in lines {
        stdin
            .write_all(format!("{line}\n").as_bytes())
            .await
            .unwrap();
    }
    drop(stdin);
    let (mut stdout, mut stderr) = (String::new(), String::new());
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut stdout)
        .await
        .unwrap();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .await
        .unwrap();
    assert!(child.wait().await.unwrap().success(), "{stderr}");
    let replies = stdout
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    (replies, stderr)
}

fn lines() -> Vec<Value> {
    vec![
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-11-25", "capabilities": {},
            "clientInfo": {"name": "answered-test", "version": "1"}}}),
        json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
        json!({"jsonrpc": "2.0", "id": 2, "method": "foo/bar", "params": {"secret_arg": "s3cr3t"}}),
        json!({"jsonrpc": "2.0", "id": 3, "method": "initialize", "params": {"_meta": {
            "io.modelcontextprotocol/protocolVersion": "2026-07-28",
            "io.modelcontextprotocol/clientCapabilities": {},
            "io.modelcontextprotocol/clientInfo": {"name": "answered-test", "version": "1"}}}}),
    ]
}

fn reply(replies: &[Value], id: i64) -> &Value {
    replies
        .iter()
        .find(|reply| reply["id"] == id)
        .unwrap_or_else(|| panic!("no reply to {id}: {replies:?}"))
}

#[tokio::test]
async fn errors_are_readable_and_logged_once_at_debug_by_us_not_at_warn_by_rmcp() {
    let (replies, logs) = run(&lines(), &[("LOG_LEVEL", "debug")]).await;
    assert_eq!(
        reply(&replies, 2)["error"],
        json!({"code": -32601, "message": "method `foo/bar` is not supported by this server"})
    );
    let removed = &reply(&replies, 3)["error"];
    assert_eq!(removed["code"], -32601, "{removed}");
    assert!(
        removed["message"].as_str().unwrap().starts_with(
            "method `initialize` is not supported at MCP 2026-07-28, which removed it"
        ),
        "{removed}"
    );
    assert!(!logs.contains("rmcp::service"), "{logs}");
    assert!(!logs.contains("ErrorData"), "{logs}");
    assert!(!logs.contains("s3cr3t"), "{logs}");
    let ours: Vec<&str> = logs
        .lines()
        .filter(|line| line.contains("answered an error"))
        .collect();
    assert_eq!(ours.len(), 1, "{logs}");
    assert!(
        ours[0].contains(" DEBUG ")
            && ours[0].ends_with(
                "answered an error method=\"foo/bar\" code=-32601 answer=method `foo/bar` is not supported by this server"
            ),
        "{logs}"
    );

    // At the default level neither line is written.
    let (replies, logs) = run(&lines(), &[]).await;
    assert_eq!(replies.len(), 3, "{replies:?}");
    assert!(
        !logs.contains("WARN") && !logs.contains("answered an error"),
        "{logs}"
    );
}
