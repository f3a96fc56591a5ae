//! MCP over Streamable HTTP, end to end with rmcp's client transport: per-request tokens that
//! never cross between clients, credentials and Host checked before anything reaches
//! Intercom, per-tenant rate limits, safety switches, and a drain on shutdown.

use std::sync::Arc;
use std::time::Duration;

use rmcp::RoleClient;
use rmcp::model::CallToolResult;
use rmcp::service::RunningService;
use serde_json::{Value, json};
use wiremock::matchers::any;
use wiremock::{Mock, ResponseTemplate};

use crate::common::deploy::deploy;
use crate::common::now;

async fn call(client: &RunningService<RoleClient, ()>, tool: &str, args: Value) -> CallToolResult {
    crate::common::call_tool(client, tool, args).await
}

fn list_tools() -> Value {
    json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"})
}

#[tokio::test]
async fn initialize_list_and_call_with_the_clients_own_token() {
    let deployment = deploy(&[]).await;
    let client = deployment.client("tok_alice").await;
    assert_eq!(
        client
            .peer_info()
            .unwrap()
            .server_info
            .as_ref()
            .unwrap()
            .name,
        "intercom-mcp"
    );
    assert_eq!(client.list_all_tools().await.unwrap().len(), 16);
    let result = call(&client, "intercomGetContact", json!({"contact_id": "c1"})).await;
    assert_eq!(result.is_error, Some(false), "{result:?}");
    let requests = deployment.intercom.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1);
    assert_eq!(
        requests[0].headers.get("authorization").unwrap(),
        "Bearer tok_alice"
    );
}

#[tokio::test]
async fn two_clients_interleaving_a_thousand_calls_never_cross_tokens() {
    let deployment = Arc::new(deploy(&[]).await);
    let clients = Arc::new([
        deployment.client("tok_alice").await,
        deployment.client("tok_bob").await,
    ]);
    let mut calls = Vec::new();
    for i in 0..500 {
        for (index, who) in ["alice", "bob"].into_iter().enumerate() {
            let clients = Arc::clone(&clients);
            calls.push(tokio::spawn(async move {
                let result = call(
                    &clients[index],
                    "intercomGetContact",
                    json!({"contact_id": format!("{who}-{i}")}),
                )
                .await;
                assert_eq!(result.is_error, Some(false), "{result:?}");
            }));
        }
    }
    for call in calls {
        call.await.unwrap();
    }
    let requests = deployment.intercom.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1000);
    let crossovers = requests
        .iter()
        .filter(|request| {
            let who = request
                .url
                .path()
                .trim_start_matches("/contacts/")
                .split('-')
                .next()
                .unwrap()
                .to_owned();
            request
                .headers
                .get("authorization")
                .unwrap()
                .to_str()
                .unwrap()
                != format!("Bearer tok_{who}")
        })
        .count();
    println!("requests: {}, crossovers: {crossovers}", requests.len());
    assert_eq!(crossovers, 0);
}

/// Credentials are `Bearer`, one or more spaces (RFC 6750 §2.1: `1*SP`), one RFC 6750 token; anything else is 401 with nothing
/// sent upstream.
#[tokio::test]
async fn requests_without_well_formed_credentials_are_refused_before_intercom() {
    let deployment = deploy(&[]).await;
    let call = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "intercomListTags", "arguments": {}}});
    let refused = [
        "Basic dXNlcjpwYXNz",
        "Bearer ",
        "Bearer",
        "Bearer \ttok_alice",
        "Bearer\ttok_alice",
        "Bearertok_alice",
        "Token tok_alice",
        "Bearer tok_alice extra",
        "Bearer tok alice",
        "Bearer \"tok_alice\"",
        "Bearer tok_alice,Bearer tok_bob",
        "Bearer tok_alice;",
        "Bearer =tok",
        "Bearer tok=alice",
        "Bearer tok%5Falice",
    ];
    let mut headers: Vec<Vec<(&str, &str)>> = vec![vec![]];
    headers.extend(
        refused
            .iter()
            .map(|bearer| vec![("authorization", *bearer)]),
    );
    for headers in &headers {
        let response = deployment.post(headers, call.clone()).await;
        assert_eq!(response.status(), 401, "{headers:?}");
        assert_eq!(
            response.headers().get("www-authenticate").unwrap(),
            "Bearer"
        );
    }
    assert_eq!(deployment.sent().await, 0);
    for bearer in [
        "Bearer tok_alice",
        "  bearer tok_alice  ",
        "Bearer   tok_alice",
        "BEARER dG9rOmFsaWNl==",
    ] {
        let response = deployment
            .post(&[("authorization", bearer)], call.clone())
            .await;
        assert_eq!(response.status(), 200, "{bearer:?}");
    }
    assert_eq!(deployment.sent().await, 4);
}

#[tokio::test]
async fn a_foreign_host_or_origin_is_refused() {
    let deployment = deploy(&[]).await;
    let auth = ("authorization", "Bearer tok_alice");
    let response = deployment
        .post(&[auth, ("host", "evil.example")], list_tools())
        .await;
    assert_eq!(response.status(), 403);
    let response = deployment
        .post(&[auth, ("origin", "https://evil.example")], list_tools())
        .await;
    assert_eq!(response.status(), 403);
    let response = deployment.post(&[auth], list_tools()).await;
    assert_eq!(response.status(), 200);
    assert_eq!(deployment.sent().await, 0);
}

#[tokio::test]
async fn healthz_answers_without_credentials() {
    let deployment = deploy(&[]).await;
    let response = reqwest::get(format!("http://{}/healthz", deployment.address))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.unwrap(), "ok");
}

#[tokio::test]
async fn with_a_server_token_requests_must_present_the_client_secret() {
    let vars = [
        ("accessToken", "tok_server"),
        ("INTERCOM_MCP_CLIENT_SECRET", "open-sesame"),
    ];
    let deployment = deploy(&vars).await;
    let call = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "intercomListTags", "arguments": {}}});
    let response = deployment
        .post(&[("authorization", "Bearer tok_server")], call.clone())
        .await;
    assert_eq!(
        response.status(),
        401,
        "the Intercom token is not the secret"
    );
    assert_eq!(deployment.sent().await, 0);
    let client = deployment.client("open-sesame").await;
    assert_eq!(call_result(&client).await.is_error, Some(false));
    let requests = deployment.intercom.received_requests().await.unwrap();
    assert_eq!(
        requests[0].headers.get("authorization").unwrap(),
        "Bearer tok_server"
    );
}

async fn call_result(client: &RunningService<RoleClient, ()>) -> CallToolResult {
    call(client, "intercomListTags", json!({})).await
}

#[tokio::test]
async fn each_workspace_has_its_own_rate_limit_window() {
    let deployment = deploy(&[]).await;
    deployment.intercom.reset().await;
    let reset = (now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 300)
        .to_string();
    Mock::given(wiremock::matchers::header(
        "authorization",
        "Bearer tok_busy",
    ))
    .respond_with(
        ResponseTemplate::new(200)
            .set_body_json(json!({}))
            .insert_header("x-ratelimit-remaining", "0")
            .insert_header("x-ratelimit-reset", reset.as_str()),
    )
    .mount(&deployment.intercom)
    .await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .mount(&deployment.intercom)
        .await;
    let busy = deployment.client("tok_busy").await;
    let calm = deployment.client("tok_calm").await;
    assert_eq!(call_result(&busy).await.is_error, Some(false));
    let held = call_result(&busy).await;
    assert_eq!(
        held.is_error,
        Some(true),
        "the busy workspace's window is spent"
    );
    assert_eq!(
        call_result(&calm).await.is_error,
        Some(false),
        "another workspace is not held"
    );
    assert_eq!(
        deployment.intercom.received_requests().await.unwrap().len(),
        2
    );
}

#[tokio::test]
async fn read_only_and_dry_run_over_http() {
    let deployment = deploy(&[("INTERCOM_READ_ONLY", "1")]).await;
    assert_eq!(
        deployment
            .client("tok_alice")
            .await
            .list_all_tools()
            .await
            .unwrap()
            .len(),
        9
    );
    let deployment = deploy(&[("INTERCOM_DRY_RUN", "1"), ("INTERCOM_ADMIN_ID", "9")]).await;
    let client = deployment.client("tok_alice").await;
    let result = call(
        &client,
        "intercomCloseConversation",
        json!({"conversation_id": "1"}),
    )
    .await;
    let text = result.content[0].as_text().unwrap().text.clone();
    assert!(
        text.contains("\"path\":\"/conversations/1/parts\"") && text.contains("nothing was sent"),
        "{text}"
    );
    assert_eq!(deployment.sent().await, 0);
}

#[tokio::test]
async fn shutdown_drains_a_call_in_flight() {
    let mut deployment = deploy(&[]).await;
    deployment.intercom.reset().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({}))
                .set_delay(Duration::from_millis(500)),
        )
        .mount(&deployment.intercom)
        .await;
    let client = Arc::new(deployment.client("tok_alice").await);
    let slow = {
        let client = Arc::clone(&client);
        tokio::spawn(async move { call_result(&client).await })
    };
    for _ in 0..100 {
        if !deployment
            .intercom
            .received_requests()
            .await
            .unwrap()
            .is_empty()
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    deployment.stop.take().unwrap().send(()).unwrap();
    assert_eq!(
        slow.await.unwrap().is_error,
        Some(false),
        "the call in flight finished"
    );
    tokio::time::timeout(Duration::from_secs(10), &mut deployment.served)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    let refused = reqwest::get(format!("http://{}/healthz", deployment.address)).await;
    assert!(refused.is_err(), "no longer accepting");
}
