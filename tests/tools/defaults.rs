//! What saves the model a round trip: the default admin (INTERCOM_ADMIN_ID, else GET /me once
//! per token), one way to page, and search queries checked and completed before sending.

use std::sync::Arc;

use serde_json::{Value, json};
use wiremock::matchers::{any, method, path};
use wiremock::{Mock, ResponseTemplate};

use crate::common;
use crate::common::{TOKEN, body_json, is_error, start, start_with, text};

const ME: &str = "991267553";

async fn mount_me_and_ok(intercom: &wiremock::MockServer) {
    Mock::given(method("GET"))
        .and(path("/me"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"type": "admin", "id": ME, "name": "Grace Hopper"})),
        )
        .with_priority(1)
        .mount(intercom)
        .await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "1"})))
        .mount(intercom)
        .await;
}

fn me_calls(requests: &[wiremock::Request]) -> usize {
    requests
        .iter()
        .filter(|request| request.url.path() == "/me")
        .count()
}

fn writes_without_admin() -> Vec<(&'static str, Value)> {
    vec![
        (
            "intercomReplyConversation",
            json!({"conversation_id": "1", "message_type": "note", "body": "b"}),
        ),
        ("intercomCloseConversation", json!({"conversation_id": "1"})),
        (
            "intercomAssignConversation",
            json!({"conversation_id": "1", "type": "team", "assignee_id": "5"}),
        ),
        ("intercomAddNote", json!({"contact_id": "c1", "body": "n"})),
    ]
}

#[tokio::test]
async fn calls_without_admin_id_cause_exactly_one_get_me() {
    let harness = Arc::new(start().await);
    mount_me_and_ok(&harness.intercom).await;
    let mut calls = Vec::new();
    for round in 0..3 {
        for (tool, args) in writes_without_admin() {
            let harness = Arc::clone(&harness);
            calls.push(tokio::spawn(async move {
                (round, tool, harness.call(tool, args).await)
            }));
        }
    }
    for call in calls {
        let (_, tool, result) = call.await.unwrap();
        assert!(!is_error(&result), "{tool}: {}", text(&result));
    }
    let requests = harness.requests().await;
    assert_eq!(me_calls(&requests), 1, "12 calls, one GET /me");
    for request in requests
        .iter()
        .filter(|request| request.url.path() != "/me")
    {
        assert_eq!(body_json(request)["admin_id"], ME, "{}", request.url.path());
    }
}

#[tokio::test]
async fn intercom_admin_id_is_used_without_asking() {
    let harness = start_with(&[("accessToken", TOKEN), ("INTERCOM_ADMIN_ID", "4242")]).await;
    mount_me_and_ok(&harness.intercom).await;
    for (tool, args) in writes_without_admin() {
        assert!(!is_error(&harness.call(tool, args).await));
    }
    let requests = harness.requests().await;
    assert_eq!(me_calls(&requests), 0);
    assert!(
        requests
            .iter()
            .all(|request| body_json(request)["admin_id"] == "4242")
    );
}

#[tokio::test]
async fn an_explicit_admin_id_wins() {
    let harness = start().await;
    mount_me_and_ok(&harness.intercom).await;
    let result = harness
        .call(
            "intercomCloseConversation",
            json!({"conversation_id": "1", "admin_id": "77"}),
        )
        .await;
    assert!(!is_error(&result));
    let requests = harness.requests().await;
    assert_eq!(me_calls(&requests), 0);
    assert_eq!(body_json(&requests[0])["admin_id"], "77");
}

#[tokio::test]
async fn a_token_update_forgets_the_learned_admin() {
    let intercom = wiremock::MockServer::start().await;
    mount_me_and_ok(&intercom).await;
    let server = intercom_mcp::server::IntercomServer::new(&common::config(
        &[("accessToken", TOKEN)],
        &intercom.uri(),
    ))
    .unwrap();
    let close = || json!({"conversation_id": "1"}).as_object().cloned();
    assert_eq!(
        server
            .call("intercomCloseConversation", close())
            .await
            .unwrap()
            .is_error,
        Some(false)
    );
    assert_eq!(
        server
            .call("intercomCloseConversation", close())
            .await
            .unwrap()
            .is_error,
        Some(false)
    );
    assert_eq!(me_calls(&intercom.received_requests().await.unwrap()), 1);
    server.update_token(Some(&json!({"accessToken": "tok_other_workspace"})));
    assert_eq!(
        server
            .call("intercomCloseConversation", close())
            .await
            .unwrap()
            .is_error,
        Some(false)
    );
    let requests = intercom.received_requests().await.unwrap();
    assert_eq!(me_calls(&requests), 2, "the new token's admin is asked for");
    let last_me = requests
        .iter()
        .rfind(|request| request.url.path() == "/me")
        .unwrap();
    assert_eq!(
        last_me.headers.get("authorization").unwrap(),
        "Bearer tok_other_workspace"
    );
}

#[tokio::test]
async fn a_failing_get_me_names_intercom_admin_id_and_sends_nothing_else() {
    let harness = start().await;
    Mock::given(path("/me"))
        .respond_with(ResponseTemplate::new(401))
        .mount(&harness.intercom)
        .await;
    let result = harness
        .call(
            "intercomReplyConversation",
            writes_without_admin()[0].1.clone(),
        )
        .await;
    assert!(is_error(&result));
    let message = text(&result);
    assert!(
        message.contains("INTERCOM_ADMIN_ID") && message.contains("HTTP 401"),
        "{message}"
    );
    let requests = harness.requests().await;
    assert!(
        requests.iter().all(|request| request.url.path() == "/me"),
        "the reply was not sent"
    );
}

#[tokio::test]
async fn schemas_say_admin_id_may_be_left_out() {
    let harness = start().await;
    let tools = harness.client.list_all_tools().await.unwrap();
    for (name, _) in writes_without_admin() {
        let tool = tools.iter().find(|tool| tool.name == name).unwrap();
        let schema = Value::Object((*tool.input_schema).clone());
        let required = schema["required"].as_array().cloned().unwrap_or_default();
        assert!(!required.contains(&json!("admin_id")), "{name}");
        assert!(
            schema["properties"]["admin_id"]["description"]
                .as_str()
                .unwrap()
                .contains("default"),
            "{name}"
        );
    }
}

#[tokio::test]
async fn a_cursor_goes_back_as_it_came() {
    let harness = start().await;
    let page = json!({"type": "list", "data": [{"type": "contact", "id": "a"}], "total_count": 3,
        "pages": {"type": "pages", "page": 1, "per_page": 1, "total_pages": 3, "next": {"page": 2, "starting_after": "WzEsImEiXQ=="}}});
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(page))
        .mount(&harness.intercom)
        .await;
    let first: Value = serde_json::from_str(&text(
        &harness
            .call("intercomListContacts", json!({"per_page": 1}))
            .await,
    ))
    .unwrap();
    assert_eq!(first["has_more"], true);
    let cursor = first["next_cursor"].as_str().unwrap().to_owned();
    harness
        .call(
            "intercomListContacts",
            json!({"per_page": 1, "starting_after": cursor}),
        )
        .await;
    let search = json!({"query": {"field": "role", "operator": "=", "value": "user"}, "pagination": {"per_page": 1, "starting_after": cursor}});
    harness.call("intercomSearchContacts", search).await;
    let requests = harness.requests().await;
    assert_eq!(
        requests[1].url.query(),
        Some("per_page=1&starting_after=WzEsImEiXQ%3D%3D")
    );
    assert_eq!(
        body_json(&requests[2])["pagination"]["starting_after"],
        "WzEsImEiXQ=="
    );
}

#[tokio::test]
async fn companies_page_by_number() {
    let harness = start().await;
    let page = json!({"type": "list", "data": [{"type": "company", "id": "x"}], "total_count": 31,
        "pages": {"type": "pages", "next": null, "page": 2, "per_page": 15, "total_pages": 3}});
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(page))
        .mount(&harness.intercom)
        .await;
    let result: Value = serde_json::from_str(&text(
        &harness
            .call("intercomListCompanies", json!({"page": 2}))
            .await,
    ))
    .unwrap();
    assert_eq!(
        result,
        json!({"has_more": true, "next_page": 3, "total_count": 31, "companies": [{"id": "x"}]})
    );
}

#[tokio::test]
async fn search_dates_may_be_iso_and_are_sent_as_unix_seconds() {
    let harness = start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"type": "list", "data": []})))
        .mount(&harness.intercom)
        .await;
    let query = json!({"query": {"operator": "AND", "value": [
        {"field": "created_at", "operator": ">", "value": "2024-05-01"},
        {"field": "custom_attributes.plan", "operator": "~", "value": "pro"}
    ]}});
    let result = harness.call("intercomSearchContacts", query).await;
    assert!(!is_error(&result), "{}", text(&result));
    let sent = body_json(&harness.only_request().await);
    assert_eq!(sent["query"]["value"][0]["value"], 1714521600);
    assert_eq!(
        sent["query"]["value"][1]["value"], "pro",
        "custom attributes pass through"
    );
}

#[tokio::test]
async fn invalid_searches_never_reach_intercom() {
    let cases = [
        (
            "intercomSearchContacts",
            json!({"field": "created_at", "operator": "!=", "value": 1}),
            "does not apply to created_at",
        ),
        (
            "intercomSearchContacts",
            json!({"field": "tag_id", "operator": "IN", "value": ["1"]}),
            "use one of = !=",
        ),
        (
            "intercomSearchContacts",
            json!({"field": "email", "operator": "IN", "value": "a@b.c"}),
            "must be an array",
        ),
        (
            "intercomSearchConversations",
            json!({"field": "open", "operator": "=", "value": "yes"}),
            "takes a boolean",
        ),
        (
            "intercomSearchConversations",
            json!({"field": "admin_assignee_id", "operator": "=", "value": "5"}),
            "takes an integer",
        ),
        (
            "intercomSearchConversations",
            json!({"field": "updated_at", "operator": "<", "value": "yesterday"}),
            "ISO 8601",
        ),
    ];
    for (tool, filter, expected) in cases {
        let harness = start().await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(200))
            .mount(&harness.intercom)
            .await;
        let result = harness.call(tool, json!({"query": filter})).await;
        assert!(is_error(&result), "{tool} {filter}");
        assert!(text(&result).contains(expected), "{}", text(&result));
        assert!(
            harness.requests().await.is_empty(),
            "{filter} reached Intercom"
        );
    }
}
