//! Bounded stdio (issue 24, item 6): pipelined calls are read only as fast as they are
//! answered, so a burst's memory stays small; calls waiting for the user's confirmation do not
//! hold up the answers they wait for; and the server stops when its stdout closes.

use std::collections::HashSet;
use std::process::Stdio;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{Child, ChildStdout};
use tokio::sync::mpsc;
use wiremock::matchers::{any, method};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common;

/// The requests the server keeps in flight before it stops reading (src/transport/flight.rs).
const BOUND: usize = intercom_mcp::transport::MAX_IN_FLIGHT;

/// The binary over stdio: lines go out through a writer task (so a full pipe blocks it, not
/// the test), answers are read line by line.
struct Session {
    child: Child,
    lines: mpsc::UnboundedSender<String>,
    stdout: Lines<BufReader<ChildStdout>>,
}

/// A session ends with its test: calls still in flight would otherwise reach the mock Intercom
/// after wiremock has handed it to another test.
impl Drop for Session {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
    }
}

impl Session {
    fn start(args: &[&str], vars: &[(&str, &str)]) -> Self {
        let mut child = common::command(args, vars)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        let (lines, mut queued) = mpsc::unbounded_channel::<String>();
        tokio::spawn(async move {
            while let Some(line) = queued.recv().await {
                if stdin.write_all(line.as_bytes()).await.is_err() {
                    return;
                }
            }
        });
        let stdout = BufReader::new(child.stdout.take().unwrap()).lines();
        Self {
            child,
            lines,
            stdout,
        }
    }

    fn send(&self, message: &Value) {
        self.lines.send(format!("{message}\n")).unwrap();
    }

    async fn next(&mut self) -> Value {
        let line = tokio::time::timeout(Duration::from_secs(30), self.stdout.next_line())
            .await
            .expect("the server answers within 30 s")
            .unwrap()
            .expect("stdout stays open");
        serde_json::from_str(&line).unwrap()
    }

    async fn initialize(&mut self, capabilities: Value) {
        self.send(
            &json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": capabilities,
            "clientInfo": {"name": "burst", "version": "1"}}}),
        );
        assert_eq!(self.next().await["id"], 0);
        self.send(&json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));
    }

    /// Sends `count` calls of `tool` at once, ids 1..=count.
    fn pipeline(&self, count: u64, tool: &str, arguments: &Value) {
        for id in 1..=count {
            self.send(&json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
                "params": {"name": tool, "arguments": arguments}}));
        }
    }

    /// Reads until each of ids 1..=count is answered with a result, answering every
    /// confirmation question with yes on the way.
    async fn answers(&mut self, count: u64) -> usize {
        let mut answered = HashSet::new();
        let mut asked = 0;
        while answered.len() < usize::try_from(count).unwrap() {
            let message = self.next().await;
            if message["method"] == "elicitation/create" {
                asked += 1;
                self.send(&json!({"jsonrpc": "2.0", "id": message["id"],
                    "result": {"action": "accept", "content": {"send": true}}}));
                continue;
            }
            assert!(message["result"].is_object(), "{message}");
            let id = message["id"].as_u64().unwrap();
            assert!(
                (1..=count).contains(&id) && answered.insert(id),
                "{message}"
            );
        }
        asked
    }

    /// Peak resident memory so far, in KiB (VmHWM).
    fn peak_kib(&self) -> u64 {
        let pid = self.child.id().unwrap();
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
        let line = status
            .lines()
            .find(|line| line.starts_with("VmHWM:"))
            .unwrap();
        line.split_whitespace().nth(1).unwrap().parse().unwrap()
    }
}

#[tokio::test]
async fn a_pipelined_burst_keeps_peak_memory_under_64_mib() {
    // 5,000 by default to keep a debug run short; INTERCOM_BURST_CALLS=50000 is the issue's
    // figure.
    let count = std::env::var("INTERCOM_BURST_CALLS")
        .ok()
        .and_then(|count| count.parse().ok())
        .unwrap_or(5_000);
    let mut session = Session::start(&["--sandbox"], &[]);
    session.initialize(json!({})).await;
    let started = std::time::Instant::now();
    session.pipeline(count, "intercomListTags", &json!({}));
    session.answers(count).await;
    let peak = session.peak_kib();
    println!(
        "{count} pipelined calls in {:.1} s, peak RSS (VmHWM) {:.1} MiB",
        started.elapsed().as_secs_f64(),
        peak as f64 / 1024.0
    );
    assert!(peak < 64 * 1024, "peak RSS {peak} KiB");
}

/// A session against an Intercom that answers every request after 300 ms.
async fn slow_session() -> (Session, MockServer) {
    let intercom = MockServer::start().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"type": "list", "data": []}))
                .set_delay(Duration::from_millis(300)),
        )
        .mount(&intercom)
        .await;
    let uri = intercom.uri();
    let mut session = Session::start(&[], &[("accessToken", "tok"), ("INTERCOM_BASE_URL", &uri)]);
    session.initialize(json!({})).await;
    (session, intercom)
}

/// Sends `calls` slow calls and then a ping: whether the ping is answered before any call.
async fn ping_overtakes(calls: u64) -> bool {
    let (mut session, _intercom) = slow_session().await;
    session.pipeline(calls, "intercomListTags", &json!({}));
    session.send(&json!({"jsonrpc": "2.0", "id": "ping", "method": "ping"}));
    let first = session.next().await;
    first["id"] == "ping"
}

#[tokio::test]
async fn cancelled_calls_free_their_place() {
    // rmcp answers no cancelled request: had the bound waited for their answers, the reader
    // would wait for ever once as many were cancelled.
    let (mut session, _intercom) = slow_session().await;
    let calls = u64::try_from(BOUND).unwrap() + 6;
    for id in 1..=calls {
        session.send(&json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
            "params": {"name": "intercomListTags", "arguments": {}}}));
        session.send(
            &json!({"jsonrpc": "2.0", "method": "notifications/cancelled",
            "params": {"requestId": id, "reason": "test"}}),
        );
    }
    session.send(&json!({"jsonrpc": "2.0", "id": "ping", "method": "ping"}));
    let answer = session.next().await;
    assert_eq!(answer["id"], "ping", "{answer}");
}

#[tokio::test]
async fn at_the_bound_the_server_stops_reading_until_a_call_is_answered() {
    // Below the bound the ping is read at once and overtakes the slow calls; at the bound it
    // is read only once a call has been answered.
    let bound = u64::try_from(BOUND).unwrap();
    assert!(ping_overtakes(bound - 1).await, "below the bound");
    assert!(!ping_overtakes(bound).await, "at the bound");
}

/// Requests that reuse one id each hold a place: counted, not kept as a set of ids, or a
/// client could pipeline without bound by reusing one. Directory reads are not tool calls, so
/// only the unanswered count can hold the reader back.
#[tokio::test]
async fn requests_that_reuse_an_id_each_count_toward_the_bound() {
    let (mut session, _intercom) = slow_session().await;
    for _ in 0..BOUND {
        session.send(
            &json!({"jsonrpc": "2.0", "id": 7, "method": "resources/read",
            "params": {"uri": "intercom://tags"}}),
        );
    }
    session.send(&json!({"jsonrpc": "2.0", "id": "ping", "method": "ping"}));
    let first = session.next().await;
    assert_eq!(first["id"], 7, "the ping was read past the bound: {first}");
}

#[tokio::test]
async fn calls_waiting_for_confirmation_do_not_count_toward_the_bound() {
    let intercom = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"type": "conversation", "id": "1"})),
        )
        .mount(&intercom)
        .await;
    let uri = intercom.uri();
    let mut session = Session::start(&[], &[("accessToken", "tok"), ("INTERCOM_BASE_URL", &uri)]);
    session
        .initialize(json!({"elicitation": {"form": {}}}))
        .await;
    // More calls than the bound, each asking the user: every answer is queued behind all of
    // them, so the reader must keep reading while they wait.
    let calls = u64::try_from(BOUND).unwrap() + 36;
    let reply = json!({"conversation_id": "1", "message_type": "comment", "body": "Done.", "admin_id": "9"});
    session.pipeline(calls, "intercomReplyConversation", &reply);
    let asked = session.answers(calls).await;
    assert_eq!(asked, usize::try_from(calls).unwrap());
    assert_eq!(intercom.received_requests().await.unwrap().len(), asked);
}

#[tokio::test]
async fn the_server_stops_when_its_stdout_closes() {
    let mut child = common::command(&["--sandbox"], &[])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let mut stdin = child.stdin.take().unwrap();
    let mut lines = String::new();
    for id in 0..200 {
        lines.push_str(&format!(
            "{}\n",
            json!({"jsonrpc": "2.0", "id": id, "method": "ping"})
        ));
    }
    // The server may stop before it has read them all.
    let _ = stdin.write_all(lines.as_bytes()).await;
    let output = tokio::time::timeout(Duration::from_secs(10), child.wait_with_output())
        .await
        .expect("the server stops with stdin still open");
    let stderr = String::from_utf8_lossy(&output.unwrap().stderr).into_owned();
    let errors = stderr.lines().filter(|line| line.contains("ERROR")).count();
    assert!(errors <= 1, "{stderr}");
}
