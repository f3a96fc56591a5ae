//! Bad input never reaches Intercom: each case comes back as an `isError` result that names
//! the field and what fits, with no request sent. Ids can never change the requested path.

use serde_json::{Value, json};
use wiremock::matchers::any;
use wiremock::{Mock, ResponseTemplate};

use crate::common::{is_error, start, text};

async fn refused(tool: &str, args: Value) -> String {
    let harness = start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .mount(&harness.intercom)
        .await;
    let result = harness.call(tool, args).await;
    assert!(is_error(&result), "{tool} should refuse: {}", text(&result));
    assert!(
        harness.requests().await.is_empty(),
        "{tool} sent a request for bad input"
    );
    text(&result)
}

#[tokio::test]
async fn a_search_operator_that_does_not_exist() {
    let message = refused(
        "intercomSearchContacts",
        json!({"query": {"field": "email", "operator": "contains", "value": "@example.com"}}),
    )
    .await;
    assert!(
        message.contains("`query.operator`") && message.contains("\"contains\""),
        "{message}"
    );
    assert!(
        message.contains("=, !=, IN, NIN, <, <=, >, >=, ~, !~, ^, $"),
        "{message}"
    );
}

#[tokio::test]
async fn a_contact_with_only_a_name() {
    let message = refused("intercomCreateContact", json!({"name": "Ada"})).await;
    assert!(
        message.contains("at least one of email, external_id or role"),
        "{message}"
    );
}

#[tokio::test]
async fn an_unknown_property_lists_the_known_ones() {
    let message = refused(
        "intercomGetContact",
        json!({"contact_id": "c1", "include": "notes"}),
    )
    .await;
    assert!(message.contains("unknown property `include`"), "{message}");
    assert!(
        message.contains("known properties: contact_id"),
        "{message}"
    );
    let message = refused(
        "intercomSearchConversations",
        json!({"query": {"field": "state", "operator": "=", "value": "open", "limit": 5}}),
    )
    .await;
    assert!(
        message.contains("unknown property `query.limit`"),
        "{message}"
    );
}

#[tokio::test]
async fn wrong_types_missing_fields_and_bounds() {
    let message = refused(
        "intercomAssignConversation",
        json!({"conversation_id": "1", "type": "admin", "admin_id": "2", "assignee_id": 3.5}),
    )
    .await;
    assert!(
        message.contains("`assignee_id` must be string, not a number"),
        "{message}"
    );
    let message = refused(
        "intercomReplyConversation",
        json!({"conversation_id": "1", "message_type": "comment", "admin_id": "2"}),
    )
    .await;
    assert!(message.contains("`body` is required"), "{message}");
    let message = refused("intercomListContacts", json!({"per_page": 500})).await;
    assert!(
        message.contains("`per_page` must be at most 150"),
        "{message}"
    );
    let message = refused("intercomSearchContacts", json!({"query": {"field": "email", "operator": "=", "value": "a"}, "pagination": {"starting_after": "x"}})).await;
    assert!(
        message.contains("`pagination.per_page` is required"),
        "{message}"
    );
    let message = refused(
        "intercomAssignConversation",
        json!({"conversation_id": "1", "type": "bot", "admin_id": "2", "assignee_id": "3"}),
    )
    .await;
    assert!(message.contains("use one of: admin, team"), "{message}");
    let message = refused("intercomUpdateContact", json!({"contact_id": "c1"})).await;
    assert!(message.contains("at least one field"), "{message}");
}

#[tokio::test]
async fn search_structure_rules() {
    let filter = json!({"field": "email", "operator": "=", "value": "a@b.c"});
    let too_many: Vec<Value> = (0..16).map(|_| filter.clone()).collect();
    let message = refused(
        "intercomSearchContacts",
        json!({"query": {"operator": "OR", "value": too_many}}),
    )
    .await;
    assert!(message.contains("at most 15"), "{message}");
    let deep = json!({"operator": "AND", "value": [{"operator": "OR", "value": [{"operator": "AND", "value": [filter]}]}]});
    let message = refused("intercomSearchConversations", json!({"query": deep})).await;
    assert!(message.contains("third level"), "{message}");
    let message = refused(
        "intercomSearchContacts",
        json!({"query": {"field": "role", "operator": "IN", "value": "user"}}),
    )
    .await;
    assert!(
        message.contains("must be an array with operator IN"),
        "{message}"
    );
}

#[tokio::test]
async fn ids_that_would_change_the_path_are_refused() {
    for id in [".", "..", "a\\..\\..\\tags", "", "   "] {
        let message = refused("intercomGetContact", json!({"contact_id": id})).await;
        assert!(message.contains("contact_id"), "{id:?}: {message}");
    }
}

#[tokio::test]
async fn every_other_id_stays_one_encoded_path_segment() {
    let cases = [
        ("x/../../tags", "/contacts/x%2F..%2F..%2Ftags"),
        ("../tags", "/contacts/..%2Ftags"),
        ("a?b=1", "/contacts/a%3Fb=1"),
        ("a#frag", "/contacts/a%23frag"),
        ("100%", "/contacts/100%25"),
        ("%2e%2e", "/contacts/%252e%252e"),
        ("a b", "/contacts/a%20b"),
        ("ünï/😀", "/contacts/%C3%BCn%C3%AF%2F%F0%9F%98%80"),
        ("...", "/contacts/..."),
    ];
    for (id, path) in cases {
        let harness = start().await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": id})))
            .mount(&harness.intercom)
            .await;
        let result = harness
            .call("intercomGetContact", json!({"contact_id": id}))
            .await;
        assert!(!is_error(&result), "{id:?}: {}", text(&result));
        let request = harness.only_request().await;
        assert_eq!(request.url.path(), path, "{id:?}");
        assert_eq!(request.url.query(), None, "{id:?}");
        assert_eq!(
            request.url.path_segments().unwrap().count(),
            2,
            "{id:?} escaped its segment"
        );
    }
}
