//! Confirmation before a customer sees anything (issue 16, item 4), with real rmcp clients
//! that answer the server's elicitation: a decline sends nothing, an accept sends exactly one
//! request, a client without elicitation is not asked, and internal notes never ask.

use std::sync::{Arc, Mutex};

use intercom_mcp::server::IntercomServer;
use rmcp::model::{
    CallToolResult, ClientCapabilities, ClientConfig, ElicitRequestParams, ElicitResult,
    ElicitationAction, Implementation, ProtocolVersion,
};
use rmcp::service::{ClientLifecycleMode, ClientServiceExt, RequestContext, RunningService};
use rmcp::{ClientHandler, ErrorData, RoleClient, ServiceExt};
use serde_json::{Value, json};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common;
use crate::common::{RecordingClock, TOKEN, is_error, text};

/// A client that supports form elicitation and answers every question the same way,
/// keeping the questions it was asked.
#[derive(Clone)]
pub(crate) struct Answering {
    pub(crate) action: ElicitationAction,
    pub(crate) send: bool,
    pub(crate) asked: Arc<Mutex<Vec<String>>>,
    pub(crate) version: ProtocolVersion,
}

impl ClientHandler for Answering {
    fn get_info(&self) -> ClientConfig {
        let capabilities: ClientCapabilities =
            serde_json::from_value(json!({"elicitation": {"form": {}}})).unwrap();
        ClientConfig::new(capabilities, Implementation::new("answering", "1"))
            .with_protocol_version(self.version.clone())
    }

    async fn create_elicitation(
        &self,
        request: ElicitRequestParams,
        _context: RequestContext<RoleClient>,
    ) -> Result<ElicitResult, ErrorData> {
        let ElicitRequestParams::FormElicitationParams { message, .. } = request else {
            panic!("a form was expected");
        };
        self.asked.lock().unwrap().push(message);
        let result = ElicitResult::new(self.action.clone());
        Ok(match self.action {
            ElicitationAction::Accept => result.with_content(json!({"send": self.send})),
            _ => result,
        })
    }
}

pub(crate) struct Session<C: ClientHandler> {
    pub(crate) intercom: MockServer,
    pub(crate) client: RunningService<RoleClient, C>,
}

async fn connect<C: ClientHandler>(handler: C, vars: &[(&str, &str)]) -> Session<C> {
    connect_with(handler, vars, Arc::new(RecordingClock::default())).await
}

/// An in-process stdio session whose server reads the time from `clock`.
pub(crate) async fn connect_with<C: ClientHandler>(
    handler: C,
    vars: &[(&str, &str)],
    clock: Arc<RecordingClock>,
) -> Session<C> {
    let intercom = MockServer::start().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"type": "conversation", "id": "1"})),
        )
        .mount(&intercom)
        .await;
    let mut all = vec![("accessToken", TOKEN)];
    all.extend_from_slice(vars);
    let config = common::config(&all, &intercom.uri());
    let server = IntercomServer::with_clock(&config, clock).unwrap();
    let (server_io, client_io) = tokio::io::duplex(1 << 20);
    tokio::spawn(async move {
        if let Ok(running) = server.serve(server_io).await {
            let _ = running.waiting().await;
        }
    });
    let lifecycle = if handler.get_info().protocol_version.has_initialize() {
        ClientLifecycleMode::Initialize
    } else {
        ClientLifecycleMode::Discover {
            preferred_versions: vec![handler.get_info().protocol_version],
        }
    };
    let client = handler
        .serve_with_lifecycle(client_io, lifecycle)
        .await
        .unwrap();
    Session { intercom, client }
}

impl<C: ClientHandler> Session<C> {
    pub(crate) async fn call(&self, tool: &str, args: Value) -> CallToolResult {
        common::call_tool(&self.client, tool, args).await
    }

    pub(crate) async fn sent(&self) -> usize {
        self.intercom.received_requests().await.unwrap().len()
    }
}

pub(crate) fn answering(action: ElicitationAction, send: bool) -> Answering {
    Answering {
        action,
        send,
        asked: Arc::default(),
        version: ProtocolVersion::V_2025_06_18,
    }
}

pub(crate) fn reply() -> Value {
    json!({"conversation_id": "1", "message_type": "comment", "body": "Your refund is on its way.", "admin_id": "9"})
}

#[tokio::test]
async fn a_declined_reply_sends_nothing_and_says_so() {
    for (action, send) in [
        (ElicitationAction::Decline, false),
        (ElicitationAction::Cancel, false),
        (ElicitationAction::Accept, false),
    ] {
        let handler = answering(action.clone(), send);
        let session = connect(handler.clone(), &[]).await;
        let result = session.call("intercomReplyConversation", reply()).await;
        assert!(is_error(&result), "{action:?}");
        assert!(
            text(&result).starts_with("Not sent:")
                && text(&result).contains("Nothing reached Intercom"),
            "{}",
            text(&result)
        );
        assert_eq!(session.sent().await, 0, "{action:?}: nothing sent");
        let asked = handler.asked.lock().unwrap().clone();
        assert_eq!(asked.len(), 1);
        assert!(
            asked[0].contains("Your refund is on its way.") && asked[0].contains("conversation 1"),
            "{asked:?}"
        );
    }
}

#[tokio::test]
async fn an_accepted_reply_is_sent_exactly_once() {
    let handler = answering(ElicitationAction::Accept, true);
    let session = connect(handler.clone(), &[]).await;
    let result = session.call("intercomReplyConversation", reply()).await;
    assert!(!is_error(&result), "{}", text(&result));
    assert!(
        text(&result).contains("The user confirmed this write"),
        "{}",
        text(&result)
    );
    let requests = session.intercom.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1);
    assert_eq!(
        common::body_json(&requests[0])["body"],
        "Your refund is on its way."
    );
    // Closing and assigning with a message ask too; without one they do not.
    session
        .call(
            "intercomCloseConversation",
            json!({"conversation_id": "1", "admin_id": "9", "body": "Closing, thanks!"}),
        )
        .await;
    session
        .call(
            "intercomCloseConversation",
            json!({"conversation_id": "1", "admin_id": "9"}),
        )
        .await;
    session.call("intercomAssignConversation", json!({"conversation_id": "1", "type": "admin", "admin_id": "9", "assignee_id": "8", "body": "Handing you to billing."})).await;
    let asked = handler.asked.lock().unwrap().clone();
    assert_eq!(asked.len(), 3, "{asked:?}");
    assert!(asked[1].contains("Closing, thanks!") && asked[2].contains("Handing you to billing."));
    assert_eq!(session.sent().await, 4);
}

#[tokio::test]
async fn internal_notes_and_other_writes_ask_only_under_all() {
    let note = json!({"conversation_id": "1", "message_type": "note", "body": "internal", "admin_id": "9"});
    let handler = answering(ElicitationAction::Decline, false);
    let session = connect(handler.clone(), &[]).await;
    assert!(!is_error(
        &session
            .call("intercomReplyConversation", note.clone())
            .await
    ));
    assert!(!is_error(
        &session
            .call("intercomTagContact", json!({"contact_id": "c1", "id": "7"}))
            .await
    ));
    assert!(handler.asked.lock().unwrap().is_empty());
    assert_eq!(session.sent().await, 2);

    let handler = answering(ElicitationAction::Decline, false);
    let session = connect(handler.clone(), &[("INTERCOM_CONFIRM_WRITES", "all")]).await;
    assert!(is_error(
        &session
            .call("intercomTagContact", json!({"contact_id": "c1", "id": "7"}))
            .await
    ));
    assert!(is_error(
        &session.call("intercomReplyConversation", note).await
    ));
    assert!(
        !is_error(
            &session
                .call("intercomGetContact", json!({"contact_id": "c1"}))
                .await
        ),
        "reads never ask"
    );
    assert_eq!(handler.asked.lock().unwrap().len(), 2);
    assert_eq!(session.sent().await, 1);

    let handler = answering(ElicitationAction::Decline, false);
    let session = connect(handler.clone(), &[("INTERCOM_CONFIRM_WRITES", "never")]).await;
    assert!(!is_error(
        &session.call("intercomReplyConversation", reply()).await
    ));
    assert!(handler.asked.lock().unwrap().is_empty());
    assert_eq!(session.sent().await, 1);
}

#[tokio::test]
async fn a_client_without_elicitation_and_a_dry_run_are_not_asked() {
    let session = connect((), &[]).await;
    assert!(!is_error(
        &session.call("intercomReplyConversation", reply()).await
    ));
    assert_eq!(session.sent().await, 1);
    let handler = answering(ElicitationAction::Decline, false);
    let session = connect(handler.clone(), &[("INTERCOM_DRY_RUN", "1")]).await;
    let result = session.call("intercomReplyConversation", reply()).await;
    assert!(
        !is_error(&result) && text(&result).contains("dry_run"),
        "{}",
        text(&result)
    );
    assert!(handler.asked.lock().unwrap().is_empty());
    assert_eq!(session.sent().await, 0);
}

/// 2026-07-28 forbids requests from server to client during a call: such a client is asked by
/// an input-required answer instead (confirm_rounds.rs has the rest), and a decline sends
/// nothing.
#[tokio::test]
async fn a_2026_07_28_client_is_asked_by_an_input_required_answer() {
    let handler = Answering {
        version: ProtocolVersion::V_2026_07_28,
        ..answering(ElicitationAction::Decline, false)
    };
    let session = connect(handler.clone(), &[]).await;
    let result = session.call("intercomReplyConversation", reply()).await;
    assert!(is_error(&result), "{}", text(&result));
    assert!(
        text(&result).contains("the user declined"),
        "{}",
        text(&result)
    );
    assert_eq!(handler.asked.lock().unwrap().len(), 1);
    assert_eq!(session.sent().await, 0);
}
