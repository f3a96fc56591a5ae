//! Confirmation at MCP 2026-07-28 (issue 25, item 1): a customer-visible reply is answered
//! with an input-required result, and only the retry carrying the user's accept sends it,
//! exactly once, exactly as asked. Over stdio in process and through the binary, and over HTTP;
//! a decline or cancel sends nothing; a tampered, expired, replayed or altered request state is
//! refused and sends nothing.

use std::sync::Arc;
use std::time::Duration;

use intercom_mcp::policy::Clock;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ElicitResult, ElicitationAction,
    InputRequiredResult, InputResponses, ProtocolVersion,
};
use rmcp::service::{ClientLifecycleMode, ClientServiceExt, RoleClient, RunningService};
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use serde_json::{Value, json};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::confirm::{Answering, answering, connect_with, reply};
use crate::common::deploy::deploy;
use crate::common::{self, RecordingClock, TOKEN, body_json, is_error, text};

const MESSAGE: &str = "Your refund is on its way.";

pub(crate) fn modern(action: ElicitationAction, send: bool) -> Answering {
    Answering {
        version: ProtocolVersion::V_2026_07_28,
        ..answering(action, send)
    }
}

pub(crate) fn params(args: Value) -> CallToolRequestParams {
    let Value::Object(args) = args else { panic!() };
    CallToolRequestParams::new("intercomReplyConversation").with_arguments(args)
}

/// The one request Intercom received is exactly the reply that was confirmed.
pub(crate) async fn assert_sent_once(intercom: &MockServer) {
    let requests = intercom.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1, "sent exactly once");
    assert_eq!(requests[0].method.as_str(), "POST");
    assert_eq!(requests[0].url.path(), "/conversations/1/reply");
    assert_eq!(
        body_json(&requests[0]),
        json!({"type": "admin", "message_type": "comment", "body": MESSAGE, "admin_id": "9"})
    );
}

pub(crate) fn assert_confirmed(result: &CallToolResult) {
    assert!(!is_error(result), "{}", text(result));
    assert!(
        text(result).contains("The user confirmed this write"),
        "{}",
        text(result)
    );
    let meta = serde_json::to_value(&result.meta).unwrap();
    assert_eq!(meta["intercom-mcp/confirmation"], "confirmed", "{meta}");
}

pub(crate) fn assert_refused(result: &CallToolResult, why: &str) {
    assert!(is_error(result), "{}", text(result));
    assert!(
        text(result).starts_with("Not sent:") && text(result).contains(why),
        "{}",
        text(result)
    );
}

/// The user's answer to `asked`, as a client sends it back.
pub(crate) fn answer(
    asked: &InputRequiredResult,
    action: ElicitationAction,
    send: bool,
) -> InputResponses {
    let key = asked
        .input_requests
        .as_ref()
        .unwrap()
        .keys()
        .next()
        .unwrap();
    let mut result = ElicitResult::new(action);
    if send {
        result = result.with_content(json!({"send": true}));
    }
    [(key.clone(), serde_json::to_value(result).unwrap())]
        .into_iter()
        .collect()
}

pub(crate) async fn ask_once<C: rmcp::ClientHandler>(
    client: &RunningService<RoleClient, C>,
    args: Value,
) -> InputRequiredResult {
    match client.call_tool_once(params(args)).await.unwrap() {
        CallToolResponse::InputRequired(asked) => asked,
        other => panic!("expected input_required, got {other:?}"),
    }
}

pub(crate) async fn retry<C: rmcp::ClientHandler>(
    client: &RunningService<RoleClient, C>,
    args: Value,
    responses: InputResponses,
    state: &str,
) -> CallToolResult {
    let params = params(args)
        .with_input_responses(responses)
        .with_request_state(state.to_owned());
    match client.call_tool_once(params).await.unwrap() {
        CallToolResponse::Complete(result) => result,
        other => panic!("expected a result, got {other:?}"),
    }
}

#[tokio::test]
async fn over_stdio_a_confirmed_reply_is_sent_once_and_a_decline_or_cancel_sends_nothing() {
    let handler = modern(ElicitationAction::Accept, true);
    let session = connect_with(handler.clone(), &[], Arc::default()).await;
    let result = session.call("intercomReplyConversation", reply()).await;
    assert_confirmed(&result);
    assert_sent_once(&session.intercom).await;
    let asked = handler.asked.lock().unwrap().clone();
    assert_eq!(asked.len(), 1);
    assert!(
        asked[0].contains(MESSAGE) && asked[0].contains("conversation 1"),
        "{asked:?}"
    );

    for (action, send) in [
        (ElicitationAction::Decline, false),
        (ElicitationAction::Cancel, false),
        (ElicitationAction::Accept, false),
    ] {
        let handler = modern(action.clone(), send);
        let session = connect_with(handler.clone(), &[], Arc::default()).await;
        let result = session.call("intercomReplyConversation", reply()).await;
        assert_refused(&result, "Do not retry unless the user asks");
        let meta = serde_json::to_value(&result.meta).unwrap();
        assert_eq!(meta["intercom-mcp/confirmation"], "declined", "{meta}");
        assert_eq!(session.sent().await, 0, "{action:?}: nothing sent");
        assert_eq!(handler.asked.lock().unwrap().len(), 1);
    }
}

#[tokio::test]
async fn a_tampered_altered_or_replayed_state_is_refused_and_sends_nothing_more() {
    let session = connect_with(modern(ElicitationAction::Accept, true), &[], Arc::default()).await;
    let client = &session.client;
    let asked = ask_once(client, reply()).await;
    let state = asked.request_state.clone().unwrap();
    let yes = answer(&asked, ElicitationAction::Accept, true);

    let mut tampered = state.clone().into_bytes();
    let at = tampered.len() / 2;
    tampered[at] = if tampered[at] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap();
    let result = retry(client, reply(), yes.clone(), &tampered).await;
    assert_refused(&result, "not one this server issued");

    let mut altered = reply();
    altered["body"] = json!("Your refund is NOT on its way.");
    let result = retry(client, altered, yes.clone(), &state).await;
    assert_refused(&result, "differs from the one the user confirmed");
    assert_eq!(session.sent().await, 0);

    // The exact call, its arguments in another order: sent once.
    let reordered = json!({"admin_id": "9", "body": MESSAGE, "message_type": "comment", "conversation_id": "1"});
    assert_confirmed(&retry(client, reordered, yes.clone(), &state).await);
    let result = retry(client, reply(), yes, &state).await;
    assert_refused(&result, "already used");
    assert_sent_once(&session.intercom).await;
}

#[tokio::test]
async fn an_expired_state_is_refused() {
    let clock = Arc::new(RecordingClock::default());
    let session = connect_with(modern(ElicitationAction::Accept, true), &[], clock.clone()).await;
    let asked = ask_once(&session.client, reply()).await;
    let yes = answer(&asked, ElicitationAction::Accept, true);
    // Ten minutes and a bit pass before the answer comes back.
    clock.sleep(Duration::from_secs(602)).await;
    let result = retry(
        &session.client,
        reply(),
        yes,
        asked.request_state.as_deref().unwrap(),
    )
    .await;
    assert_refused(&result, "expired");
    assert_eq!(session.sent().await, 0);
}

/// A client of 2026-07-28 over HTTP with `bearer`, answering as `handler` does.
pub(crate) async fn http_client(
    url: String,
    bearer: &str,
    handler: Answering,
) -> RunningService<RoleClient, Answering> {
    let transport = StreamableHttpClientTransport::from_config(
        StreamableHttpClientTransportConfig::with_uri(url).auth_header(bearer.to_owned()),
    );
    let lifecycle = ClientLifecycleMode::Discover {
        preferred_versions: vec![ProtocolVersion::V_2026_07_28],
    };
    handler
        .serve_with_lifecycle(transport, lifecycle)
        .await
        .unwrap()
}

#[tokio::test]
async fn over_http_a_confirmed_reply_is_sent_once_a_decline_sends_nothing_and_a_state_is_one_tenants()
 {
    let deployment = deploy(&[]).await;
    let handler = modern(ElicitationAction::Accept, true);
    let alice = http_client(deployment.url(), "tok_alice", handler.clone()).await;
    let result = alice.call_tool(params(reply())).await.unwrap();
    assert_confirmed(&result);
    assert_sent_once(&deployment.intercom).await;
    assert_eq!(handler.asked.lock().unwrap().len(), 1);

    for action in [ElicitationAction::Decline, ElicitationAction::Cancel] {
        let handler = modern(action.clone(), false);
        let client = http_client(deployment.url(), "tok_alice", handler.clone()).await;
        let result = client.call_tool(params(reply())).await.unwrap();
        assert_refused(&result, "Do not retry unless the user asks");
        assert_eq!(handler.asked.lock().unwrap().len(), 1, "{action:?}");
    }
    assert_eq!(
        deployment.sent().await,
        1,
        "a decline or cancel sends nothing"
    );

    // A state issued to one token does not open for another.
    let asked = ask_once(&alice, reply()).await;
    let yes = answer(&asked, ElicitationAction::Accept, true);
    let bob = http_client(
        deployment.url(),
        "tok_bob",
        modern(ElicitationAction::Accept, true),
    )
    .await;
    let result = retry(&bob, reply(), yes, asked.request_state.as_deref().unwrap()).await;
    assert_refused(&result, "differs from the one the user confirmed");
    assert_eq!(deployment.sent().await, 1);
}

#[tokio::test]
async fn through_the_binary_over_stdio_a_confirmed_reply_is_sent_once() {
    let intercom = MockServer::start().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"type": "conversation", "id": "1"})),
        )
        .mount(&intercom)
        .await;
    let uri = intercom.uri();
    let vars = [("accessToken", TOKEN), ("INTERCOM_BASE_URL", uri.as_str())];
    for (action, send, sent) in [
        (ElicitationAction::Decline, false, 0),
        (ElicitationAction::Accept, true, 1),
    ] {
        let mut child = common::spawn(&[], &vars);
        let io = (child.stdout.take().unwrap(), child.stdin.take().unwrap());
        let handler = modern(action, send);
        let lifecycle = ClientLifecycleMode::Discover {
            preferred_versions: vec![ProtocolVersion::V_2026_07_28],
        };
        let client = handler
            .clone()
            .serve_with_lifecycle(io, lifecycle)
            .await
            .unwrap();
        let result = client.call_tool(params(reply())).await.unwrap();
        assert_eq!(!is_error(&result), send, "{}", text(&result));
        assert_eq!(handler.asked.lock().unwrap().len(), 1);
        client.cancel().await.unwrap();
        assert!(child.wait().await.unwrap().success());
        assert_eq!(intercom.received_requests().await.unwrap().len(), sent);
    }
    assert_sent_once(&intercom).await;
}
