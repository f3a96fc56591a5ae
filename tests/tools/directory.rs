//! The directory resources against a mock Intercom: what they send, how the cache and the one
//! request in flight per resource behave, and that a record template reads as its Get tool.

use std::time::Duration;

use rmcp::model::{ReadResourceRequestParams, ReadResourceResult, ResourceContents};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

use crate::common;
use crate::common::{TOKEN, assert_standard_headers, start, text};

fn admins() -> Value {
    json!({"type": "admin.list", "admins": [
        {"type": "admin", "id": "991", "name": "Ada Brook", "email": "ada@example.com",
         "away_mode_enabled": true, "away_mode_reassign": false, "job_title": "Lead"},
        {"type": "admin", "id": "992", "name": "Ben Cole", "email": "ben@example.com",
         "away_mode_enabled": false, "away_mode_reassign": false}
    ]})
}

fn contents(result: &ReadResourceResult) -> String {
    match &result.contents[0] {
        ResourceContents::TextResourceContents { text, .. } => text.clone(),
        other => panic!("not text: {other:?}"),
    }
}

#[tokio::test]
async fn two_concurrent_reads_of_admins_send_one_get_admins() {
    let h = start().await;
    // Slow enough that the second read arrives while the first request is in flight.
    Mock::given(method("GET"))
        .and(path("/admins"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(admins())
                .set_delay(Duration::from_millis(300)),
        )
        .expect(1)
        .mount(&h.intercom)
        .await;
    let read = || {
        h.client
            .read_resource(ReadResourceRequestParams::new("intercom://admins"))
    };
    let (first, second) = tokio::join!(read(), read());
    let (first, second) = (first.unwrap(), second.unwrap());
    assert_eq!(contents(&first), contents(&second));
    let lean: Value = serde_json::from_str(&contents(&first)).unwrap();
    assert_eq!(
        lean,
        json!({"admins": [
            {"id": "991", "name": "Ada Brook", "email": "ada@example.com", "away": true},
            {"id": "992", "name": "Ben Cole", "email": "ben@example.com"}
        ]})
    );
    // A third read within the minute comes from the cache.
    h.client
        .read_resource(ReadResourceRequestParams::new("intercom://admins"))
        .await
        .unwrap();
    let request = h.only_request().await;
    assert_eq!(request.method.as_str(), "GET");
    assert_eq!(request.url.path(), "/admins");
    assert_eq!(request.url.query(), None);
    assert_standard_headers(&request, TOKEN);
}

#[tokio::test]
async fn a_failed_read_is_an_error_that_is_not_cached() {
    let h = start().await;
    Mock::given(method("GET"))
        .and(path("/teams"))
        .respond_with(
            ResponseTemplate::new(401).set_body_json(json!({"type": "error.list",
            "errors": [{"code": "unauthorized", "message": "Access Token Invalid"}]})),
        )
        .up_to_n_times(1)
        .mount(&h.intercom)
        .await;
    Mock::given(method("GET"))
        .and(path("/teams"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"type": "team.list",
            "teams": [{"type": "team", "id": "77", "name": "Billing", "admin_ids": [991]}]})),
        )
        .mount(&h.intercom)
        .await;
    let failed = h
        .client
        .read_resource(ReadResourceRequestParams::new("intercom://teams"))
        .await
        .unwrap_err();
    let failed = failed.to_string();
    assert!(failed.contains("401"), "{failed}");
    assert!(!failed.contains(TOKEN), "{failed}");
    let teams = h
        .client
        .read_resource(ReadResourceRequestParams::new("intercom://teams"))
        .await
        .unwrap();
    let lean: Value = serde_json::from_str(&contents(&teams)).unwrap();
    assert_eq!(
        lean,
        json!({"teams": [{"id": "77", "name": "Billing", "members": ["991"]}]})
    );
    assert_eq!(h.requests().await.len(), 2);
}

#[tokio::test]
async fn a_contact_template_reads_what_the_get_tool_answers() {
    let h = start().await;
    let contact = json!({"type": "contact", "id": "c1", "name": "Zoe\u{200b} Park",
        "email": "zoe@example.com", "role": "user", "phone": null});
    Mock::given(method("GET"))
        .and(path("/contacts/c1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(contact))
        .mount(&h.intercom)
        .await;
    let read = h
        .client
        .read_resource(ReadResourceRequestParams::new("intercom://contacts/c1"))
        .await
        .unwrap();
    let tool = h
        .call("intercomGetContact", json!({"contact_id": "c1"}))
        .await;
    assert_eq!(contents(&read), text(&tool));
    assert!(!contents(&read).contains('\u{200b}'));
    let unknown = h
        .client
        .read_resource(ReadResourceRequestParams::new("intercom://companies/1"))
        .await
        .unwrap_err()
        .to_string();
    assert!(unknown.contains("intercom://admins"), "{unknown}");
}

/// A rotated token may belong to another workspace: the directory is read again with it.
#[tokio::test]
async fn a_token_update_forgets_the_cached_directory() {
    let h = start().await;
    Mock::given(method("GET"))
        .and(path("/admins"))
        .respond_with(ResponseTemplate::new(200).set_body_json(admins()))
        .mount(&h.intercom)
        .await;
    let read = || {
        h.client
            .read_resource(ReadResourceRequestParams::new("intercom://admins"))
    };
    read().await.unwrap();
    read().await.unwrap();
    assert_eq!(h.requests().await.len(), 1, "the second read is cached");
    h.notify_token(json!({"accessToken": "tok_rotated_dir"}))
        .await;
    let mut sent_with_new = false;
    for _ in 0..100 {
        read().await.unwrap();
        sent_with_new = h.requests().await.iter().any(|request| {
            request
                .headers
                .get("authorization")
                .map(|v| v.to_str().unwrap())
                == Some("Bearer tok_rotated_dir")
        });
        if sent_with_new {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(
        sent_with_new,
        "GET /admins is sent again with the new token"
    );
    assert_eq!(h.requests().await.len(), 2);
}

/// `--tools` holds for the templates too: a record whose Get tool is hidden is not offered.
#[tokio::test]
async fn templates_follow_the_exposed_get_tools() {
    let h = common::start_with(&[
        ("accessToken", TOKEN),
        ("INTERCOM_TOOLS", "intercomGetContact,intercomListTags"),
    ])
    .await;
    let templates = h.client.list_all_resource_templates().await.unwrap();
    let templates: Vec<&str> = templates
        .iter()
        .map(|template| template.uri_template.as_str())
        .collect();
    assert_eq!(templates, ["intercom://contacts/{id}"]);
    let hidden = h
        .client
        .read_resource(ReadResourceRequestParams::new("intercom://conversations/9"))
        .await
        .unwrap_err()
        .to_string();
    assert!(hidden.contains("does not expose"), "{hidden}");
    assert!(h.requests().await.is_empty());
}
