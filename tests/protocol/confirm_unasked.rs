//! Writes that need confirmation when nobody can be asked (issue 25, item 3): a 2025 client
//! over HTTP (stateless: never asked mid-call), a client without elicitation, and the `call`
//! command. `--unconfirmable send` sends and says the user was not asked; `refuse` sends
//! nothing and says what would allow it.

use rmcp::model::{CallToolRequestParams, CallToolResult, ElicitationAction, ProtocolVersion};
use rmcp::service::{ClientLifecycleMode, ClientServiceExt};
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use serde_json::{Value, json};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::confirm::{Answering, answering, connect_with, reply};
use crate::common::deploy::deploy;
use crate::common::{self, TOKEN, body_json, is_error, text};

fn meta(result: &CallToolResult) -> Value {
    serde_json::to_value(&result.meta).unwrap()["intercom-mcp/confirmation"].clone()
}

async fn call_2025_over_http(
    unconfirmable: &str,
) -> (CallToolResult, usize, Answering, Vec<wiremock::Request>) {
    let deployment = deploy(&[("INTERCOM_UNCONFIRMABLE", unconfirmable)]).await;
    let handler = answering(ElicitationAction::Accept, true);
    let transport = StreamableHttpClientTransport::from_config(
        StreamableHttpClientTransportConfig::with_uri(deployment.url()).auth_header("tok_alice"),
    );
    let client = handler
        .clone()
        .serve_with_lifecycle(transport, ClientLifecycleMode::Initialize)
        .await
        .unwrap();
    let Value::Object(args) = reply() else {
        panic!()
    };
    let result = client
        .call_tool(CallToolRequestParams::new("intercomReplyConversation").with_arguments(args))
        .await
        .unwrap();
    let requests = deployment.intercom.received_requests().await.unwrap();
    (result, requests.len(), handler, requests)
}

#[tokio::test]
async fn a_2025_client_over_http_is_not_asked_and_refuse_sends_nothing() {
    let (result, sent, handler, _) = call_2025_over_http("refuse").await;
    assert!(is_error(&result), "{}", text(&result));
    let said = text(&result);
    assert!(
        said.starts_with("Not sent:") && said.contains("MCP 2025 over HTTP"),
        "{said}"
    );
    assert!(
        said.contains("--unconfirmable send") && said.contains("form elicitation"),
        "{said}"
    );
    assert_eq!(meta(&result), "not-asked");
    assert_eq!(sent, 0, "nothing reached Intercom");
    assert!(handler.asked.lock().unwrap().is_empty());
}

#[tokio::test]
async fn a_2025_client_over_http_is_not_asked_and_send_sends_once_saying_so() {
    let (result, sent, handler, requests) = call_2025_over_http("send").await;
    assert!(!is_error(&result), "{}", text(&result));
    assert!(
        text(&result).contains("The user was not asked to confirm this write"),
        "{}",
        text(&result)
    );
    assert_eq!(meta(&result), "not-asked");
    assert_eq!(sent, 1);
    assert_eq!(requests[0].url.path(), "/conversations/1/reply");
    assert_eq!(
        body_json(&requests[0])["body"],
        "Your refund is on its way."
    );
    assert!(handler.asked.lock().unwrap().is_empty());
}

#[tokio::test]
async fn a_client_without_elicitation_under_refuse_sends_nothing_on_either_revision() {
    for version in [ProtocolVersion::V_2025_06_18, ProtocolVersion::V_2026_07_28] {
        let handler = Answering {
            version: version.clone(),
            ..answering(ElicitationAction::Accept, true)
        };
        // Declares no elicitation: the capabilities of `()`'s kind.
        let session = connect_with(
            NoElicitation(handler),
            &[("INTERCOM_UNCONFIRMABLE", "refuse")],
            Default::default(),
        )
        .await;
        let result = session.call("intercomReplyConversation", reply()).await;
        assert!(is_error(&result), "{version}: {}", text(&result));
        assert!(
            text(&result).contains("declared no form elicitation"),
            "{}",
            text(&result)
        );
        assert_eq!(session.sent().await, 0, "{version}");
        // Writes that need no confirmation go as ever.
        let note = json!({"conversation_id": "1", "message_type": "note", "body": "internal", "admin_id": "9"});
        let result = session.call("intercomReplyConversation", note).await;
        assert!(
            !is_error(&result) && result.meta.is_none(),
            "{}",
            text(&result)
        );
        assert_eq!(session.sent().await, 1, "{version}");
    }
}

/// A client of `Answering`'s revision that declares no elicitation.
#[derive(Clone)]
struct NoElicitation(Answering);

impl rmcp::ClientHandler for NoElicitation {
    fn get_info(&self) -> rmcp::model::ClientConfig {
        rmcp::model::ClientConfig::new(
            Default::default(),
            rmcp::model::Implementation::new("plain", "1"),
        )
        .with_protocol_version(self.0.version.clone())
    }
}

#[tokio::test]
async fn the_call_command_under_refuse_sends_nothing() {
    let intercom = MockServer::start().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"type": "conversation", "id": "1"})),
        )
        .mount(&intercom)
        .await;
    let uri = intercom.uri();
    let args = reply().to_string();
    let run = |unconfirmable: &'static str| {
        let vars = [
            ("accessToken", TOKEN),
            ("INTERCOM_BASE_URL", uri.as_str()),
            ("INTERCOM_UNCONFIRMABLE", unconfirmable),
        ];
        common::command(&["call", "intercomReplyConversation", &args], &vars).output()
    };
    let refused = run("refuse").await.unwrap();
    let stdout = String::from_utf8_lossy(&refused.stdout);
    assert_eq!(refused.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("Not sent:") && stdout.contains("`call` command"),
        "{stdout}"
    );
    assert!(intercom.received_requests().await.unwrap().is_empty());

    let sent = run("send").await.unwrap();
    let stdout = String::from_utf8_lossy(&sent.stdout);
    assert_eq!(sent.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("The user was not asked"), "{stdout}");
    assert_eq!(intercom.received_requests().await.unwrap().len(), 1);
}
