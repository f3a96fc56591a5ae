//! The MCP surface: identity, the 16 tools with their annotations and schemas, unknown tools,
//! and token rotation by notification.

use std::collections::BTreeMap;
use std::time::Duration;

use rmcp::model::{CallToolRequestParams, Tool};
use serde_json::{Value, json};
use wiremock::matchers::any;
use wiremock::{Mock, ResponseTemplate};

use crate::common;
use crate::common::{TOKEN, is_error, start, start_with, text};

const READS: [&str; 9] = [
    "intercomListContacts",
    "intercomSearchContacts",
    "intercomGetContact",
    "intercomListConversations",
    "intercomSearchConversations",
    "intercomGetConversation",
    "intercomListCompanies",
    "intercomGetCompany",
    "intercomListTags",
];

/// (destructive, idempotent) for each write, as the tool really behaves.
const WRITES: [(&str, bool, bool); 7] = [
    ("intercomCreateContact", false, false),
    ("intercomUpdateContact", true, true),
    ("intercomAddNote", false, false),
    ("intercomReplyConversation", false, false),
    ("intercomCloseConversation", false, false),
    ("intercomAssignConversation", true, false),
    ("intercomTagContact", false, true),
];

async fn listed() -> Vec<Tool> {
    start().await.client.list_all_tools().await.unwrap()
}

#[tokio::test]
async fn the_server_names_itself_and_explains_the_tools() {
    let harness = start().await;
    let info = harness.client.peer_info().unwrap();
    let server = info.server_info.clone().unwrap();
    assert_eq!(server.name, "intercom-mcp");
    assert_eq!(server.version, env!("CARGO_PKG_VERSION"));
    let instructions = info.instructions.clone().unwrap();
    assert!(
        instructions.contains("starting_after") && instructions.contains("admin_id"),
        "{instructions}"
    );
}

#[tokio::test]
async fn exactly_sixteen_tools_with_honest_annotations() {
    let tools = listed().await;
    assert_eq!(tools.len(), 16);
    let by_name: BTreeMap<&str, &Tool> = tools
        .iter()
        .map(|tool| (tool.name.as_ref(), tool))
        .collect();
    assert_eq!(by_name.len(), 16, "names are unique");
    for name in READS {
        let annotations = by_name[name].annotations.as_ref().unwrap();
        assert_eq!(annotations.read_only_hint, Some(true), "{name}");
        assert_eq!(annotations.open_world_hint, Some(true), "{name}");
    }
    for (name, destructive, idempotent) in WRITES {
        let annotations = by_name[name].annotations.as_ref().unwrap();
        assert_eq!(annotations.read_only_hint, Some(false), "{name}");
        assert_eq!(annotations.destructive_hint, Some(destructive), "{name}");
        assert_eq!(annotations.idempotent_hint, Some(idempotent), "{name}");
        assert_eq!(annotations.open_world_hint, Some(true), "{name}");
    }
    for tool in &tools {
        assert!(
            tool.title.as_deref().is_some_and(|title| !title.is_empty()),
            "{}",
            tool.name
        );
        assert!(
            tool.description.as_deref().is_some_and(|d| d.len() > 40),
            "{}",
            tool.name
        );
    }
}

/// Every property a model fills in, at any depth, with its location.
fn properties(schema: &Value, at: &str, out: &mut Vec<(String, Value)>) {
    let Value::Object(map) = schema else { return };
    for (key, value) in map {
        match (key.as_str(), value) {
            ("properties", Value::Object(props)) => {
                for (name, prop) in props {
                    out.push((format!("{at}.{name}"), prop.clone()));
                    properties(prop, &format!("{at}.{name}"), out);
                }
            }
            ("$defs", Value::Object(defs)) => {
                for (name, def) in defs {
                    properties(def, &format!("{at}.$defs.{name}"), out);
                }
            }
            _ => properties(value, at, out),
        }
    }
}

#[tokio::test]
async fn schemas_are_objects_described_in_our_words_and_closed() {
    for tool in listed().await {
        let schema = Value::Object((*tool.input_schema).clone());
        assert_eq!(schema["type"], "object", "{}", tool.name);
        assert_eq!(schema["additionalProperties"], false, "{}", tool.name);
        assert!(schema["properties"].is_object(), "{}", tool.name);
        let text = schema.to_string();
        assert!(!text.contains("\"title\""), "{}: {text}", tool.name);
        // Null is no argument's type (a null means "left out"), except where it clears a
        // field: intercomUpdateContact's nullable fields.
        let nullable: Vec<&String> = schema["properties"]
            .as_object()
            .unwrap()
            .iter()
            .filter(|(_, property)| property.to_string().contains("\"null\""))
            .map(|(name, _)| name)
            .collect();
        let clearable: &[&str] = if tool.name == "intercomUpdateContact" {
            &["name", "owner_id", "phone"]
        } else {
            &[]
        };
        assert_eq!(nullable, clearable, "{}: {text}", tool.name);
        let mut found = Vec::new();
        properties(&schema, &tool.name, &mut found);
        for (at, property) in found {
            let description = property["description"].as_str().unwrap_or_default();
            assert!(description.len() >= 10, "{at} has no description of ours");
            assert!(
                !description.starts_with('`'),
                "{at} has a placeholder description"
            );
        }
    }
}

#[tokio::test]
async fn close_and_assign_show_only_their_own_variant() {
    let tools = listed().await;
    let schema = |name: &str| {
        let tool = tools.iter().find(|tool| tool.name == name).unwrap();
        Value::Object((*tool.input_schema).clone())
    };
    let keys = |schema: &Value| {
        schema["properties"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect::<Vec<_>>()
    };
    assert_eq!(
        keys(&schema("intercomCloseConversation")),
        ["conversation_id", "admin_id", "body"]
    );
    assert_eq!(
        keys(&schema("intercomAssignConversation")),
        ["conversation_id", "admin_id", "assignee_id", "body", "type"]
    );
    assert_eq!(
        schema("intercomAssignConversation")["properties"]["type"]["enum"],
        json!(["admin", "team"])
    );
}

#[tokio::test]
async fn the_tool_list_is_small_and_pinned() {
    let tools = listed().await;
    let bytes = serde_json::to_string(&json!({"tools": tools}))
        .unwrap()
        .len();
    println!("tools/list result: {bytes} bytes");
    assert!(bytes <= 14_000, "tools/list is {bytes} bytes");
    insta::assert_json_snapshot!("tools_list", tools);
}

#[tokio::test]
async fn an_unknown_tool_is_a_protocol_error_naming_the_tools() {
    let harness = start().await;
    let err = harness
        .client
        .call_tool(CallToolRequestParams::new("intercomDeleteEverything"))
        .await
        .unwrap_err();
    let message = err.to_string();
    assert!(
        message.contains("intercomDeleteEverything") && message.contains("intercomListTags"),
        "{message}"
    );
    // The session goes on.
    assert_eq!(harness.client.list_all_tools().await.unwrap().len(), 16);
}

/// Calls a read until its request carries `token`: notifications are handled concurrently
/// with calls, so the switch is observed by the next calls, not necessarily the very next.
async fn call_until_token(harness: &common::Harness, token: &str) -> bool {
    for _ in 0..100 {
        harness.intercom.reset().await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
            .mount(&harness.intercom)
            .await;
        let result = harness.call("intercomListTags", json!({})).await;
        assert!(!is_error(&result), "{}", text(&result));
        let request = harness.only_request().await;
        let sent = request
            .headers
            .get("authorization")
            .unwrap()
            .to_str()
            .unwrap()
            .to_owned();
        if sent == format!("Bearer {token}") {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    false
}

#[tokio::test]
async fn a_token_update_switches_later_calls_to_the_new_token() {
    let harness = start().await;
    assert!(call_until_token(&harness, TOKEN).await);
    harness
        .notify_token(json!({"accessToken": "tok_rotated_1", "timestamp": 1767225600}))
        .await;
    assert!(
        call_until_token(&harness, "tok_rotated_1").await,
        "accessToken form"
    );
    harness
        .notify_token(json!({"token": "Bearer tok_rotated_2"}))
        .await;
    assert!(
        call_until_token(&harness, "tok_rotated_2").await,
        "token form, Bearer prefix"
    );
}

/// Token updates applied straight to the server (no notification race), each followed by a
/// call whose request shows which token is in use.
#[tokio::test]
async fn token_updates_are_applied_exactly_and_bad_or_stale_ones_ignored() {
    let intercom = wiremock::MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .mount(&intercom)
        .await;
    let server = intercom_mcp::server::IntercomServer::new(&common::config(
        &[("accessToken", TOKEN)],
        &intercom.uri(),
    ))
    .unwrap();
    let in_use = || async {
        intercom.reset().await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
            .mount(&intercom)
            .await;
        let result = server
            .call("intercomListTags", Some(serde_json::Map::new()))
            .await
            .unwrap();
        assert!(!is_error(&result), "{}", text(&result));
        let requests = intercom.received_requests().await.unwrap();
        let header = requests[0]
            .headers
            .get("authorization")
            .unwrap()
            .to_str()
            .unwrap()
            .to_owned();
        header.strip_prefix("Bearer ").unwrap().to_owned()
    };
    for bad in [
        json!({"accessToken": ""}),
        json!({"token": 42}),
        json!({"something": "else"}),
        json!({"accessToken": "two words"}),
    ] {
        server.update_token(Some(&bad));
        assert_eq!(in_use().await, TOKEN, "{bad} must be ignored");
    }
    server.update_token(None);
    assert_eq!(in_use().await, TOKEN);
    server.update_token(Some(&json!({"accessToken": "", "token": "tok_b"})));
    assert_eq!(
        in_use().await,
        "tok_b",
        "an empty accessToken does not hide a usable token"
    );
    server.update_token(Some(&json!({"accessToken": "tok_t200", "timestamp": 200})));
    assert_eq!(in_use().await, "tok_t200");
    server.update_token(Some(&json!({"accessToken": "tok_t100", "timestamp": 100})));
    assert_eq!(
        in_use().await,
        "tok_t200",
        "an older rotation arriving late is ignored"
    );
    server.update_token(Some(
        &json!({"token": "Bearer tok_t300", "timestamp": "300"}),
    ));
    assert_eq!(in_use().await, "tok_t300");
}

#[tokio::test]
async fn a_server_started_without_a_token_works_after_an_update() {
    let harness = start_with(&[]).await;
    harness
        .notify_token(json!({"accessToken": "tok_late"}))
        .await;
    let mut ok = false;
    for _ in 0..100 {
        Mock::given(any())
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
            .mount(&harness.intercom)
            .await;
        if !is_error(&harness.call("intercomListTags", json!({})).await) {
            ok = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(ok);
    let requests = harness.requests().await;
    assert_eq!(
        requests.len(),
        1,
        "no request went out before the token arrived"
    );
}
