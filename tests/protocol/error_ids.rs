//! Errors whose request id cannot be read, over the binary's stdio, follow the revision in
//! use: `"id": null` for a 2025 client (after `initialize`), no `id` member for a 2026-07-28
//! client (each request states its revision in `_meta`).

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{Child, ChildStdin, ChildStdout};

use crate::common;

struct Stdio {
    _child: Child,
    input: ChildStdin,
    output: Lines<BufReader<ChildStdout>>,
}

impl Stdio {
    fn start() -> Self {
        let mut child = common::spawn(
            &[],
            &[
                ("accessToken", "tok_error_ids"),
                ("INTERCOM_BASE_URL", "http://127.0.0.1:9"),
                ("INTERCOM_MAX_REQUEST_BYTES", "4096"),
            ],
        );
        let input = child.stdin.take().unwrap();
        let output = BufReader::new(child.stdout.take().unwrap()).lines();
        Self {
            _child: child,
            input,
            output,
        }
    }

    async fn send(&mut self, line: &str) {
        self.input.write_all(line.as_bytes()).await.unwrap();
        self.input.write_all(b"\n").await.unwrap();
        self.input.flush().await.unwrap();
    }

    async fn reply(&mut self) -> Value {
        let line =
            tokio::time::timeout(std::time::Duration::from_secs(10), self.output.next_line())
                .await
                .expect("a reply within 10 s")
                .unwrap()
                .expect("the server is still running");
        serde_json::from_str(&line).unwrap()
    }

    /// Each line whose id cannot be read gets its error code; returns the replies.
    async fn unreadable(&mut self) -> Vec<Value> {
        let mut replies = Vec::new();
        for (line, code) in [
            ("this is not JSON".to_owned(), -32700),
            (
                r#"{"jsonrpc":"2.0","id":1.5,"method":"ping"}"#.to_owned(),
                -32600,
            ),
            // A lone surrogate: the id is there, but no parser can read it.
            (
                r#"{"jsonrpc":"2.0","id":"\ud800","method":"ping"}"#.to_owned(),
                -32700,
            ),
            (
                format!(
                    r#"{{"jsonrpc":"2.0","id":1,"method":"{}"}}"#,
                    "x".repeat(5000)
                ),
                -32600,
            ),
        ] {
            self.send(&line).await;
            let reply = self.reply().await;
            assert_eq!(reply["error"]["code"], code, "{reply}");
            assert_eq!(reply["jsonrpc"], "2.0", "{reply}");
            replies.push(reply);
        }
        replies
    }
}

fn meta_2026() -> Value {
    json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {},
        "io.modelcontextprotocol/clientInfo": {"name": "t", "version": "1"},
    })
}

#[tokio::test]
async fn a_2025_client_gets_a_null_id_when_its_id_cannot_be_read() {
    let mut stdio = Stdio::start();
    stdio
        .send(&json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}})
        .to_string())
        .await;
    assert_eq!(stdio.reply().await["id"], 0);
    stdio
        .send(r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#)
        .await;
    for reply in stdio.unreadable().await {
        assert_eq!(reply.get("id"), Some(&Value::Null), "{reply}");
    }
}

#[tokio::test]
async fn a_2026_client_gets_no_id_member_when_its_id_cannot_be_read() {
    let mut stdio = Stdio::start();
    let list = json!({"jsonrpc": "2.0", "id": "l1", "method": "tools/list",
        "params": {"_meta": meta_2026()}});
    stdio.send(&list.to_string()).await;
    let reply = stdio.reply().await;
    assert_eq!(reply["id"], "l1", "{reply}");
    assert!(reply["result"]["tools"].is_array(), "{reply}");
    for reply in stdio.unreadable().await {
        assert_eq!(reply.get("id"), None, "{reply}");
    }
    // A readable id is still answered by it, at either revision.
    stdio
        .send(r#"{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"x","arguments":"oops"}}"#)
        .await;
    let reply = stdio.reply().await;
    assert_eq!(
        (&reply["id"], &reply["error"]["code"]),
        (&json!(4), &json!(-32602)),
        "{reply}"
    );
}
