//! The audit trail (`--audit-log`) against a mock Intercom over real HTTP: every write tool
//! and every outcome leaves exactly one intent and one outcome line, with the fields the
//! operator reads (docs/operations.md), a body's SHA-256 and length but never its text or a
//! token; a trail that cannot be written stops the write before any request. Here: the
//! in-process session with a trail of its own, and every write tool's lines; each outcome,
//! confirmation and trace id is `audit_outcomes.rs`'s.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use intercom_mcp::server::IntercomServer;
use rmcp::model::CallToolResult;
use rmcp::service::RunningService;
use rmcp::{ClientHandler, RoleClient, ServiceExt};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::{self, RecordingClock, TOKEN, is_error, text};

/// What GET /me answers: the token's admin and the workspace's app id.
const ADMIN: &str = "991";
pub(crate) const APP: &str = "app42";

pub(crate) struct Audited<C: ClientHandler> {
    pub(crate) intercom: MockServer,
    pub(crate) client: RunningService<RoleClient, C>,
    server: IntercomServer,
    pub(crate) log: PathBuf,
    dir: PathBuf,
}

/// A fresh directory under the system's temporary one.
pub(crate) fn scratch(what: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("{what}-{:016x}", fastrand::u64(..)));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A stdio session (in process) whose server writes its trail to a file of its own; the mock
/// answers GET /me.
pub(crate) async fn audited<C: ClientHandler>(handler: C, vars: &[(&str, &str)]) -> Audited<C> {
    let dir = scratch("audit");
    let log = dir.join("audit.jsonl");
    audited_at(handler, vars, dir, log).await
}

pub(crate) async fn audited_at<C: ClientHandler>(
    handler: C,
    vars: &[(&str, &str)],
    dir: PathBuf,
    log: PathBuf,
) -> Audited<C> {
    let intercom = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/me"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"type": "admin", "id": ADMIN, "app": {"type": "app", "id_code": APP}}),
        ))
        .mount(&intercom)
        .await;
    let log_text = log.display().to_string();
    let mut all = vec![
        ("accessToken", TOKEN),
        ("INTERCOM_MCP_AUDIT_LOG", log_text.as_str()),
    ];
    all.extend_from_slice(vars);
    let config = common::config(&all, &intercom.uri());
    let server = IntercomServer::with_clock(&config, Arc::new(RecordingClock::default())).unwrap();
    let (server_io, client_io) = tokio::io::duplex(1 << 20);
    let serving = server.clone();
    tokio::spawn(async move {
        if let Ok(running) = serving.serve(server_io).await {
            let _ = running.waiting().await;
        }
    });
    let client = handler.serve(client_io).await.unwrap();
    Audited {
        intercom,
        client,
        server,
        log,
        dir,
    }
}

impl<C: ClientHandler> Audited<C> {
    pub(crate) async fn call(&self, tool: &str, args: Value) -> CallToolResult {
        common::call_tool(&self.client, tool, args).await
    }

    pub(crate) fn text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// The lines of the one attempt of `tool` since `skip` lines: its intent and its outcome.
    pub(crate) fn attempt(&self, skip: usize, tool: &str) -> (Value, Value) {
        let lines = lines(&self.log);
        let mine: Vec<Value> = lines[skip..]
            .iter()
            .filter(|line| line["tool"] == tool)
            .cloned()
            .collect();
        let [intent, outcome] = <[Value; 2]>::try_from(mine).unwrap_or_else(|lines| {
            panic!("{tool}: one intent and one outcome line, got {lines:#?}")
        });
        assert_eq!(intent["event"], "intent", "{intent}");
        assert_eq!(outcome["event"], "outcome", "{outcome}");
        assert_eq!(intent["trace_id"], outcome["trace_id"]);
        let trace_id = intent["trace_id"].as_str().unwrap();
        assert!(
            trace_id.len() == 32 && trace_id.chars().all(|c| c.is_ascii_hexdigit()),
            "{trace_id}"
        );
        // Both lines tell the same attempt.
        for field in [
            "tool",
            "workspace",
            "actor",
            "tenant",
            "admin_id",
            "ids",
            "customer_visible",
            "confirmation",
            "body",
        ] {
            assert_eq!(intent[field], outcome[field], "{tool}: {field}");
        }
        for line in [&intent, &outcome] {
            let time = line["time"].as_str().unwrap();
            assert!(
                time.ends_with('Z') && humantime::parse_rfc3339(time).is_ok(),
                "{time}"
            );
        }
        (intent, outcome)
    }

    pub(crate) fn count(&self, tool: &str, outcome: &str) -> bool {
        let wanted = format!(
            "intercom_writes_total{{gen_ai_tool_name=\"{tool}\",outcome=\"{outcome}\"}} 1\n"
        );
        self.server.metrics().render().contains(&wanted)
    }

    pub(crate) async fn me_requests(&self) -> usize {
        let requests = self.intercom.received_requests().await.unwrap();
        requests.iter().filter(|r| r.url.path() == "/me").count()
    }
}

impl<C: ClientHandler> Drop for Audited<C> {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

pub(crate) fn lines(log: &Path) -> Vec<Value> {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|_| panic!("not JSON: {line}")))
        .collect()
}

pub(crate) fn digest(sha256: &str, bytes: usize) -> Value {
    json!({"sha256": sha256, "bytes": bytes})
}

/// Answers every write with 200, a record id and Intercom's request id header.
pub(crate) async fn answer_writes(intercom: &MockServer) {
    for verb in ["POST", "PUT"] {
        Mock::given(method(verb))
            .respond_with(
                ResponseTemplate::new(200)
                    .insert_header("x-request-id", "req-ok")
                    .set_body_json(json!({"type": "thing", "id": "r1"})),
            )
            .mount(intercom)
            .await;
    }
}

#[tokio::test]
async fn every_write_tool_leaves_an_intent_and_an_outcome_line_and_no_body_text() {
    let session = audited((), &[]).await;
    answer_writes(&session.intercom).await;
    // (tool, arguments, ids, admin, customer_visible, confirmation, body digest)
    let writes = [
        (
            "intercomCreateContact",
            json!({"email": "ada@example.com", "external_id": "u-1"}),
            json!({"external_id": "u-1"}),
            ADMIN,
            false,
            "not_required",
            Value::Null,
        ),
        (
            "intercomUpdateContact",
            json!({"contact_id": "c1", "name": "Ada"}),
            json!({"contact_id": "c1"}),
            ADMIN,
            false,
            "not_required",
            Value::Null,
        ),
        (
            "intercomAddNote",
            json!({"contact_id": "c1", "body": "Called, wants a demo", "admin_id": "9"}),
            json!({"contact_id": "c1"}),
            "9",
            false,
            "not_required",
            digest(
                "d039c5d1d9163bcc020526be3e30ec51ff287dacd362040c393950fcd0aabc85",
                20,
            ),
        ),
        (
            "intercomReplyConversation",
            json!({"conversation_id": "147", "message_type": "comment", "body": "Fixed now."}),
            json!({"conversation_id": "147"}),
            ADMIN,
            true,
            // This client cannot be asked; --unconfirmable's default sends, saying so.
            "not_asked",
            digest(
                "417406aae732faaa9790193f1e3fb8dedd818cd990bd233203cd0dc35757c266",
                10,
            ),
        ),
        (
            "intercomCloseConversation",
            json!({"conversation_id": "147", "admin_id": "9", "body": "Closing, thanks!"}),
            json!({"conversation_id": "147"}),
            "9",
            true,
            "not_asked",
            digest(
                "feebe33c672b51457c2d7bfb45b67fac3429f4b6b5f19c52d3e8a79de2e70886",
                16,
            ),
        ),
        (
            "intercomAssignConversation",
            json!({"conversation_id": "147", "type": "team", "admin_id": "9", "assignee_id": "5"}),
            json!({"conversation_id": "147", "assignee_id": "5"}),
            "9",
            false,
            "not_required",
            Value::Null,
        ),
        (
            "intercomTagContact",
            json!({"contact_id": "c1", "id": "7522907"}),
            json!({"contact_id": "c1", "id": "7522907"}),
            ADMIN,
            false,
            "not_required",
            Value::Null,
        ),
    ];
    for (tool, args, ids, admin, visible, confirmation, body) in &writes {
        let skip = lines(&session.log).len();
        let result = session.call(tool, args.clone()).await;
        assert!(!is_error(&result), "{tool}: {}", text(&result));
        let (intent, outcome) = session.attempt(skip, tool);
        assert_eq!(intent["workspace"], APP, "{tool}");
        assert_eq!(intent["actor"], "local", "{tool}");
        assert_eq!(intent["tenant"], Value::Null, "{tool}");
        assert_eq!(intent["admin_id"], *admin, "{tool}");
        assert_eq!(intent["ids"], *ids, "{tool}");
        assert_eq!(intent["customer_visible"], *visible, "{tool}");
        assert_eq!(intent["confirmation"], *confirmation, "{tool}");
        assert_eq!(intent["body"], *body, "{tool}");
        assert_eq!(outcome["outcome"], "sent", "{tool}");
        assert_eq!(outcome["status"], 200, "{tool}");
        assert_eq!(outcome["request_id"], "req-ok", "{tool}");
        assert_eq!(outcome["record_id"], "r1", "{tool}");
        assert!(session.count(tool, "sent"), "{tool}");
    }
    assert_eq!(lines(&session.log).len(), 2 * writes.len());
    let trail = session.text();
    for secret in [
        TOKEN,
        "Called, wants a demo",
        "Fixed now.",
        "Closing, thanks!",
        "ada@example.com",
    ] {
        assert!(!trail.contains(secret), "{secret} in the trail");
    }
    // The workspace is learned once, by the first write; reads leave no line.
    assert_eq!(session.me_requests().await, 1);
    session
        .call("intercomGetContact", json!({"contact_id": "c1"}))
        .await;
    assert_eq!(lines(&session.log).len(), 2 * writes.len());
}
