//! Issue 27's must-show for metrics: an in-process server with its `/metrics` listener on a
//! real port, against a mock Intercom over real HTTP, driven through all 16 tools, every other
//! MCP method a client may send, and the faults: a 429 with Retry-After on a read (waited out
//! and retried), a spent rate-limit window (held), a 500 on a read (retried) and on a write
//! (never retried), a reply the user declines (recorded, nothing sent). Then each counter and
//! histogram line is asserted exactly, and `promtool check metrics` (when installed, as in CI)
//! accepts the text. What is not sent is in `metrics_unsent.rs`.
#![allow(deprecated)] // rmcp marks logging deprecated: 2026-07-28 drops it, 2025 has it.

use std::sync::Arc;
use std::time::UNIX_EPOCH;

use intercom_mcp::policy::Clock;
use rmcp::model::{
    ArgumentInfo, CallToolRequestParams, ClientRequest, CompleteRequestParams, CustomRequest,
    ElicitationAction, GetPromptRequestParams, LoggingLevel, PingRequest,
    ReadResourceRequestParams, Reference, SetLevelRequestParams,
};
use serde_json::json;
use wiremock::matchers::{any, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::{self, RecordingClock, TOKEN, is_error};
use crate::metrics_scrape::{calls, operation, promtool_accepts, requests, serve, sum, value};

/// Headers of an answer that reports `remaining` of 100 requests left, the window resetting
/// 5 s after `clock`'s now.
fn window(answer: ResponseTemplate, clock: &RecordingClock, remaining: u64) -> ResponseTemplate {
    let reset = clock.now().duration_since(UNIX_EPOCH).unwrap().as_secs() + 5;
    answer
        .insert_header("x-ratelimit-limit", "100")
        .insert_header("x-ratelimit-remaining", remaining.to_string().as_str())
        .insert_header("x-ratelimit-reset", reset.to_string().as_str())
}

/// A fault answered once, before the ordinary answers.
async fn once(intercom: &MockServer, verb: &str, route: &str, answer: ResponseTemplate) {
    Mock::given(method(verb))
        .and(path(route))
        .respond_with(answer)
        .up_to_n_times(1)
        .with_priority(1)
        .expect(1)
        .mount(intercom)
        .await;
}

#[tokio::test]
async fn every_tool_method_and_fault_is_counted_exactly() {
    let intercom = MockServer::start().await;
    let clock = Arc::new(RecordingClock::default());
    // Every ordinary answer reports half the window left.
    let ordinary =
        ResponseTemplate::new(200).set_body_json(json!({"type": "list", "data": [], "id": "1"}));
    Mock::given(any())
        .respond_with(window(ordinary, &clock, 50))
        .mount(&intercom)
        .await;
    let served = serve(
        &[],
        &intercom.uri(),
        Arc::clone(&clock),
        &[ElicitationAction::Accept, ElicitationAction::Decline],
    )
    .await;
    let client = &served.client;

    // All 16 tools, each once and each sent once (the reply accepted).
    let tools = common::every_tool();
    assert_eq!(tools.len(), 16);
    for (tool, args) in &tools {
        let result = served.call(tool, args.clone()).await;
        assert!(!is_error(&result), "{tool}: {result:?}");
    }
    assert_eq!(intercom.received_requests().await.unwrap().len(), 16);

    // Every other method a client may send, and two it invents.
    client.list_all_tools().await.unwrap();
    client.list_all_resources().await.unwrap();
    client.list_all_resource_templates().await.unwrap();
    for uri in [
        "ui://intercom-mcp/conversation",
        "intercom://tags",
        "intercom://contacts/c1",
    ] {
        client
            .read_resource(ReadResourceRequestParams::new(uri))
            .await
            .unwrap();
    }
    client.list_all_prompts().await.unwrap();
    client
        .get_prompt(GetPromptRequestParams::new("triage-unassigned"))
        .await
        .unwrap();
    // An argument that is not completed: answered without reading Intercom.
    client
        .complete(CompleteRequestParams::new(
            Reference::for_prompt("customer-history"),
            ArgumentInfo::new("email", "a"),
        ))
        .await
        .unwrap();
    client
        .set_level(SetLevelRequestParams::new(LoggingLevel::Error))
        .await
        .unwrap();
    client
        .send_request(ClientRequest::PingRequest(PingRequest::default()))
        .await
        .unwrap();
    let invented = CustomRequest::new("tools/invent", None);
    assert!(
        client
            .send_request(ClientRequest::CustomRequest(invented))
            .await
            .is_err()
    );
    let unknown = CallToolRequestParams::new("intercomInventedTool");
    assert!(client.call_tool(unknown).await.is_err());

    // A 429 asking for 2 s on a read: waited out, sent again, answered.
    let limited = ResponseTemplate::new(429)
        .insert_header("retry-after", "2")
        .set_body_json(json!({"type": "error.list", "errors": [{"code": "rate_limit_exceeded"}]}));
    once(&intercom, "GET", "/tags", limited).await;
    assert!(!is_error(&served.call("intercomListTags", json!({})).await));
    // An answer that spends the window: the next request is held until it resets.
    let spent =
        ResponseTemplate::new(200).set_body_json(json!({"type": "conversation", "id": "1"}));
    once(
        &intercom,
        "GET",
        "/conversations/1",
        window(spent, &clock, 0),
    )
    .await;
    let get = json!({"conversation_id": "1"});
    assert!(!is_error(
        &served.call("intercomGetConversation", get).await
    ));
    assert!(!is_error(
        &served.call("intercomListContacts", json!({})).await
    ));
    // A 500 on a read: sent again. On a write: answered as it is, never sent again.
    let broken = || ResponseTemplate::new(500).set_body_json(json!({"type": "error.list"}));
    once(&intercom, "GET", "/companies/co1", broken()).await;
    let company = json!({"company_id": "co1"});
    assert!(!is_error(&served.call("intercomGetCompany", company).await));
    once(&intercom, "POST", "/contacts", broken()).await;
    let create = json!({"email": "b@example.com"});
    assert!(is_error(
        &served.call("intercomCreateContact", create).await
    ));
    // A reply the user declines: nothing is sent.
    let sent_before = intercom.received_requests().await.unwrap().len();
    let reply =
        json!({"conversation_id": "1", "message_type": "comment", "body": "hi", "admin_id": "9"});
    let declined = served.call("intercomReplyConversation", reply).await;
    assert!(is_error(&declined), "{declined:?}");
    let sent = intercom.received_requests().await.unwrap().len();
    assert_eq!(sent, sent_before);
    // The waits: 2 s (and jitter) for the 429, 5 s (and jitter) for the spent window, and the
    // backoff before the 500 was sent again.
    let slept = clock.slept();
    assert_eq!(slept.len(), 3, "{slept:?}");

    let text = served.scrape().await;
    // Each tool's calls: once each, twice where a fault or a hold called it again.
    for (tool, _) in &tools {
        let again = [
            "intercomListTags",
            "intercomGetConversation",
            "intercomListContacts",
            "intercomGetCompany",
        ];
        let expected = if again.contains(tool) { 2 } else { 1 };
        assert_eq!(calls(&text, tool, ""), expected, "{tool}\n{text}");
    }
    for tool in ["intercomCreateContact", "intercomReplyConversation"] {
        assert_eq!(calls(&text, tool, "tool_error"), 1, "{tool}\n{text}");
    }
    assert_eq!(calls(&text, "_OTHER", "-32602"), 1, "{text}");
    // The other methods, once each, no tool; a record read under its tool.
    for method in [
        "initialize",
        "tools/list",
        "resources/list",
        "resources/templates/list",
        "prompts/list",
        "prompts/get",
        "completion/complete",
        "logging/setLevel",
        "ping",
    ] {
        let count = value(&text, &operation(method, "", "", "count"));
        assert_eq!(count, 1, "{method}\n{text}");
    }
    let reads = operation("resources/read", "", "", "count");
    assert_eq!(value(&text, &reads), 2, "{text}");
    let record = operation("resources/read", "intercomGetContact", "", "count");
    assert_eq!(value(&text, &record), 1, "{text}");
    assert_eq!(
        value(&text, &operation("_OTHER", "", "-32601", "count")),
        1,
        "{text}"
    );
    assert!(!text.contains("invent"), "{text}");
    // Histogram lines: every call falls under +Inf, and the buckets are cumulative.
    let list_tags = |le: &str| {
        let labels =
            "mcp_method_name=\"tools/call\",gen_ai_tool_name=\"intercomListTags\",error_type=\"\"";
        value(
            &text,
            &format!("mcp_server_operation_duration_seconds_bucket{{{labels},le=\"{le}\"}}"),
        )
    };
    assert_eq!(list_tags("+Inf"), 2, "{text}");
    assert_eq!(list_tags("300"), 2, "{text}");
    assert!(list_tags("0.01") <= list_tags("0.1"), "{text}");

    // Intercom's side: each attempt by operation and status.
    assert_eq!(requests(&text, "listTags", "200"), 3, "{text}"); // tool twice, directory once
    assert_eq!(requests(&text, "listTags", "429"), 1, "{text}");
    assert_eq!(requests(&text, "RetrieveACompanyById", "500"), 1, "{text}");
    assert_eq!(requests(&text, "RetrieveACompanyById", "200"), 2, "{text}");
    assert_eq!(requests(&text, "CreateContact", "500"), 1, "{text}");
    assert_eq!(requests(&text, "CreateContact", "200"), 1, "{text}");
    assert_eq!(requests(&text, "replyConversation", "200"), 1, "{text}");
    assert_eq!(requests(&text, "manageConversation", "200"), 2, "{text}");
    assert_eq!(requests(&text, "ShowContact", "200"), 2, "{text}"); // the tool and the record
    assert_eq!(requests(&text, "retrieveConversation", "200"), 2, "{text}");
    assert_eq!(requests(&text, "ListContacts", "200"), 2, "{text}");
    // Every request the mock received is counted, and no other.
    let total = intercom.received_requests().await.unwrap().len() as u64;
    assert_eq!(sum(&text, "intercom_requests_total", ""), total, "{text}");
    assert_eq!(total, 16 + 2 + 7, "{text}");
    let durations = "intercom_request_duration_seconds_count{operation=\"listTags\"}";
    assert_eq!(value(&text, durations), 4, "{text}");
    let bucket = "intercom_request_duration_seconds_bucket{operation=\"listTags\",le=\"+Inf\"}";
    assert_eq!(value(&text, bucket), 4, "{text}");
    // Retries: the 429 and the 500 on a read; never the write.
    let retries = |operation: &str, reason: &str| {
        value(
            &text,
            &format!("intercom_retries_total{{operation=\"{operation}\",reason=\"{reason}\"}}"),
        )
    };
    assert_eq!(retries("listTags", "429"), 1, "{text}");
    assert_eq!(retries("RetrieveACompanyById", "5xx"), 1, "{text}");
    assert_eq!(sum(&text, "intercom_retries_total", ""), 2, "{text}");
    assert_eq!(sum(&text, "intercom_retries_total", "CreateContact"), 0);
    // Rate limits: one wait of each kind, one 429.
    let waits = |reason: &str| {
        value(
            &text,
            &format!("intercom_rate_limit_waits_total{{reason=\"{reason}\"}}"),
        )
    };
    assert_eq!(waits("retry_after"), 1, "{text}");
    assert_eq!(waits("window"), 1, "{text}");
    assert_eq!(value(&text, "intercom_rate_limit_responses_total"), 1);
    // The window's remaining fraction: 0.5 on every ordinary answer, 0 once; none on the 429
    // and the 500s, which carry no such headers.
    let ordinary_answers = total - 3;
    let ratio = |le: &str| {
        value(
            &text,
            &format!("intercom_rate_limit_remaining_ratio_bucket{{le=\"{le}\"}}"),
        )
    };
    assert_eq!(ratio("0"), 1, "{text}");
    assert_eq!(ratio("0.25"), 1, "{text}");
    assert_eq!(ratio("0.5"), ordinary_answers, "{text}");
    assert_eq!(ratio("+Inf"), ordinary_answers, "{text}");
    let count = value(&text, "intercom_rate_limit_remaining_ratio_count");
    assert_eq!(count, ordinary_answers, "{text}");
    // Writes by outcome: each write tool sent once; the write the 500 refused; the reply the
    // user declined.
    let writes = |tool: &str, outcome: &str| {
        let labels = format!("gen_ai_tool_name=\"{tool}\",outcome=\"{outcome}\"");
        value(&text, &format!("intercom_writes_total{{{labels}}}"))
    };
    let write_tools = [
        "intercomCreateContact",
        "intercomUpdateContact",
        "intercomAddNote",
        "intercomReplyConversation",
        "intercomCloseConversation",
        "intercomAssignConversation",
        "intercomTagContact",
    ];
    for tool in write_tools {
        assert_eq!(writes(tool, "sent"), 1, "{tool}\n{text}");
    }
    assert_eq!(writes("intercomCreateContact", "refused"), 1, "{text}");
    assert_eq!(writes("intercomReplyConversation", "declined"), 1, "{text}");
    assert_eq!(sum(&text, "intercom_writes_total", ""), 9, "{text}");
    // Nothing that names a customer, a token or a workspace.
    for secret in [TOKEN, "c1", "co1", "b@example.com", "a@example.com"] {
        assert!(!text.contains(secret), "{secret}\n{text}");
    }
    promtool_accepts(&text);
}
