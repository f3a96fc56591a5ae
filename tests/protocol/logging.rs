//! MCP logging (2025-11-25, server/utilities/logging) with rmcp clients against a mock
//! Intercom: through the real binary over stdio a client at `info` is told of exactly the retry
//! of a read Intercom answered 503, at `error` of nothing, and an unknown level is -32602; in
//! process, a client that set no level hears nothing, a 429 and a spent window are warnings;
//! over stateless HTTP `logging/setLevel` answers `{}` and nothing is sent; at 2026-07-28 the
//! method is gone (-32601) and no `logging` capability is declared.
#![allow(deprecated)] // rmcp marks logging deprecated: 2026-07-28 drops it, 2025 has it.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use intercom_mcp::server::IntercomServer;
use rmcp::model::{
    CallToolRequestParams, CallToolResult, ClientCapabilities, ClientConfig, ClientRequest,
    CustomRequest, ErrorCode, Implementation, LoggingLevel, LoggingMessageNotificationParam,
    ProtocolVersion, SetLevelRequestParams,
};
use rmcp::service::{
    ClientLifecycleMode, ClientServiceExt, NotificationContext, RunningService, ServiceError,
};
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::{ClientHandler, RoleClient, ServiceExt};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common;
use crate::common::deploy::deploy;
use crate::common::{RecordingClock, TOKEN, is_error, text};

/// A client that keeps every log message it is sent.
#[derive(Clone)]
struct Listening {
    version: ProtocolVersion,
    heard: Arc<Mutex<Vec<LoggingMessageNotificationParam>>>,
}

impl Listening {
    fn new(version: ProtocolVersion) -> Self {
        Self {
            version,
            heard: Arc::default(),
        }
    }

    fn heard(&self) -> Vec<LoggingMessageNotificationParam> {
        self.heard.lock().unwrap().clone()
    }

    /// The messages heard once `count` have arrived (or 10 s have passed), after a moment in
    /// which any more would have arrived too. The server sends each before the wait it
    /// announces, so before the call's answer; only the client's handling of it runs apart.
    async fn settled(&self, count: usize) -> Vec<LoggingMessageNotificationParam> {
        for _ in 0..1_000 {
            if self.heard.lock().unwrap().len() >= count {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
        self.heard()
    }
}

impl ClientHandler for Listening {
    fn get_info(&self) -> ClientConfig {
        ClientConfig::new(
            ClientCapabilities::default(),
            Implementation::new("listening", "1"),
        )
        .with_protocol_version(self.version.clone())
    }

    async fn on_logging_message(
        &self,
        params: LoggingMessageNotificationParam,
        _context: NotificationContext<RoleClient>,
    ) {
        self.heard.lock().unwrap().push(params);
    }
}

async fn connect<T, E, A>(transport: T, handler: Listening) -> RunningService<RoleClient, Listening>
where
    T: rmcp::transport::IntoTransport<RoleClient, E, A>,
    E: std::error::Error + Send + Sync + 'static,
{
    let lifecycle = if handler.version.has_initialize() {
        ClientLifecycleMode::Initialize
    } else {
        ClientLifecycleMode::Discover {
            preferred_versions: vec![handler.version.clone()],
        }
    };
    handler
        .serve_with_lifecycle(transport, lifecycle)
        .await
        .unwrap()
}

/// `GET /tags` answers `first` once, then 200 with an empty list.
async fn tags_once(intercom: &MockServer, first: ResponseTemplate) {
    Mock::given(method("GET"))
        .and(path("/tags"))
        .respond_with(first)
        .up_to_n_times(1)
        .with_priority(1)
        .mount(intercom)
        .await;
}

async fn tags_ok(intercom: &MockServer) {
    Mock::given(method("GET"))
        .and(path("/tags"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"type": "list", "data": []})))
        .with_priority(2)
        .mount(intercom)
        .await;
}

async fn list_tags(client: &RunningService<RoleClient, Listening>) -> CallToolResult {
    client
        .call_tool(CallToolRequestParams::new("intercomListTags"))
        .await
        .unwrap()
}

async fn set_level(
    client: &RunningService<RoleClient, Listening>,
    level: LoggingLevel,
) -> Result<(), ServiceError> {
    client.set_level(SetLevelRequestParams::new(level)).await
}

fn error_code(result: Result<impl std::fmt::Debug, ServiceError>) -> ErrorCode {
    match result {
        Err(ServiceError::McpError(error)) => error.code,
        other => panic!("expected a JSON-RPC error, got {other:?}"),
    }
}

async fn sent(intercom: &MockServer) -> usize {
    intercom.received_requests().await.unwrap_or_default().len()
}

#[tokio::test]
async fn the_binary_tells_an_info_client_of_exactly_the_retry_and_an_error_client_nothing() {
    let intercom = MockServer::start().await;
    tags_once(&intercom, ResponseTemplate::new(503)).await;
    tags_ok(&intercom).await;
    let uri = intercom.uri();
    let mut child = common::spawn(
        &[],
        &[("accessToken", TOKEN), ("INTERCOM_BASE_URL", uri.as_str())],
    );
    let io = (child.stdout.take().unwrap(), child.stdin.take().unwrap());
    let listening = Listening::new(ProtocolVersion::V_2025_11_25);
    let client = connect(io, listening.clone()).await;
    let declared = client.peer_info().unwrap().capabilities.logging.clone();
    assert_eq!(declared, Some(serde_json::Map::new()));

    set_level(&client, LoggingLevel::Info).await.unwrap();
    let result = list_tags(&client).await;
    assert!(!is_error(&result), "{}", text(&result));
    assert_eq!(sent(&intercom).await, 2);
    let heard = listening.settled(1).await;
    assert_eq!(heard.len(), 1, "{heard:?}");
    let retry = &heard[0];
    assert_eq!(retry.level, LoggingLevel::Info);
    assert_eq!(retry.logger.as_deref(), Some("intercom"));
    assert_eq!(retry.data["operation"], "list_tags");
    let message = retry.data["message"].as_str().unwrap();
    assert!(
        message.starts_with("Intercom answered list_tags with HTTP 503: sending it again in "),
        "{message}"
    );
    // backon's first wait is at least its minimum, half a second.
    assert!(retry.data["waitMs"].as_u64().unwrap() >= 500, "{retry:?}");
    assert!(!serde_json::to_string(retry).unwrap().contains(TOKEN));

    // An unknown level is invalid params.
    let unknown = CustomRequest::new("logging/setLevel", Some(json!({"level": "verbose"})));
    let answer = client
        .send_request(ClientRequest::CustomRequest(unknown))
        .await;
    assert_eq!(error_code(answer), ErrorCode::INVALID_PARAMS);

    // At `error`, the same retry is not told.
    set_level(&client, LoggingLevel::Error).await.unwrap();
    tags_once(&intercom, ResponseTemplate::new(503)).await;
    let result = list_tags(&client).await;
    assert!(!is_error(&result), "{}", text(&result));
    assert_eq!(sent(&intercom).await, 4);
    assert_eq!(listening.settled(1).await.len(), 1);
    client.cancel().await.unwrap();
}

/// The server in process, on a clock that records waits instead of sleeping.
async fn in_process(intercom: &MockServer) -> (RunningService<RoleClient, Listening>, Listening) {
    let config = common::config(&[("accessToken", TOKEN)], &intercom.uri());
    let server = IntercomServer::with_clock(&config, Arc::new(RecordingClock::default())).unwrap();
    let (server_io, client_io) = tokio::io::duplex(1 << 20);
    tokio::spawn(async move {
        if let Ok(running) = server.serve(server_io).await {
            let _ = running.waiting().await;
        }
    });
    let listening = Listening::new(ProtocolVersion::V_2025_06_18);
    (connect(client_io, listening.clone()).await, listening)
}

#[tokio::test]
async fn a_client_that_set_no_level_is_told_nothing() {
    let intercom = MockServer::start().await;
    tags_once(&intercom, ResponseTemplate::new(503)).await;
    tags_ok(&intercom).await;
    let (client, listening) = in_process(&intercom).await;
    let result = list_tags(&client).await;
    assert!(!is_error(&result), "{}", text(&result));
    assert_eq!(sent(&intercom).await, 2);
    assert!(listening.settled(0).await.is_empty());
}

#[tokio::test]
async fn a_429_and_a_spent_window_are_warnings_with_their_waits() {
    let intercom = MockServer::start().await;
    // The first answer is a 429 asking for 3 s; the second spends the window until 7 s from
    // the clock's now, so the next call holds for it.
    tags_once(
        &intercom,
        ResponseTemplate::new(429).insert_header("retry-after", "3"),
    )
    .await;
    let reset = common::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 10;
    Mock::given(method("GET"))
        .and(path("/tags"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"type": "list", "data": []}))
                .insert_header("x-ratelimit-remaining", "0")
                .insert_header("x-ratelimit-reset", reset.to_string().as_str()),
        )
        .with_priority(2)
        .mount(&intercom)
        .await;
    let (client, listening) = in_process(&intercom).await;
    set_level(&client, LoggingLevel::Warning).await.unwrap();
    assert!(!is_error(&list_tags(&client).await));
    assert!(!is_error(&list_tags(&client).await));
    assert_eq!(sent(&intercom).await, 3);
    let heard = listening.settled(2).await;
    assert_eq!(heard.len(), 2, "{heard:?}");
    assert!(heard.iter().all(|m| m.level == LoggingLevel::Warning));
    let limited = heard[0].data["message"].as_str().unwrap();
    assert!(
        limited.starts_with("Intercom's rate limit stopped list_tags: sending it again in 3."),
        "{limited}"
    );
    // 3 s plus up to a tenth of jitter.
    let waited = heard[0].data["waitMs"].as_u64().unwrap();
    assert!((3_000..=3_300).contains(&waited), "{waited}");
    let held = heard[1].data["message"].as_str().unwrap();
    assert!(
        held.starts_with("Intercom's rate limit for this token is spent: waiting "),
        "{held}"
    );
    // The clock moved 3 s (and jitter) during the first call: 7 s or a little less are left.
    let holding = heard[1].data["waitMs"].as_u64().unwrap();
    assert!((6_000..=7_000).contains(&holding), "{holding}");
}

#[tokio::test]
async fn over_stateless_http_set_level_answers_and_nothing_is_sent() {
    let deployment = deploy(&[]).await;
    tags_once(&deployment.intercom, ResponseTemplate::new(503)).await;
    let transport = StreamableHttpClientTransport::from_config(
        StreamableHttpClientTransportConfig::with_uri(deployment.url()).auth_header(TOKEN),
    );
    let listening = Listening::new(ProtocolVersion::V_2025_11_25);
    let client = connect(transport, listening.clone()).await;
    let declared = client.peer_info().unwrap().capabilities.logging.clone();
    assert_eq!(declared, Some(serde_json::Map::new()));
    set_level(&client, LoggingLevel::Debug).await.unwrap();
    let result = list_tags(&client).await;
    assert!(!is_error(&result), "{}", text(&result));
    assert_eq!(deployment.sent().await, 2);
    assert!(listening.settled(0).await.is_empty());
}

#[tokio::test]
async fn at_2026_07_28_set_level_is_gone_and_no_logging_is_declared() {
    let intercom = MockServer::start().await;
    let uri = intercom.uri();
    let mut child = common::spawn(
        &[],
        &[("accessToken", TOKEN), ("INTERCOM_BASE_URL", uri.as_str())],
    );
    let io = (child.stdout.take().unwrap(), child.stdin.take().unwrap());
    let client = connect(io, Listening::new(ProtocolVersion::V_2026_07_28)).await;
    let capabilities: Value =
        serde_json::to_value(&client.peer_info().unwrap().capabilities).unwrap();
    assert!(capabilities.get("tools").is_some(), "{capabilities}");
    assert!(capabilities.get("logging").is_none(), "{capabilities}");
    let answer = set_level(&client, LoggingLevel::Info).await;
    assert_eq!(error_code(answer), ErrorCode::METHOD_NOT_FOUND);
    client.cancel().await.unwrap();
}
