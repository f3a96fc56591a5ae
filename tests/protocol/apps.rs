//! MCP Apps (the `io.modelcontextprotocol/ui` extension) over the protocol: the two `ui://`
//! views in `resources/list` and `resources/read`, tools' `_meta.ui.resourceUri`, and
//! `structuredContent` — all only for a client whose `initialize` names the extension; any
//! other client sees exactly what it saw before, and cannot read a view. In process against a
//! mock Intercom; the real binary: `apps_binary.rs`.

use std::sync::Arc;

use intercom_mcp::server::IntercomServer;
use rmcp::model::{
    CallToolRequestParams, CallToolResult, ClientConfig, ReadResourceRequestParams,
    ResourceContents,
};
use rmcp::service::RunningService;
use rmcp::{RoleClient, ServiceExt};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common;
use crate::common::{RecordingClock, TOKEN, text};

pub(crate) const EXTENSION: &str = "io.modelcontextprotocol/ui";
pub(crate) const MIME: &str = "text/html;profile=mcp-app";
pub(crate) const CONVERSATION: &str = "ui://intercom-mcp/conversation";
const BROWSER: &str = "ui://intercom-mcp/browser";

struct Host {
    intercom: MockServer,
    client: RunningService<RoleClient, ClientConfig>,
}

/// A client whose `initialize` carries `capabilities`, against a server on a mock Intercom.
async fn connect(capabilities: Value) -> Host {
    let intercom = MockServer::start().await;
    let config = common::config(&[("accessToken", TOKEN)], &intercom.uri());
    let server = IntercomServer::with_clock(&config, Arc::new(RecordingClock::default())).unwrap();
    let (server_io, client_io) = tokio::io::duplex(1 << 20);
    tokio::spawn(async move {
        if let Ok(running) = server.serve(server_io).await {
            let _ = running.waiting().await;
        }
    });
    let info: ClientConfig = serde_json::from_value(json!({
        "protocolVersion": "2025-06-18",
        "capabilities": capabilities,
        "clientInfo": {"name": "apps-test-host", "version": "1"},
    }))
    .unwrap();
    let client = info.serve(client_io).await.unwrap();
    Host { intercom, client }
}

async fn with_apps() -> Host {
    connect(json!({"extensions": {EXTENSION: {"mimeTypes": [MIME]}}})).await
}

async fn without_apps() -> Host {
    connect(json!({})).await
}

impl Host {
    async fn call(&self, tool: &str, args: Value) -> CallToolResult {
        let request = CallToolRequestParams::new(tool.to_owned());
        let request = request.with_arguments(args.as_object().cloned().unwrap_or_default());
        self.client.call_tool(request).await.unwrap()
    }

    async fn tools_json(&self) -> Value {
        serde_json::to_value(self.client.list_all_tools().await.unwrap()).unwrap()
    }
}

/// Intercom's answers for a conversation and a page of contacts, each asked for exactly once.
async fn mount_reads(intercom: &MockServer) {
    let conversation = json!({
        "type": "conversation", "id": "123", "created_at": 1_717_200_000, "updated_at": 1_717_200_000,
        "title": "Refund", "state": "open", "open": true, "admin_assignee_id": 7,
        "source": {"type": "conversation", "id": "9", "delivered_as": "customer_initiated",
            "body": "<p>I was <b>charged twice</b></p>", "author": {"type": "user", "id": "c1", "name": "Ada"}},
        "conversation_parts": {"type": "conversation_part.list", "total_count": 1, "conversation_parts": [
            {"type": "conversation_part", "id": "p1", "part_type": "note", "body": "<p>check Stripe</p>",
             "created_at": 1_717_200_100, "author": {"type": "admin", "id": "7", "name": "Mo"}}]},
    });
    Mock::given(method("GET"))
        .and(path("/conversations/123"))
        .respond_with(ResponseTemplate::new(200).set_body_json(conversation))
        .mount(intercom)
        .await;
    let contacts = json!({
        "type": "list", "total_count": 1,
        "data": [{"type": "contact", "id": "c1", "role": "user", "name": "Ada", "email": "ada@example.com"}],
        "pages": {"type": "pages", "page": 1, "per_page": 1, "total_pages": 1},
    });
    Mock::given(method("GET"))
        .and(path("/contacts"))
        .respond_with(ResponseTemplate::new(200).set_body_json(contacts))
        .mount(intercom)
        .await;
}

#[tokio::test]
async fn initialize_announces_the_extension_and_resources_only_to_a_client_that_names_it() {
    let apps = with_apps().await;
    let info = apps.client.peer_info().unwrap();
    let extensions = info.capabilities.extensions.clone().unwrap();
    assert_eq!(
        Value::Object(extensions[EXTENSION].clone()),
        json!({"mimeTypes": [MIME]})
    );
    assert!(info.capabilities.resources.is_some());

    for capabilities in [
        json!({}),
        json!({"extensions": {EXTENSION: {"mimeTypes": ["text/html"]}}}),
    ] {
        let plain = connect(capabilities.clone()).await;
        let info = plain.client.peer_info().unwrap();
        assert_eq!(info.capabilities.extensions, None, "{capabilities}");
        // Resources still, for the workspace directory; no view is listed (below).
        assert!(info.capabilities.resources.is_some(), "{capabilities}");
    }
}

#[tokio::test]
async fn resources_list_and_read_serve_both_views_as_mcp_app_html() {
    let host = with_apps().await;
    let listed = serde_json::to_value(host.client.list_all_resources().await.unwrap()).unwrap();
    let views: Vec<&Value> = listed
        .as_array()
        .unwrap()
        .iter()
        .filter(|resource| resource["uri"].as_str().unwrap().starts_with("ui://"))
        .collect();
    let uris: Vec<&str> = views
        .iter()
        .map(|resource| resource["uri"].as_str().unwrap())
        .collect();
    assert_eq!(uris, [CONVERSATION, BROWSER]);
    let no_network = json!({"connectDomains": [], "resourceDomains": [], "frameDomains": [], "baseUriDomains": []});
    for resource in views {
        assert_eq!(resource["mimeType"], MIME);
        assert_eq!(resource["_meta"]["ui"]["csp"], no_network);
    }
    let assets = [
        (CONVERSATION, include_str!("../../assets/conversation.html")),
        (BROWSER, include_str!("../../assets/browser.html")),
    ];
    for (uri, html) in assets {
        let read = host
            .client
            .read_resource(ReadResourceRequestParams::new(uri))
            .await
            .unwrap();
        let [
            ResourceContents::TextResourceContents {
                uri: read_uri,
                mime_type,
                text,
                meta,
            },
        ] = read.contents.as_slice()
        else {
            panic!("one text content for {uri}: {read:?}")
        };
        assert_eq!(read_uri, uri);
        assert_eq!(mime_type.as_deref(), Some(MIME));
        assert_eq!(text, html);
        let meta = serde_json::to_value(meta).unwrap();
        assert_eq!(meta["ui"]["csp"], no_network, "{uri}");
        assert_eq!(meta["ui"]["prefersBorder"], true, "{uri}");
    }

    let missing = host
        .client
        .read_resource(ReadResourceRequestParams::new("ui://intercom-mcp/nothing"))
        .await
        .unwrap_err()
        .to_string();
    assert!(
        missing.contains("ui://intercom-mcp/nothing") && missing.contains(CONVERSATION),
        "{missing}"
    );
}

#[tokio::test]
async fn five_read_tools_name_their_view_with_the_extension_and_no_tool_changes_without() {
    let linked = with_apps().await.tools_json().await;
    let plain = without_apps().await.tools_json().await;
    let expected = [
        ("intercomListContacts", BROWSER),
        ("intercomSearchContacts", BROWSER),
        ("intercomListConversations", BROWSER),
        ("intercomSearchConversations", BROWSER),
        ("intercomGetConversation", CONVERSATION),
    ];
    let (linked, plain) = (linked.as_array().unwrap(), plain.as_array().unwrap());
    assert_eq!(linked.len(), 16);
    for (with, without) in linked.iter().zip(plain) {
        let name = with["name"].as_str().unwrap();
        match expected.iter().find(|(tool, _)| *tool == name) {
            Some((_, uri)) => assert_eq!(with["_meta"], json!({"ui": {"resourceUri": uri}})),
            None => assert!(with.get("_meta").is_none(), "{name}"),
        }
        let mut stripped = with.clone();
        stripped.as_object_mut().unwrap().remove("_meta");
        assert_eq!(&stripped, without, "{name}: only _meta differs");
        assert!(without.get("_meta").is_none(), "{name}");
    }
}

#[tokio::test]
async fn structured_content_is_the_texts_lean_data_with_the_extension_and_absent_without() {
    let apps = with_apps().await;
    let plain = without_apps().await;
    mount_reads(&apps.intercom).await;
    mount_reads(&plain.intercom).await;
    for (tool, args) in [
        ("intercomGetConversation", json!({"conversation_id": "123"})),
        ("intercomListContacts", json!({"per_page": 1})),
    ] {
        let with = apps.call(tool, args.clone()).await;
        let without = plain.call(tool, args.clone()).await;
        assert_eq!(with.is_error, Some(false), "{tool}: {}", text(&with));
        let data: Value = serde_json::from_str(&text(&with)).unwrap();
        assert_eq!(with.structured_content, Some(data.clone()), "{tool}");
        assert_eq!(text(&with), text(&without), "{tool}: the text is unchanged");
        assert_eq!(
            serde_json::to_value(&without).unwrap(),
            json!({"content": [{"type": "text", "text": text(&without)}], "isError": false}),
            "{tool}: without the extension, no structuredContent"
        );
        if tool == "intercomGetConversation" {
            // The lean form, never Intercom's JSON: HTML as text, one timeline.
            // Fenced as the customer's, as in the text (docs/security.md).
            let tag = intercom_mcp::untrusted::tag();
            assert_eq!(
                data["timeline"][0]["body"],
                format!("⟦c:{tag}⟧I was charged twice⟦/c:{tag}⟧")
            );
            assert_eq!(data["timeline"][1]["part_type"], "note");
            assert!(data.get("conversation_parts").is_none());
        }
    }

    // `raw: true` returns Intercom's JSON as text only; errors and tools without a view never
    // carry structuredContent.
    let raw = apps
        .call(
            "intercomGetConversation",
            json!({"conversation_id": "123", "raw": true}),
        )
        .await;
    assert_eq!(raw.structured_content, None);
    assert!(text(&raw).contains("conversation_parts"));
    let failed = apps
        .call("intercomGetConversation", json!({"conversation_id": "404"}))
        .await;
    assert_eq!(failed.is_error, Some(true));
    assert_eq!(failed.structured_content, None);
    let bad = apps
        .call("intercomListContacts", json!({"per_page": "x"}))
        .await;
    assert_eq!(bad.is_error, Some(true));
    assert_eq!(bad.structured_content, None);
}

#[tokio::test]
async fn a_client_without_the_extension_cannot_read_a_view() {
    let plain = without_apps().await;
    for uri in [CONVERSATION, BROWSER] {
        let err = plain
            .client
            .read_resource(ReadResourceRequestParams::new(uri))
            .await
            .unwrap_err();
        let rmcp::service::ServiceError::McpError(error) = err else {
            panic!("{err:?}")
        };
        assert_eq!(error.code, rmcp::model::ErrorCode::RESOURCE_NOT_FOUND);
        assert_eq!(error.data, Some(json!({"uri": uri})));
        // The resources it names are those this client can read: no view.
        let named = error.message.split("the resources are:").nth(1).unwrap();
        assert!(named.contains("intercom://admins"), "{error:?}");
        assert!(!named.contains("ui://"), "{error:?}");
    }
    assert!(plain.intercom.received_requests().await.unwrap().is_empty());
}
