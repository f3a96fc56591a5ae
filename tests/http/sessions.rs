//! 2025 clients over Streamable HTTP, remembered without state: the `Mcp-Session-Id` issued at
//! `initialize` carries what the client declared, so a client that declared the MCP Apps
//! extension gets views on every later request (as over stdio) and one that did not gets none
//! (and cannot read a `ui://`); an id that does not open (tampered, another key, another
//! tenant) is answered 404; two servers with the same key open each other's ids; a
//! 2026-07-28 client, which states its capabilities in each request, is served as before.

use rmcp::RoleClient;
use rmcp::model::{
    CallToolRequestParams, ClientConfig, ErrorCode, ReadResourceRequestParams, ResourceContents,
};
use rmcp::service::{ClientLifecycleMode, ClientServiceExt, RunningService, ServiceError};
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

use crate::common::deploy::{Deployment, deploy};
use crate::common::oauth::KEY;
use crate::common::text;

const EXTENSION: &str = "io.modelcontextprotocol/ui";
const MIME: &str = "text/html;profile=mcp-app";
const CONVERSATION: &str = "ui://intercom-mcp/conversation";
const BROWSER: &str = "ui://intercom-mcp/browser";
const OTHER_KEY: &str = "HxweHRwbGhkYFxYVFBMSERAPDg0MCwoJCAcGBQQDAgE=";

fn with_key() -> [(&'static str, &'static str); 1] {
    [("INTERCOM_MCP_TOKEN_KEY", KEY)]
}

fn apps() -> Value {
    json!({"extensions": {EXTENSION: {"mimeTypes": [MIME]}}})
}

/// An rmcp client on `revision` whose `initialize` (or, at 2026-07-28, each request) states
/// `capabilities`.
async fn client(
    deployment: &Deployment,
    revision: &str,
    capabilities: Value,
) -> RunningService<RoleClient, ClientConfig> {
    let info: ClientConfig = serde_json::from_value(json!({
        "protocolVersion": revision,
        "capabilities": capabilities,
        "clientInfo": {"name": "session-test-host", "version": "1"},
    }))
    .unwrap();
    let lifecycle = if info.protocol_version.has_initialize() {
        ClientLifecycleMode::Initialize
    } else {
        // 2026-07-28 has no `initialize`: each request states the client's capabilities.
        ClientLifecycleMode::Discover {
            preferred_versions: vec![info.protocol_version.clone()],
        }
    };
    let config =
        StreamableHttpClientTransportConfig::with_uri(deployment.url()).auth_header("tok_alice");
    info.serve_with_lifecycle(
        StreamableHttpClientTransport::from_config(config),
        lifecycle,
    )
    .await
    .unwrap()
}

/// The tools that name a view, with the view, in listing order.
async fn linked(client: &RunningService<RoleClient, ClientConfig>) -> Vec<(String, Value)> {
    let tools = serde_json::to_value(client.list_all_tools().await.unwrap()).unwrap();
    assert_eq!(tools.as_array().unwrap().len(), 16);
    tools
        .as_array()
        .unwrap()
        .iter()
        .filter(|tool| tool.get("_meta").is_some())
        .map(|tool| {
            (
                tool["name"].as_str().unwrap().to_owned(),
                tool["_meta"].clone(),
            )
        })
        .collect()
}

fn five_views() -> Vec<(String, Value)> {
    [
        ("intercomListContacts", BROWSER),
        ("intercomSearchContacts", BROWSER),
        ("intercomListConversations", BROWSER),
        ("intercomSearchConversations", BROWSER),
        ("intercomGetConversation", CONVERSATION),
    ]
    .into_iter()
    .map(|(name, uri)| (name.to_owned(), json!({"ui": {"resourceUri": uri}})))
    .collect()
}

async fn ui_resources(client: &RunningService<RoleClient, ClientConfig>) -> Vec<String> {
    let listed = serde_json::to_value(client.list_all_resources().await.unwrap()).unwrap();
    listed
        .as_array()
        .unwrap()
        .iter()
        .map(|resource| resource["uri"].as_str().unwrap().to_owned())
        .filter(|uri| uri.starts_with("ui://"))
        .collect()
}

/// Intercom's conversation 123, asked for exactly once per call.
async fn mount_conversation(deployment: &Deployment) {
    let conversation = json!({
        "type": "conversation", "id": "123", "created_at": 1_717_200_000, "title": "Refund",
        "state": "open", "open": true,
        "source": {"type": "conversation", "id": "9", "body": "<p>charged twice</p>",
            "author": {"type": "user", "id": "c1", "name": "Ada"}},
        "conversation_parts": {"type": "conversation_part.list", "total_count": 0, "conversation_parts": []},
    });
    Mock::given(method("GET"))
        .and(path("/conversations/123"))
        .respond_with(ResponseTemplate::new(200).set_body_json(conversation))
        .with_priority(1)
        .mount(&deployment.intercom)
        .await;
}

fn get_conversation() -> CallToolRequestParams {
    let args = json!({"conversation_id": "123"});
    CallToolRequestParams::new("intercomGetConversation")
        .with_arguments(args.as_object().cloned().unwrap())
}

#[tokio::test]
async fn a_2025_client_that_declared_the_extension_gets_views_on_every_later_request() {
    let deployment = deploy(&with_key()).await;
    mount_conversation(&deployment).await;
    let host = client(&deployment, "2025-06-18", apps()).await;
    assert_eq!(linked(&host).await, five_views());
    assert_eq!(ui_resources(&host).await, [CONVERSATION, BROWSER]);
    let read = host
        .read_resource(ReadResourceRequestParams::new(CONVERSATION))
        .await
        .unwrap();
    let [
        ResourceContents::TextResourceContents {
            text: html,
            mime_type,
            ..
        },
    ] = read.contents.as_slice()
    else {
        panic!("one text content: {read:?}")
    };
    assert_eq!(mime_type.as_deref(), Some(MIME));
    assert_eq!(html, include_str!("../../assets/conversation.html"));

    let result = host.call_tool(get_conversation()).await.unwrap();
    assert_eq!(result.is_error, Some(false), "{}", text(&result));
    let lean: Value = serde_json::from_str(&text(&result)).unwrap();
    assert_eq!(result.structured_content, Some(lean.clone()));
    // The title is one a customer can set: fenced with this server's marker.
    let title = lean["title"].as_str().unwrap();
    assert!(
        title.starts_with("⟦c:") && title.contains("⟧Refund⟦/c:"),
        "{title}"
    );
    let requests = deployment.intercom.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1);
    assert_eq!(
        (requests[0].method.as_str(), requests[0].url.path()),
        ("GET", "/conversations/123")
    );
}

#[tokio::test]
async fn a_2025_client_that_did_not_declare_it_gets_no_view_and_cannot_read_one() {
    let deployment = deploy(&with_key()).await;
    mount_conversation(&deployment).await;
    let host = client(&deployment, "2025-11-25", json!({})).await;
    assert_eq!(linked(&host).await, []);
    assert_eq!(ui_resources(&host).await, Vec::<String>::new());
    for uri in [CONVERSATION, BROWSER] {
        let err = host
            .read_resource(ReadResourceRequestParams::new(uri))
            .await
            .unwrap_err();
        let ServiceError::McpError(error) = err else {
            panic!("{err:?}")
        };
        assert_eq!(error.code, ErrorCode::RESOURCE_NOT_FOUND, "{uri}");
        assert_eq!(error.data, Some(json!({"uri": uri})));
        let named = error.message.split("the resources are:").nth(1).unwrap();
        assert!(!named.contains("ui://"), "{error:?}");
    }
    let result = host.call_tool(get_conversation()).await.unwrap();
    assert_eq!(result.is_error, Some(false), "{}", text(&result));
    assert_eq!(result.structured_content, None);
}

#[tokio::test]
async fn a_2026_client_stating_the_extension_in_each_request_is_served_as_before() {
    let deployment = deploy(&with_key()).await;
    let host = client(&deployment, "2026-07-28", apps()).await;
    assert_eq!(linked(&host).await, five_views());
    assert_eq!(ui_resources(&host).await, [CONVERSATION, BROWSER]);
    let plain = client(&deployment, "2026-07-28", json!({})).await;
    assert_eq!(linked(&plain).await, []);
    assert_eq!(ui_resources(&plain).await, Vec::<String>::new());
}

fn initialize(revision: &str, capabilities: Value) -> Value {
    json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": revision, "capabilities": capabilities,
        "clientInfo": {"name": "raw", "version": "1"}}})
}

fn list_tools() -> Value {
    json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"})
}

/// The session id `initialize` answers with, for `bearer`.
async fn session_of(deployment: &Deployment, bearer: &str) -> String {
    let auth = format!("Bearer {bearer}");
    let answer = deployment
        .post(
            &[("authorization", &auth)],
            initialize("2025-06-18", apps()),
        )
        .await;
    assert_eq!(answer.status(), 200);
    let id = answer.headers()["mcp-session-id"]
        .to_str()
        .unwrap()
        .to_owned();
    let body: Value = answer.json().await.unwrap();
    assert_eq!(body["result"]["protocolVersion"], "2025-06-18");
    id
}

/// tools/list with these headers: the HTTP status, and how many tools name a view.
async fn views_listed(
    deployment: &Deployment,
    bearer: &str,
    session: Option<&str>,
) -> (u16, usize) {
    let auth = format!("Bearer {bearer}");
    let mut headers = vec![
        ("authorization", auth.as_str()),
        ("mcp-protocol-version", "2025-06-18"),
    ];
    headers.extend(session.map(|id| ("mcp-session-id", id)));
    let answer = deployment.post(&headers, list_tools()).await;
    let status = answer.status().as_u16();
    if status != 200 {
        return (status, 0);
    }
    let body: Value = answer.json().await.unwrap();
    let tools = body["result"]["tools"].as_array().unwrap();
    (
        status,
        tools
            .iter()
            .filter(|tool| tool.get("_meta").is_some())
            .count(),
    )
}

#[tokio::test]
async fn a_session_id_opens_only_untampered_for_its_tenant_under_the_same_key() {
    let deployment = deploy(&with_key()).await;
    let id = session_of(&deployment, "tok_alice").await;
    assert_eq!(
        views_listed(&deployment, "tok_alice", Some(&id)).await,
        (200, 5)
    );
    // Without it, stateless as ever: nothing remembered.
    assert_eq!(views_listed(&deployment, "tok_alice", None).await, (200, 0));

    let mut tampered = id.clone().into_bytes();
    let at = tampered.len() / 2;
    tampered[at] = if tampered[at] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap();
    assert_eq!(
        views_listed(&deployment, "tok_alice", Some(&tampered))
            .await
            .0,
        404
    );
    assert_eq!(
        views_listed(&deployment, "tok_alice", Some("not-ours"))
            .await
            .0,
        404
    );
    // Another tenant's credentials with alice's session id.
    assert_eq!(views_listed(&deployment, "tok_bob", Some(&id)).await.0, 404);

    // No state: another server with the same key opens it; one with another key does not.
    let replica = deploy(&with_key()).await;
    assert_eq!(
        views_listed(&replica, "tok_alice", Some(&id)).await,
        (200, 5)
    );
    let stranger = deploy(&[("INTERCOM_MCP_TOKEN_KEY", OTHER_KEY)]).await;
    assert_eq!(views_listed(&stranger, "tok_alice", Some(&id)).await.0, 404);
    // Nor does a server with no key (a random one of its own).
    let keyless = deploy(&[]).await;
    assert_eq!(views_listed(&keyless, "tok_alice", Some(&id)).await.0, 404);
    // An initialize that still carries an id that does not open starts afresh.
    let answer = stranger
        .post(
            &[
                ("authorization", "Bearer tok_alice"),
                ("mcp-session-id", &id),
            ],
            initialize("2025-06-18", apps()),
        )
        .await;
    assert_eq!(answer.status(), 200);
    let fresh = answer.headers()["mcp-session-id"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_ne!(fresh, id);
    assert_eq!(
        views_listed(&stranger, "tok_alice", Some(&fresh)).await,
        (200, 5)
    );
    assert_eq!(deployment.sent().await, 0);
}

#[tokio::test]
async fn a_delete_is_refused_as_the_transport_allows_and_ends_nothing() {
    let deployment = deploy(&with_key()).await;
    let id = session_of(&deployment, "tok_alice").await;
    let deleted = reqwest::Client::new()
        .delete(deployment.url())
        .header("authorization", "Bearer tok_alice")
        .header("mcp-session-id", &id)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 405);
    // Nothing was ended: the id still opens.
    assert_eq!(
        views_listed(&deployment, "tok_alice", Some(&id)).await,
        (200, 5)
    );
}
