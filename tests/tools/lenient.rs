//! Arguments a client got wrong unambiguously (an object sent as its JSON in a string, a number
//! as a numeric string, an id as a number) are taken as meant: each call sends exactly the
//! request its canonical arguments send. A string that is not JSON still gets its error.

use serde_json::{Value, json};
use wiremock::matchers::any;
use wiremock::{Mock, ResponseTemplate};

use crate::common::{Harness, TOKEN, assert_standard_headers, body_json, is_error, start, text};

/// The one request `args` made the tool send: method, path, query and body.
async fn sent(tool: &str, args: Value) -> (String, String, Option<String>, Value) {
    let harness: Harness = start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"type": "list"})))
        .mount(&harness.intercom)
        .await;
    let result = harness.call(tool, args).await;
    assert!(!is_error(&result), "{tool}: {}", text(&result));
    let request = harness.only_request().await;
    assert_standard_headers(&request, TOKEN);
    (
        request.method.to_string(),
        request.url.path().to_owned(),
        request.url.query().map(str::to_owned),
        body_json(&request),
    )
}

#[tokio::test]
async fn stringified_numeric_and_numbered_arguments_send_the_canonical_request() {
    let query = json!({"operator": "AND", "value": [
        {"field": "open", "operator": "=", "value": true},
        {"field": "admin_assignee_id", "operator": "=", "value": 0}
    ]});
    let cases = [
        (
            "intercomSearchConversations",
            json!({"query": query.to_string(), "pagination": {"per_page": "5"}}),
            json!({"query": query, "pagination": {"per_page": 5}}),
        ),
        (
            "intercomListContacts",
            json!({"per_page": "5"}),
            json!({"per_page": 5}),
        ),
        (
            "intercomGetConversation",
            json!({"conversation_id": 20418}),
            json!({"conversation_id": "20418"}),
        ),
        (
            "intercomListConversations",
            json!({"per_page": "20", "raw": "false"}),
            json!({"per_page": 20, "raw": false}),
        ),
    ];
    for (tool, lenient, canonical) in cases {
        assert_eq!(
            sent(tool, lenient).await,
            sent(tool, canonical).await,
            "{tool}"
        );
    }
}

#[tokio::test]
async fn a_string_that_is_not_json_keeps_its_precise_error() {
    let harness = start().await;
    let result = harness
        .call(
            "intercomSearchConversations",
            json!({"query": "open conversations"}),
        )
        .await;
    assert!(is_error(&result));
    assert!(
        text(&result).contains("`query` must be object, not a string"),
        "{}",
        text(&result)
    );
    assert!(harness.requests().await.is_empty());
}
