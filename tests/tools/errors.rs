//! Failures the model can act on: Intercom's error JSON, proxies' HTML, empty bodies, no token,
//! timeouts and refused connections each become an `isError` result that says what to do.

use std::time::Duration;

use serde_json::json;
use wiremock::matchers::any;
use wiremock::{Mock, ResponseTemplate};

use crate::common;
use crate::common::{is_error, start, start_with, text};

/// Calls `tool` against a mock that always gives `response`; also returns how many requests
/// were sent (reads meet 5xx up to three times, as the retry policy allows).
async fn answer_counted(
    tool: &str,
    args: serde_json::Value,
    response: ResponseTemplate,
) -> (bool, String, usize) {
    let harness = start().await;
    Mock::given(any())
        .respond_with(response)
        .mount(&harness.intercom)
        .await;
    let result = harness.call(tool, args).await;
    (
        is_error(&result),
        text(&result),
        harness.requests().await.len(),
    )
}

async fn answer(tool: &str, args: serde_json::Value, response: ResponseTemplate) -> (bool, String) {
    let (error, message, requests) = answer_counted(tool, args, response).await;
    assert_eq!(requests, 1, "exactly one request");
    (error, message)
}

#[tokio::test]
async fn intercom_error_json_becomes_status_code_message_request_id_and_hint() {
    let body = json!({"type": "error.list", "request_id": "b0b7-not-a-uuid",
        "errors": [{"code": "not_found", "message": "User Not Found"}]});
    let (error, message) = answer(
        "intercomGetContact",
        json!({"contact_id": "nope"}),
        ResponseTemplate::new(404).set_body_json(body),
    )
    .await;
    assert!(error);
    assert!(
        message.starts_with("Intercom answered HTTP 404 Not Found."),
        "{message}"
    );
    assert!(
        message.contains("error not_found: User Not Found"),
        "{message}"
    );
    assert!(message.contains("request_id: b0b7-not-a-uuid"), "{message}");
    assert!(message.contains("list or search first"), "{message}");
}

#[tokio::test]
/// The tests point INTERCOM_BASE_URL at a mock, so the hint names that variable; with a
/// region in use it names the region (error.rs unit tests).
async fn a_401_names_where_requests_go() {
    let body = json!({"type": "error.list", "errors": [{"code": "unauthorized", "message": "Access Token Invalid"}]});
    let (error, message) = answer(
        "intercomListTags",
        json!({}),
        ResponseTemplate::new(401).set_body_json(body),
    )
    .await;
    assert!(error);
    assert!(
        message.contains("refused") && message.contains("INTERCOM_BASE_URL"),
        "{message}"
    );
}

#[tokio::test]
async fn a_403_names_the_permission_the_tool_needs() {
    let (error, message) = answer(
        "intercomTagContact",
        json!({"contact_id": "c", "id": "1"}),
        ResponseTemplate::new(403),
    )
    .await;
    assert!(error);
    assert!(message.contains("`Write tags`"), "{message}");
}

#[tokio::test]
async fn a_422_points_at_the_field() {
    let body = json!({"type": "error.list", "request_id": "r1",
        "errors": [{"code": "parameter_invalid", "message": "Email is invalid", "field": "email"}]});
    let (error, message) = answer(
        "intercomCreateContact",
        json!({"email": "not-an-email"}),
        ResponseTemplate::new(422).set_body_json(body),
    )
    .await;
    assert!(error);
    assert!(
        message.contains("(field email): Email is invalid") && message.contains("rejected `email`"),
        "{message}"
    );
}

#[tokio::test]
async fn an_html_page_and_an_empty_body_are_described() {
    let page = "<html><body><h1>502 Bad Gateway</h1><p>nginx</p></body></html>";
    let (error, message, requests) = answer_counted(
        "intercomListContacts",
        json!({}),
        ResponseTemplate::new(502).set_body_raw(page, "text/html"),
    )
    .await;
    assert!(error);
    assert_eq!(requests, 3, "a read is tried three times");
    assert!(
        message.contains("HTTP 502 Bad Gateway with an HTML page: 502 Bad Gateway nginx"),
        "{message}"
    );
    let note = json!({"contact_id": "c", "body": "x", "admin_id": "9"});
    let (error, message) = answer("intercomAddNote", note, ResponseTemplate::new(500)).await;
    assert!(error);
    assert!(
        message.contains("HTTP 500 Internal Server Error with an empty body"),
        "{message}"
    );
}

#[tokio::test]
async fn success_with_an_empty_or_broken_body() {
    let (error, message) = answer("intercomListTags", json!({}), ResponseTemplate::new(200)).await;
    assert!(!error, "{message}");
    assert_eq!(message, intercom_mcp::tools::EMPTY_SUCCESS);
    let (error, message) = answer(
        "intercomListTags",
        json!({}),
        ResponseTemplate::new(200).set_body_raw("<html>hi</html>", "text/html"),
    )
    .await;
    assert!(error);
    assert!(message.contains("not JSON"), "{message}");
}

#[tokio::test]
async fn without_a_token_a_call_names_the_variable_and_sends_nothing() {
    let harness = start_with(&[]).await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200))
        .mount(&harness.intercom)
        .await;
    let result = harness.call("intercomListTags", json!({})).await;
    assert!(is_error(&result));
    let message = text(&result);
    assert!(
        message.contains("accessToken") && message.contains("INTERCOM_ACCESS_TOKEN"),
        "{message}"
    );
    assert!(harness.requests().await.is_empty());
}

#[tokio::test]
async fn a_hung_upstream_ends_at_the_deadline() {
    let harness = start_with(&[
        ("accessToken", common::TOKEN),
        ("INTERCOM_API_TIMEOUT", "300"),
    ])
    .await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(30)))
        .mount(&harness.intercom)
        .await;
    let started = std::time::Instant::now();
    let result = harness.call("intercomListTags", json!({})).await;
    assert!(is_error(&result));
    assert!(
        text(&result).contains("did not answer in time"),
        "{}",
        text(&result)
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "the deadline was not applied"
    );
}

#[tokio::test]
async fn a_refused_connection_says_so() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let harness = common::start_with_base_url(&url).await;
    let result = harness
        .call("intercomGetContact", json!({"contact_id": "c1"}))
        .await;
    assert!(is_error(&result));
    assert!(
        text(&result).contains("Could not connect to Intercom"),
        "{}",
        text(&result)
    );
}
