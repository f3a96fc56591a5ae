//! The audit trail's outcomes against a mock Intercom over real HTTP: refused, invalid,
//! unknown, dry run and withheld attempts; declined, accepted and policy-never confirmations;
//! the workspace learned with a default admin; a trail that cannot be written stopping the
//! write before any request; 2026-07-28's input-required rounds; and the call's own trace id.
//! The session helpers are `audit.rs`'s.

use std::sync::Arc;
use std::time::Duration;

use rmcp::model::{CallToolRequestParams, ElicitationAction};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

use super::audit::{APP, answer_writes, audited, audited_at, digest, lines, scratch};
use super::confirm::answering;
use crate::common::{self, is_error, text};

#[tokio::test]
async fn refused_invalid_and_unknown_outcomes_are_recorded_with_what_intercom_said() {
    let session = audited((), &[("INTERCOM_API_TIMEOUT", "300")]).await;
    let error = json!({"type": "error.list", "request_id": "req-404",
        "errors": [{"code": "not_found", "message": "Contact Not Found"}]});
    Mock::given(method("POST"))
        .and(path("/contacts/gone/notes"))
        .respond_with(ResponseTemplate::new(404).set_body_json(error))
        .mount(&session.intercom)
        .await;
    // Creating a contact is not repeatable: one attempt, and no answer in time.
    Mock::given(method("POST"))
        .and(path("/contacts"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(5)))
        .mount(&session.intercom)
        .await;

    let refused = session
        .call(
            "intercomAddNote",
            json!({"contact_id": "gone", "body": "Called, wants a demo", "admin_id": "9"}),
        )
        .await;
    assert!(is_error(&refused));
    let (_, outcome) = session.attempt(0, "intercomAddNote");
    assert_eq!(outcome["outcome"], "refused");
    assert_eq!(outcome["status"], 404);
    assert_eq!(outcome["request_id"], "req-404");
    assert_eq!(outcome["record_id"], Value::Null);
    assert!(session.count("intercomAddNote", "refused"));

    let skip = lines(&session.log).len();
    let invalid = session
        .call(
            "intercomUpdateContact",
            json!({"contact_id": "c1", "email": ["not", "an", "email"]}),
        )
        .await;
    assert!(is_error(&invalid));
    let (intent, outcome) = session.attempt(skip, "intercomUpdateContact");
    assert_eq!(
        intent["confirmation"],
        Value::Null,
        "decided before any confirmation"
    );
    assert_eq!(intent["ids"], json!({"contact_id": "c1"}));
    assert_eq!(outcome["outcome"], "invalid");
    assert_eq!(outcome["status"], Value::Null);
    assert!(session.count("intercomUpdateContact", "invalid"));

    let skip = lines(&session.log).len();
    let unknown = session
        .call("intercomCreateContact", json!({"email": "ada@example.com"}))
        .await;
    assert!(is_error(&unknown));
    let (_, outcome) = session.attempt(skip, "intercomCreateContact");
    assert_eq!(outcome["outcome"], "unknown");
    assert_eq!(outcome["status"], Value::Null);
    assert!(session.count("intercomCreateContact", "unknown"));

    let sent = common::requests_made(&session.intercom).await;
    assert_eq!(
        sent,
        ["GET /me", "POST /contacts/gone/notes", "POST /contacts"],
        "the invalid update sent nothing"
    );
}

#[tokio::test]
async fn a_dry_run_is_recorded_as_one_and_sends_no_write() {
    let session = audited((), &[("INTERCOM_DRY_RUN", "1")]).await;
    let result = session
        .call(
            "intercomReplyConversation",
            json!({"conversation_id": "147", "message_type": "comment", "body": "Fixed now.", "admin_id": "9"}),
        )
        .await;
    assert!(!is_error(&result), "{}", text(&result));
    let (intent, outcome) = session.attempt(0, "intercomReplyConversation");
    assert_eq!(intent["confirmation"], "dry_run");
    assert_eq!(intent["customer_visible"], true);
    assert_eq!(intent["workspace"], APP);
    assert_eq!(outcome["outcome"], "dry_run");
    assert_eq!(outcome["request_id"], Value::Null);
    assert!(session.count("intercomReplyConversation", "dry_run"));
    let requests = session.intercom.received_requests().await.unwrap();
    assert!(
        requests.iter().all(|r| r.url.path() == "/me"),
        "{requests:?}"
    );
    assert!(!session.text().contains("Fixed now."));
}

#[tokio::test]
async fn a_write_nobody_could_confirm_under_refuse_is_withheld() {
    let session = audited((), &[("INTERCOM_UNCONFIRMABLE", "refuse")]).await;
    let result = session
        .call(
            "intercomCloseConversation",
            json!({"conversation_id": "147", "admin_id": "9", "body": "Closing, thanks!"}),
        )
        .await;
    assert!(is_error(&result));
    let (intent, outcome) = session.attempt(0, "intercomCloseConversation");
    assert_eq!(intent["confirmation"], "not_asked");
    assert_eq!(outcome["outcome"], "withheld");
    assert!(session.count("intercomCloseConversation", "withheld"));
    assert_eq!(session.me_requests().await, 1);
    assert_eq!(session.intercom.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn declined_accepted_and_policy_never_confirmations_are_recorded() {
    let reply = json!({"conversation_id": "147", "message_type": "comment",
        "body": "Your refund is on its way.", "admin_id": "9"});
    let body = digest(
        "a5a109cab43a2cc0a2bbb31621b44dea9c1b49a68475472e15ba4aae4927a9bc",
        26,
    );

    let declining = audited(answering(ElicitationAction::Decline, false), &[]).await;
    answer_writes(&declining.intercom).await;
    let result = declining
        .call("intercomReplyConversation", reply.clone())
        .await;
    assert!(is_error(&result));
    let (intent, outcome) = declining.attempt(0, "intercomReplyConversation");
    assert_eq!(intent["confirmation"], "declined");
    assert_eq!(intent["body"], body);
    assert_eq!(outcome["outcome"], "declined");
    assert!(declining.count("intercomReplyConversation", "declined"));
    assert_eq!(declining.me_requests().await, 1);
    assert_eq!(
        declining.intercom.received_requests().await.unwrap().len(),
        1
    );

    let accepting = audited(answering(ElicitationAction::Accept, true), &[]).await;
    answer_writes(&accepting.intercom).await;
    let result = accepting
        .call("intercomReplyConversation", reply.clone())
        .await;
    assert!(!is_error(&result), "{}", text(&result));
    let (intent, outcome) = accepting.attempt(0, "intercomReplyConversation");
    assert_eq!(intent["confirmation"], "accepted");
    assert_eq!(outcome["outcome"], "sent");
    assert_eq!(outcome["request_id"], "req-ok");

    let never = audited(
        answering(ElicitationAction::Decline, false),
        &[("INTERCOM_CONFIRM_WRITES", "never")],
    )
    .await;
    answer_writes(&never.intercom).await;
    let result = never.call("intercomReplyConversation", reply).await;
    assert!(!is_error(&result), "{}", text(&result));
    let (intent, outcome) = never.attempt(0, "intercomReplyConversation");
    assert_eq!(intent["confirmation"], "policy_never");
    assert_eq!(outcome["outcome"], "sent");
    for session in [&declining, &accepting, &never] {
        assert!(!session.text().contains("refund"));
    }
}

#[tokio::test]
async fn the_workspace_is_learned_even_when_the_default_admin_is_configured() {
    let session = audited((), &[("INTERCOM_ADMIN_ID", "77")]).await;
    answer_writes(&session.intercom).await;
    for _ in 0..2 {
        session
            .call(
                "intercomAddNote",
                json!({"contact_id": "c1", "body": "Called, wants a demo"}),
            )
            .await;
    }
    let (intent, _) = session.attempt(2, "intercomAddNote");
    assert_eq!(intent["admin_id"], "77");
    assert_eq!(intent["workspace"], APP);
    assert_eq!(session.me_requests().await, 1, "learned once");
}

#[tokio::test]
async fn an_audit_log_that_cannot_be_written_stops_the_write_before_any_request() {
    let dir = scratch("audit");
    // A path under a regular file cannot be created, whoever runs the test (root included).
    let blocker = dir.join("a-file");
    std::fs::write(&blocker, "").unwrap();
    let log = blocker.join("audit.jsonl");
    let session = audited_at((), &[], dir, log).await;
    answer_writes(&session.intercom).await;
    for (tool, args) in [
        (
            "intercomAddNote",
            json!({"contact_id": "c1", "body": "Called, wants a demo", "admin_id": "9"}),
        ),
        (
            "intercomReplyConversation",
            json!({"conversation_id": "147", "message_type": "comment", "body": "Fixed now."}),
        ),
    ] {
        let result = session.call(tool, args).await;
        assert!(is_error(&result), "{tool}");
        let said = text(&result);
        assert!(
            said.starts_with("Not sent:")
                && said.contains("audit log could not be written")
                && said.contains("Nothing reached Intercom"),
            "{said}"
        );
        assert!(session.count(tool, "withheld"), "{tool}");
    }
    assert_eq!(
        session.intercom.received_requests().await.unwrap().len(),
        0,
        "not even GET /me"
    );
    // Reads are not audited, so they go on.
    Mock::given(method("GET"))
        .and(path("/contacts/c1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "c1"})))
        .mount(&session.intercom)
        .await;
    let read = session
        .call("intercomGetContact", json!({"contact_id": "c1"}))
        .await;
    assert!(!is_error(&read), "{}", text(&read));
}

#[tokio::test]
async fn at_2026_07_28_the_question_leaves_no_line_and_the_answer_one_attempt() {
    for (action, send, confirmation, outcome) in [
        (ElicitationAction::Accept, true, "accepted", "sent"),
        (ElicitationAction::Decline, false, "declined", "declined"),
    ] {
        let dir = scratch("audit");
        let log = dir.join("audit.jsonl");
        let log_text = log.display().to_string();
        let session = super::confirm::connect_with(
            super::confirm_rounds::modern(action, send),
            &[("INTERCOM_MCP_AUDIT_LOG", log_text.as_str())],
            Arc::default(),
        )
        .await;
        session
            .call("intercomReplyConversation", super::confirm::reply())
            .await;
        let trail = lines(&log);
        assert_eq!(trail.len(), 2, "{trail:#?}");
        assert_eq!(trail[0]["trace_id"], trail[1]["trace_id"]);
        assert_eq!(trail[0]["confirmation"], confirmation);
        assert_eq!(trail[1]["outcome"], outcome);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

#[tokio::test]
async fn the_trace_id_is_the_one_the_call_brought_in_its_meta() {
    use rmcp::model::RequestParamsMeta as _;
    const TRACE: &str = "0af7651916cd43dd8448eb211c80319c";
    let session = audited((), &[]).await;
    answer_writes(&session.intercom).await;
    let Value::Object(args) = json!({"contact_id": "c1", "body": "Called back", "admin_id": "9"})
    else {
        panic!()
    };
    let mut params = CallToolRequestParams::new("intercomAddNote").with_arguments(args);
    params.set_traceparent(&format!("00-{TRACE}-b7ad6b7169203331-01"));
    let result = session.client.call_tool(params).await.unwrap();
    assert!(!is_error(&result), "{}", text(&result));
    let (intent, outcome) = session.attempt(0, "intercomAddNote");
    assert_eq!(intent["trace_id"], TRACE, "{intent}");
    assert_eq!(outcome["trace_id"], TRACE, "{outcome}");
    // Without one, the attempt gets a trace id of its own, the same on both lines.
    session
        .call(
            "intercomAddNote",
            json!({"contact_id": "c1", "body": "Again", "admin_id": "9"}),
        )
        .await;
    let (intent, _) = session.attempt(2, "intercomAddNote");
    assert_ne!(intent["trace_id"], TRACE);
}
