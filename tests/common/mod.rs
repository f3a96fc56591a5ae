//! What every test binary shares: a mock Intercom over real HTTP (wiremock) and an MCP client
//! connected to the server over an in-process duplex pipe, the real binary spawned, and the
//! HTTP deployments (`deploy.rs`, `oauth.rs`), a real Redis (`redis.rs`), the lossless check (`lossless.rs`) and
//! Intercom's response shapes (`shapes/`) the groups use. Each group's `main.rs` takes it in
//! with `#[path]`.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

pub mod consent;
pub mod deploy;
pub mod lossless;
pub mod oauth;
pub mod redis;
pub mod shapes;

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use intercom_mcp::config::{Config, Flags};
use intercom_mcp::policy::Clock;
use intercom_mcp::server::IntercomServer;
use rmcp::model::{CallToolRequestParams, CallToolResult, ClientNotification, CustomNotification};
use rmcp::service::RunningService;
use rmcp::{ClientHandler, RoleClient, ServiceExt};
use serde_json::{Value, json};
use wiremock::MockServer;

pub const TOKEN: &str = "tok_test_9f8e7d6c5b4a";

/// "Now" for every test server: a fixed instant, so rate-limit headers can be written
/// relative to it.
pub fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_800_000_000)
}

/// A clock that never sleeps: it records each wait and moves its "now" forward by it, so
/// tests of waiting are instant and exact.
#[derive(Default)]
pub struct RecordingClock {
    slept: Mutex<Vec<Duration>>,
}

impl RecordingClock {
    pub fn slept(&self) -> Vec<Duration> {
        self.slept.lock().unwrap().clone()
    }
}

impl Clock for RecordingClock {
    fn now(&self) -> SystemTime {
        now() + self.slept().iter().sum::<Duration>()
    }

    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        self.slept.lock().unwrap().push(duration);
        Box::pin(std::future::ready(()))
    }
}

pub struct Harness {
    pub intercom: MockServer,
    pub client: RunningService<RoleClient, ()>,
    pub clock: Arc<RecordingClock>,
}

pub async fn start() -> Harness {
    start_with(&[("accessToken", TOKEN)]).await
}

/// Starts a mock Intercom and a server configured with `vars` (plus the mock's URL).
pub async fn start_with(vars: &[(&str, &str)]) -> Harness {
    let intercom = MockServer::start().await;
    let uri = intercom.uri();
    connect(intercom, vars, &uri).await
}

/// A server whose Intercom is at `url` (the mock is started but unused).
pub async fn start_with_base_url(url: &str) -> Harness {
    start_with_base_url_and(url, &[]).await
}

/// As [`start_with_base_url`], with more variables.
pub async fn start_with_base_url_and(url: &str, vars: &[(&str, &str)]) -> Harness {
    let mut all = vec![("accessToken", TOKEN)];
    all.extend_from_slice(vars);
    connect(MockServer::start().await, &all, url).await
}

/// The configuration `vars` give, with Intercom at `base_url`.
pub fn config(vars: &[(&str, &str)], base_url: &str) -> Config {
    let mut vars: Vec<(String, String)> = vars
        .iter()
        .map(|(k, v)| ((*k).into(), (*v).into()))
        .collect();
    vars.push(("INTERCOM_BASE_URL".into(), base_url.to_owned()));
    Config::resolve(&Flags::default(), |name| {
        vars.iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.clone())
    })
    .unwrap()
}

async fn connect(intercom: MockServer, vars: &[(&str, &str)], base_url: &str) -> Harness {
    let config = config(vars, base_url);
    let clock = Arc::new(RecordingClock::default());
    let server = IntercomServer::with_clock(&config, clock.clone()).unwrap();
    let (server_io, client_io) = tokio::io::duplex(1 << 20);
    tokio::spawn(async move {
        if let Ok(running) = server.serve(server_io).await {
            let _ = running.waiting().await;
        }
    });
    let client = ().serve(client_io).await.unwrap();
    Harness {
        intercom,
        client,
        clock,
    }
}

/// What `intercom` received so far, each request as `METHOD /path`, in order.
pub async fn requests_made(intercom: &MockServer) -> Vec<String> {
    (intercom.received_requests().await.unwrap())
        .iter()
        .map(|request| format!("{} {}", request.method, request.url.path()))
        .collect()
}

/// Calls `tool` with `args` (a JSON object) through `client`, and answers its result. The
/// running service's `call_tool`, not its peer's: it answers a 2026-07-28 input-required round
/// through the client's handler.
pub async fn call_tool<C: ClientHandler>(
    client: &RunningService<RoleClient, C>,
    tool: &str,
    args: Value,
) -> CallToolResult {
    let Value::Object(args) = args else {
        panic!("arguments must be an object")
    };
    client
        .call_tool(CallToolRequestParams::new(tool.to_owned()).with_arguments(args))
        .await
        .unwrap()
}

impl Harness {
    pub async fn call(&self, tool: &str, args: Value) -> CallToolResult {
        call_tool(&self.client, tool, args).await
    }

    pub async fn notify_token(&self, params: Value) {
        let notification = CustomNotification::new("notifications/token/update", Some(params));
        self.client
            .send_notification(ClientNotification::CustomNotification(notification))
            .await
            .unwrap();
    }

    pub async fn requests(&self) -> Vec<wiremock::Request> {
        self.intercom.received_requests().await.unwrap_or_default()
    }

    /// The one request the mock received; fails when there were more or none.
    pub async fn only_request(&self) -> wiremock::Request {
        let mut requests = self.requests().await;
        assert_eq!(
            requests.len(),
            1,
            "expected exactly one request, got {}",
            requests.len()
        );
        requests.remove(0)
    }
}

/// Every tool, with arguments that pass validation (writes name their admin: no GET /me).
pub fn every_tool() -> Vec<(&'static str, Value)> {
    vec![
        ("intercomListContacts", json!({})),
        (
            "intercomSearchContacts",
            json!({"query": {"field": "role", "operator": "=", "value": "lead"}}),
        ),
        ("intercomGetContact", json!({"contact_id": "c1"})),
        ("intercomCreateContact", json!({"email": "a@example.com"})),
        (
            "intercomUpdateContact",
            json!({"contact_id": "c1", "name": "Ada"}),
        ),
        (
            "intercomAddNote",
            json!({"contact_id": "c1", "body": "hello", "admin_id": "9"}),
        ),
        ("intercomListConversations", json!({})),
        (
            "intercomSearchConversations",
            json!({"query": {"field": "state", "operator": "=", "value": "open"}}),
        ),
        ("intercomGetConversation", json!({"conversation_id": "1"})),
        (
            "intercomReplyConversation",
            json!({"conversation_id": "1", "message_type": "comment", "body": "hi", "admin_id": "9"}),
        ),
        (
            "intercomCloseConversation",
            json!({"conversation_id": "1", "admin_id": "9"}),
        ),
        (
            "intercomAssignConversation",
            json!({"conversation_id": "1", "type": "admin", "admin_id": "9", "assignee_id": "8"}),
        ),
        ("intercomListCompanies", json!({})),
        ("intercomGetCompany", json!({"company_id": "co1"})),
        ("intercomListTags", json!({})),
        ("intercomTagContact", json!({"contact_id": "c1", "id": "7"})),
    ]
}

/// Runs the binary with only `vars` in its environment.
pub fn binary(args: &[&str], vars: &[(&str, &str)]) -> std::process::Output {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_intercom-mcp"));
    command
        .args(args)
        .env_clear()
        .current_dir(std::env::temp_dir());
    for (name, value) in vars {
        command.env(name, value);
    }
    command.output().unwrap()
}

/// The binary with `args` and only `vars` in its environment, in the temporary directory,
/// killed when dropped; the caller sets up its stdio.
pub fn command(args: &[&str], vars: &[(&str, &str)]) -> tokio::process::Command {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_intercom-mcp"));
    command
        .args(args)
        .env_clear()
        .current_dir(std::env::temp_dir())
        .kill_on_drop(true);
    for (name, value) in vars {
        command.env(name, value);
    }
    command
}

/// Starts the binary with `args` and only `vars` in its environment; stdin, stdout and stderr
/// piped; killed when dropped.
pub fn spawn(args: &[&str], vars: &[(&str, &str)]) -> tokio::process::Child {
    command(args, vars)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap()
}

pub fn text(result: &CallToolResult) -> String {
    result
        .content
        .iter()
        .filter_map(|block| block.as_text().map(|text| text.text.clone()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// `text` with this process's fence markers around customer text taken out: for tests about
/// something else than the fences.
pub fn unfenced(text: &str) -> String {
    let tag = intercom_mcp::untrusted::tag();
    text.replace(&format!("⟦c:{tag}⟧"), "")
        .replace(&format!("⟦/c:{tag}⟧"), "")
}

pub fn is_error(result: &CallToolResult) -> bool {
    result.is_error == Some(true)
}

/// Asserts the headers every request to Intercom carries.
pub fn assert_standard_headers(request: &wiremock::Request, token: &str) {
    let header = |name: &str| {
        request
            .headers
            .get(name)
            .map(|value| value.to_str().unwrap().to_owned())
    };
    assert_eq!(
        header("authorization").as_deref(),
        Some(format!("Bearer {token}").as_str())
    );
    assert_eq!(header("intercom-version").as_deref(), Some("2.11"));
    assert_eq!(header("accept").as_deref(), Some("application/json"));
    assert_eq!(
        header("user-agent").as_deref(),
        Some(concat!("intercom-mcp/", env!("CARGO_PKG_VERSION")))
    );
    assert_eq!(
        header("api-version"),
        None,
        "progenitor's own header must not reach Intercom"
    );
}

pub fn body_json(request: &wiremock::Request) -> Value {
    if request.body.is_empty() {
        return json!(null);
    }
    serde_json::from_slice(&request.body).unwrap()
}

/// Intercom's published document, laid beside the project in `../shared`. A clone on its own
/// has none: tests that need it then say so and pass, unless INTERCOM_MCP_REQUIRE_UPSTREAM is
/// set (as `.ci/run` does), where its absence fails.
pub fn upstream() -> Option<Value> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/intercom-openapi/api.intercom.io.2.11.yaml"
    );
    match std::fs::read_to_string(path) {
        Ok(text) => Some(serde_norway::from_str(&text).unwrap()),
        Err(_) if std::env::var_os("INTERCOM_MCP_REQUIRE_UPSTREAM").is_none() => {
            eprintln!("skipped: no upstream document at {path}");
            None
        }
        Err(err) => panic!("the upstream document is required at {path}: {err}"),
    }
}
