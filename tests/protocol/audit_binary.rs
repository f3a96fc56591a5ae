//! The audit trail through the real binary over stdio: at trace level neither stderr nor the
//! trail holds the token or a message body; `-` sends the lines to stderr; and SIGHUP reopens
//! the file at its path, as logrotate's `postrotate` asks.

use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{ChildStdin, ChildStdout};
use tokio::sync::mpsc;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::audit::{answer_writes, lines, scratch};
use super::stdio::{INITIALIZE, TOKEN};
use crate::common;

/// An Intercom that knows the token's admin and workspace and accepts every write.
async fn intercom() -> MockServer {
    let intercom = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/me"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"type": "admin", "id": "991", "app": {"type": "app", "id_code": "app42"}}),
        ))
        .mount(&intercom)
        .await;
    answer_writes(&intercom).await;
    intercom
}

/// The seven writes, each with a body where the tool takes one.
fn writes() -> Vec<(&'static str, Value)> {
    vec![
        ("intercomCreateContact", json!({"email": "ada@example.com"})),
        (
            "intercomUpdateContact",
            json!({"contact_id": "c1", "name": "Ada"}),
        ),
        (
            "intercomAddNote",
            json!({"contact_id": "c1", "body": "secret-note-text"}),
        ),
        (
            "intercomReplyConversation",
            json!({"conversation_id": "1", "message_type": "comment", "body": "secret-reply-text"}),
        ),
        (
            "intercomCloseConversation",
            json!({"conversation_id": "1", "body": "secret-close-text"}),
        ),
        (
            "intercomAssignConversation",
            json!({"conversation_id": "1", "type": "admin", "assignee_id": "8", "body": "secret-assign-text"}),
        ),
        ("intercomTagContact", json!({"contact_id": "c1", "id": "7"})),
    ]
}

const BODIES: [&str; 4] = [
    "secret-note-text",
    "secret-reply-text",
    "secret-close-text",
    "secret-assign-text",
];

/// A running binary: its stdin, its stdout's lines, and its stderr's lines as they come.
struct Running {
    child: tokio::process::Child,
    stdin: ChildStdin,
    stdout: Lines<BufReader<ChildStdout>>,
    stderr: mpsc::UnboundedReceiver<String>,
    logged: String,
}

fn start(intercom: &MockServer, audit_log: &str) -> Running {
    let uri = intercom.uri();
    let mut child = common::spawn(
        &[],
        &[
            ("accessToken", TOKEN),
            ("INTERCOM_BASE_URL", &uri),
            ("INTERCOM_MCP_AUDIT_LOG", audit_log),
            ("LOG_LEVEL", "trace"),
            ("RUST_LOG", "trace"),
        ],
    );
    let stdin = child.stdin.take().unwrap();
    let stdout = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut err_lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let (sender, stderr) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok(Some(line)) = err_lines.next_line().await {
            if sender.send(line).is_err() {
                break;
            }
        }
    });
    Running {
        child,
        stdin,
        stdout,
        stderr,
        logged: String::new(),
    }
}

impl Running {
    async fn send(&mut self, message: &str) {
        self.stdin.write_all(message.as_bytes()).await.unwrap();
        self.stdin.flush().await.unwrap();
    }

    /// Calls `tool` as request `id` and waits for its answer.
    async fn call(&mut self, id: u64, tool: &str, arguments: &Value) -> Value {
        let call = json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
            "params": {"name": tool, "arguments": arguments}});
        self.send(&format!("{call}\n")).await;
        loop {
            let line = tokio::time::timeout(Duration::from_secs(30), self.stdout.next_line())
                .await
                .unwrap()
                .unwrap()
                .unwrap();
            let message: Value = serde_json::from_str(&line).unwrap();
            if message["id"] == id {
                return message;
            }
        }
    }

    /// Reads stderr until a line contains `text`.
    async fn wait_for(&mut self, text: &str) {
        loop {
            let line = tokio::time::timeout(Duration::from_secs(30), self.stderr.recv())
                .await
                .unwrap_or_else(|_| panic!("no {text:?} on stderr; got {}", self.logged))
                .unwrap();
            self.logged.push_str(&line);
            self.logged.push('\n');
            if line.contains(text) {
                return;
            }
        }
    }

    /// Closes stdin, waits for the exit, and answers everything stderr said.
    async fn finish(mut self) -> String {
        drop(self.stdin);
        let status = tokio::time::timeout(Duration::from_secs(10), self.child.wait())
            .await
            .unwrap()
            .unwrap();
        assert!(status.success());
        while let Some(line) = self.stderr.recv().await {
            self.logged.push_str(&line);
            self.logged.push('\n');
        }
        self.logged
    }
}

/// Every write through the binary; answers what stderr said.
async fn every_write(intercom: &MockServer, audit_log: &str) -> String {
    let mut running = start(intercom, audit_log);
    running.send(INITIALIZE).await;
    for (id, (tool, arguments)) in (1..).zip(writes()) {
        let answer = running.call(id, tool, &arguments).await;
        assert_eq!(answer["result"]["isError"], false, "{tool}: {answer}");
    }
    running.finish().await
}

fn assert_clean(text: &str, what: &str) {
    for secret in std::iter::once(TOKEN).chain(BODIES) {
        assert!(!text.contains(secret), "{secret} in {what}");
    }
}

#[tokio::test]
async fn at_trace_level_neither_stderr_nor_the_trail_holds_the_token_or_a_body() {
    let intercom = intercom().await;
    let dir = scratch("audit-binary");
    let log = dir.join("audit.jsonl");
    let logged = every_write(&intercom, &log.display().to_string()).await;
    assert!(
        logged.contains("TRACE") || logged.contains("DEBUG"),
        "trace logging is on: {logged}"
    );
    assert_clean(&logged, "stderr");
    assert_clean(&std::fs::read_to_string(&log).unwrap(), "the trail");
    let trail = lines(&log);
    assert_eq!(trail.len(), 2 * writes().len());
    let bodies = trail
        .iter()
        .filter(|line| line["body"]["sha256"].is_string());
    assert_eq!(bodies.count(), 2 * BODIES.len());
    // The token was really used, so its absence means something.
    let requests = intercom.received_requests().await.unwrap();
    assert!(
        requests
            .iter()
            .all(|request| request.headers["authorization"] == format!("Bearer {TOKEN}").as_str())
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn a_dash_writes_the_trail_to_stderr() {
    let intercom = intercom().await;
    let logged = every_write(&intercom, "-").await;
    assert_clean(&logged, "stderr");
    let trail: Vec<Value> = logged
        .lines()
        .filter(|line| line.starts_with('{'))
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(trail.len(), 2 * writes().len(), "{logged}");
    for (pair, (tool, _)) in trail.chunks(2).zip(writes()) {
        assert_eq!(
            (&pair[0]["event"], &pair[1]["event"]),
            (&json!("intent"), &json!("outcome"))
        );
        assert_eq!(pair[0]["tool"], tool);
        assert_eq!(pair[1]["outcome"], "sent");
        assert_eq!(pair[1]["request_id"], "req-ok");
    }
}

#[cfg(unix)]
#[tokio::test]
async fn sighup_reopens_the_trail_at_its_path() {
    let intercom = intercom().await;
    let dir = scratch("audit-binary");
    let log = dir.join("audit.jsonl");
    let rotated = dir.join("audit.jsonl.1");
    let mut running = start(&intercom, &log.display().to_string());
    running.send(INITIALIZE).await;
    let note = json!({"contact_id": "c1", "body": "secret-note-text"});
    running.call(1, "intercomAddNote", &note).await;
    std::fs::rename(&log, &rotated).unwrap();
    // Until the signal, lines follow the file where it moved.
    running.call(2, "intercomAddNote", &note).await;
    let pid = running.child.id().unwrap().to_string();
    let killed = std::process::Command::new("kill")
        .args(["-HUP", &pid])
        .status()
        .unwrap();
    assert!(killed.success());
    running.wait_for("audit log reopened").await;
    running.call(3, "intercomAddNote", &note).await;
    running.finish().await;
    assert_eq!(lines(&rotated).len(), 4);
    let fresh = lines(&log);
    assert_eq!(fresh.len(), 2);
    assert_eq!(fresh[0]["event"], "intent");
    assert_eq!(fresh[1]["outcome"], "sent");
    assert_ne!(fresh[0]["trace_id"], lines(&rotated)[2]["trace_id"]);
    std::fs::remove_dir_all(&dir).unwrap();
}
