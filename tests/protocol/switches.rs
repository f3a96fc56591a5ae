//! Safety switches: read-only exposes the 9 reads, dry-run makes writes describe the request
//! they would send without sending it, and a tool list exposes a subset; `tools/list` shows
//! exactly what is exposed.

use intercom_mcp::server::IntercomServer;
use serde_json::{Value, json};
use wiremock::matchers::any;
use wiremock::{Mock, ResponseTemplate};

use crate::common;
use crate::common::{TOKEN, is_error, start_with, text};

async fn names(harness: &common::Harness) -> Vec<String> {
    harness
        .client
        .list_all_tools()
        .await
        .unwrap()
        .iter()
        .map(|tool| tool.name.to_string())
        .collect()
}

#[tokio::test]
async fn read_only_exposes_the_nine_reads_and_refuses_the_rest() {
    let harness = start_with(&[("accessToken", TOKEN), ("INTERCOM_READ_ONLY", "1")]).await;
    let names = names(&harness).await;
    assert_eq!(names.len(), 9, "{names:?}");
    assert!(names.iter().all(|name| {
        ["List", "Search", "Get"]
            .iter()
            .any(|verb| name.contains(verb))
    }));
    let err = harness
        .client
        .call_tool(rmcp::model::CallToolRequestParams::new(
            "intercomReplyConversation",
        ))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("unknown tool"), "{err}");
    assert!(harness.requests().await.is_empty());
}

#[tokio::test]
async fn dry_run_writes_describe_the_request_and_send_nothing() {
    let harness = start_with(&[
        ("accessToken", TOKEN),
        ("INTERCOM_DRY_RUN", "1"),
        ("INTERCOM_ADMIN_ID", "9"),
    ])
    .await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"type": "list", "data": []})))
        .mount(&harness.intercom)
        .await;
    let result = harness
        .call("intercomReplyConversation", json!({"conversation_id": "a/b", "message_type": "comment", "body": "Hi", "attachment_urls": ["https://example.com/a.png"]}))
        .await;
    assert!(!is_error(&result), "{}", text(&result));
    let description: Value = serde_json::from_str(&text(&result)).unwrap();
    assert_eq!(description["method"], "POST");
    assert_eq!(description["path"], "/conversations/a%2Fb/reply");
    assert_eq!(
        description["body"],
        json!({"message_type": "comment", "type": "admin", "body": "Hi", "admin_id": "9", "attachment_urls": ["https://example.com/a.png"]}),
        "the exact body"
    );
    assert!(
        description["dry_run"]
            .as_str()
            .unwrap()
            .contains("nothing was sent")
    );
    assert!(
        harness.requests().await.is_empty(),
        "a dry run sends nothing"
    );
    // Reads still read.
    assert!(!is_error(
        &harness.call("intercomListTags", json!({})).await
    ));
    assert_eq!(harness.requests().await.len(), 1);
    assert_eq!(
        names(&harness).await.len(),
        16,
        "a dry run still lists every tool"
    );
}

#[tokio::test]
async fn a_tool_list_exposes_a_subset() {
    let harness = start_with(&[
        ("accessToken", TOKEN),
        ("INTERCOM_TOOLS", "intercomGetContact,intercomAddNote"),
    ])
    .await;
    assert_eq!(
        names(&harness).await,
        ["intercomGetContact", "intercomAddNote"]
    );
}

#[test]
fn an_unknown_tool_name_or_a_write_under_read_only_stops_start_up() {
    let config = common::config(
        &[("INTERCOM_TOOLS", "intercomDeleteAll")],
        "http://127.0.0.1:9",
    );
    let err = IntercomServer::new(&config).err().unwrap().to_string();
    assert!(
        err.contains("intercomDeleteAll") && err.contains("intercomListTags"),
        "{err}"
    );
    let config = common::config(
        &[
            ("INTERCOM_TOOLS", "intercomAddNote"),
            ("INTERCOM_READ_ONLY", "1"),
        ],
        "http://127.0.0.1:9",
    );
    let err = IntercomServer::new(&config).err().unwrap().to_string();
    assert!(
        err.contains("intercomAddNote") && err.contains("read-only"),
        "{err}"
    );
}

#[tokio::test]
async fn a_dry_run_needs_no_token_to_describe_a_write() {
    let harness = start_with(&[("INTERCOM_DRY_RUN", "1")]).await;
    let result = harness
        .call("intercomTagContact", json!({"contact_id": "c1", "id": "7"}))
        .await;
    assert!(!is_error(&result), "{}", text(&result));
    let description: Value = serde_json::from_str(&text(&result)).unwrap();
    assert_eq!(description["body"], json!({"id": "7"}));
    assert!(harness.requests().await.is_empty());
}
