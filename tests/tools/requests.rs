//! Each of the 16 tools against a mock Intercom: the exact method, path, query, headers and
//! body it sends, and the result the model reads.

use serde_json::{Value, json};
use wiremock::matchers::any;
use wiremock::{Mock, ResponseTemplate};

use crate::common;
use crate::common::{TOKEN, assert_standard_headers, body_json, is_error, start, text};

struct Case {
    tool: &'static str,
    args: Value,
    method: &'static str,
    path: &'static str,
    query: Option<&'static str>,
    body: Value,
}

fn cases() -> Vec<Case> {
    let search = json!({
        "query": {"operator": "AND", "value": [
            {"field": "email", "operator": "~", "value": "example.com"},
            {"operator": "OR", "value": [
                {"field": "role", "operator": "=", "value": "user"},
                {"field": "tag_id", "operator": "=", "value": "7"}
            ]}
        ]},
        "pagination": {"per_page": 25, "starting_after": "WzE2OTk5XQ=="}
    });
    vec![
        Case {
            tool: "intercomListContacts",
            args: json!({"per_page": 50, "starting_after": "abc def&x=1"}),
            method: "GET",
            path: "/contacts",
            query: Some("per_page=50&starting_after=abc+def%26x%3D1"),
            body: json!(null),
        },
        Case {
            tool: "intercomListContacts",
            args: json!({}),
            method: "GET",
            path: "/contacts",
            query: None,
            body: json!(null),
        },
        Case {
            tool: "intercomSearchContacts",
            args: search.clone(),
            method: "POST",
            path: "/contacts/search",
            query: None,
            body: search.clone(),
        },
        Case {
            tool: "intercomGetContact",
            args: json!({"contact_id": "6762f0dd1bb69f9f2193bb7d"}),
            method: "GET",
            path: "/contacts/6762f0dd1bb69f9f2193bb7d",
            query: None,
            body: json!(null),
        },
        Case {
            tool: "intercomCreateContact",
            args: json!({"email": "ada@example.com", "external_id": "u-1", "name": "Ada", "role": "user",
                "signed_up_at": 1700000000, "owner_id": 42, "unsubscribed_from_emails": false,
                "custom_attributes": {"plan": "pro", "seats": 3, "trial": null}}),
            method: "POST",
            path: "/contacts",
            query: None,
            body: json!({"email": "ada@example.com", "external_id": "u-1", "name": "Ada", "role": "user",
                "signed_up_at": 1700000000, "owner_id": 42, "unsubscribed_from_emails": false,
                "custom_attributes": {"plan": "pro", "seats": 3, "trial": null}}),
        },
        Case {
            tool: "intercomUpdateContact",
            args: json!({"contact_id": "c1", "name": "Ada L.", "phone": "+14155550100", "avatar": null}),
            method: "PUT",
            path: "/contacts/c1",
            query: None,
            body: json!({"name": "Ada L.", "phone": "+14155550100"}),
        },
        // An explicit null clears a nullable field: it is sent as null.
        Case {
            tool: "intercomUpdateContact",
            args: json!({"contact_id": "c1", "phone": null}),
            method: "PUT",
            path: "/contacts/c1",
            query: None,
            body: json!({"phone": null}),
        },
        Case {
            tool: "intercomUpdateContact",
            args: json!({"contact_id": "c1", "name": null, "owner_id": null, "email": null,
                "custom_attributes": {"plan": null, "seats": 3}}),
            method: "PUT",
            path: "/contacts/c1",
            query: None,
            body: json!({"name": null, "owner_id": null,
                "custom_attributes": {"plan": null, "seats": 3}}),
        },
        Case {
            tool: "intercomAddNote",
            args: json!({"contact_id": "c1", "body": "<p>Called, wants a demo</p>", "admin_id": "991"}),
            method: "POST",
            path: "/contacts/c1/notes",
            query: None,
            body: json!({"body": "<p>Called, wants a demo</p>", "admin_id": "991"}),
        },
        Case {
            tool: "intercomListConversations",
            args: json!({"per_page": 150, "starting_after": "cur"}),
            method: "GET",
            path: "/conversations",
            query: Some("per_page=150&starting_after=cur"),
            body: json!(null),
        },
        Case {
            tool: "intercomSearchConversations",
            args: json!({"query": {"field": "state", "operator": "=", "value": "open"}}),
            method: "POST",
            path: "/conversations/search",
            query: None,
            body: json!({"query": {"field": "state", "operator": "=", "value": "open"}}),
        },
        Case {
            tool: "intercomGetConversation",
            args: json!({"conversation_id": "147", "display_as": "plaintext"}),
            method: "GET",
            path: "/conversations/147",
            query: Some("display_as=plaintext"),
            body: json!(null),
        },
        Case {
            tool: "intercomReplyConversation",
            args: json!({"conversation_id": "147", "message_type": "comment", "body": "Fixed now.", "admin_id": "991",
                "attachment_urls": ["https://example.com/a.png"],
                "attachment_files": [{"content_type": "text/plain", "data": "aGk=", "name": "hi.txt"}]}),
            method: "POST",
            path: "/conversations/147/reply",
            query: None,
            body: json!({"type": "admin", "message_type": "comment", "body": "Fixed now.", "admin_id": "991",
                "attachment_urls": ["https://example.com/a.png"],
                "attachment_files": [{"content_type": "text/plain", "data": "aGk=", "name": "hi.txt"}]}),
        },
        Case {
            tool: "intercomCloseConversation",
            args: json!({"conversation_id": "147", "admin_id": "991", "body": "Closing, thanks!"}),
            method: "POST",
            path: "/conversations/147/parts",
            query: None,
            body: json!({"message_type": "close", "type": "admin", "admin_id": "991", "body": "Closing, thanks!"}),
        },
        Case {
            tool: "intercomAssignConversation",
            args: json!({"conversation_id": "147", "type": "team", "admin_id": "991", "assignee_id": "5"}),
            method: "POST",
            path: "/conversations/147/parts",
            query: None,
            body: json!({"message_type": "assignment", "type": "team", "admin_id": "991", "assignee_id": "5"}),
        },
        Case {
            tool: "intercomListCompanies",
            args: json!({"page": 2, "per_page": 30, "order": "asc"}),
            method: "POST",
            path: "/companies/list",
            query: Some("order=asc&page=2&per_page=30"),
            body: json!(null),
        },
        Case {
            tool: "intercomGetCompany",
            args: json!({"company_id": "531ee472cce572a6ec000006"}),
            method: "GET",
            path: "/companies/531ee472cce572a6ec000006",
            query: None,
            body: json!(null),
        },
        Case {
            tool: "intercomListTags",
            args: json!({}),
            method: "GET",
            path: "/tags",
            query: None,
            body: json!(null),
        },
        Case {
            tool: "intercomTagContact",
            args: json!({"contact_id": "c1", "id": "7522907"}),
            method: "POST",
            path: "/contacts/c1/tags",
            query: None,
            body: json!({"id": "7522907"}),
        },
    ]
}

#[tokio::test]
async fn every_tool_sends_exactly_what_the_document_says() {
    let mut covered = std::collections::BTreeSet::new();
    for case in cases() {
        let harness = start().await;
        let answer = json!({"type": "thing", "id": "1", "nested": {"list": [1, 2]}});
        Mock::given(any())
            .respond_with(ResponseTemplate::new(200).set_body_json(&answer))
            .mount(&harness.intercom)
            .await;
        // Read tools take `raw: true`: the answer must then come back untouched, and `raw`
        // itself must not reach Intercom (the exact query and body below show it does not).
        let read = ["intercomList", "intercomSearch", "intercomGet"]
            .iter()
            .any(|p| case.tool.starts_with(p));
        let mut args = case.args.clone();
        if read {
            args["raw"] = json!(true);
        }
        let result = harness.call(case.tool, args).await;
        assert!(!is_error(&result), "{}: {}", case.tool, text(&result));
        let request = harness.only_request().await;
        assert_eq!(request.method.as_str(), case.method, "{}", case.tool);
        assert_eq!(request.url.path(), case.path, "{}", case.tool);
        assert_eq!(request.url.query(), case.query, "{}", case.tool);
        assert_standard_headers(&request, TOKEN);
        assert_eq!(body_json(&request), case.body, "{}", case.tool);
        if !case.body.is_null() {
            let content_type = request
                .headers
                .get("content-type")
                .unwrap()
                .to_str()
                .unwrap();
            assert_eq!(content_type, "application/json", "{}", case.tool);
        }
        // The model reads Intercom's answer as compact JSON, once (a write's lean form of this
        // answer is the same: nothing in it is a default, a kind or a time). A write that
        // reaches a customer adds a line saying the user was not asked (no elicitation here).
        let first = result.content.first().and_then(|block| block.as_text());
        assert_eq!(
            first.map(|block| block.text.as_str()),
            Some(answer.to_string().as_str()),
            "{}",
            case.tool
        );
        // The cases whose message reaches the customer: a comment, a close with a message.
        let to_customer = ["intercomReplyConversation", "intercomCloseConversation"];
        let lines = if to_customer.contains(&case.tool) {
            2
        } else {
            1
        };
        assert_eq!(
            result.content.len(),
            lines,
            "{}: {}",
            case.tool,
            text(&result)
        );
        covered.insert(case.tool);
    }
    assert_eq!(covered.len(), 16, "every tool has a request case");
}

/// Leaving a field out leaves it unchanged: with nothing to change, nothing is sent; a field
/// that is not nullable (email) given as null is left out.
#[tokio::test]
async fn an_update_without_fields_sends_nothing_and_no_phone_unless_given() {
    let harness = start().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"type": "contact", "id": "c1"})),
        )
        .mount(&harness.intercom)
        .await;
    let result = harness
        .call("intercomUpdateContact", json!({"contact_id": "c1"}))
        .await;
    assert!(is_error(&result));
    assert!(
        text(&result).contains("at least one field"),
        "{}",
        text(&result)
    );
    let result = harness
        .call(
            "intercomUpdateContact",
            json!({"contact_id": "c1", "email": null}),
        )
        .await;
    assert!(is_error(&result), "{}", text(&result));
    assert!(harness.requests().await.is_empty());
    let result = harness
        .call(
            "intercomUpdateContact",
            json!({"contact_id": "c1", "name": "Ada"}),
        )
        .await;
    assert!(!is_error(&result), "{}", text(&result));
    let body = body_json(&harness.only_request().await);
    assert_eq!(body, json!({"name": "Ada"}));
    assert!(body.get("phone").is_none());
}

/// A dry run shows the cleared field as the null it would send, and sends nothing.
#[tokio::test]
async fn a_dry_run_shows_a_cleared_field_as_null() {
    let harness = common::start_with(&[("accessToken", TOKEN), ("INTERCOM_DRY_RUN", "1")]).await;
    let result = harness
        .call(
            "intercomUpdateContact",
            json!({"contact_id": "c1", "phone": null}),
        )
        .await;
    assert!(!is_error(&result), "{}", text(&result));
    let described: Value = serde_json::from_str(&text(&result)).unwrap();
    assert_eq!(described["body"], json!({"phone": null}));
    assert!(harness.requests().await.is_empty());
}
