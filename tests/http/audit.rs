//! Who acted, as the audit trail says over HTTP: each tenant (an Intercom token) by a SHA-256
//! digest of its token, never the token; with `--oauth`, the client the access token was
//! issued to, through the whole sign-in.

use std::path::{Path, PathBuf};

use rmcp::model::CallToolRequestParams;
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::{RoleClient, ServiceExt, service::RunningService};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

use crate::common::deploy::deploy;
use crate::common::oauth::{
    CLIENT_REDIRECT, Intercom, KEY, Replica, USER_TOKEN, pkce, redeem, register, sign_in,
};

fn scratch() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("audit-http-{:016x}", fastrand::u64(..)));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn lines(log: &Path) -> Vec<Value> {
    std::fs::read_to_string(log)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

/// `tenant:` and the SHA-256 of `token`, hex.
fn tenant(token: &str) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, token.as_bytes());
    let hex: String = digest.as_ref().iter().map(|b| format!("{b:02x}")).collect();
    format!("tenant:{hex}")
}

async fn note(client: &RunningService<RoleClient, ()>) {
    let args = json!({"contact_id": "c1", "body": "Called, wants a demo", "admin_id": "9"});
    let Value::Object(args) = args else { panic!() };
    let result = client
        .call_tool(CallToolRequestParams::new("intercomAddNote").with_arguments(args))
        .await
        .unwrap();
    assert_ne!(result.is_error, Some(true), "{result:?}");
}

#[tokio::test]
async fn each_tenant_is_named_by_a_digest_of_its_token() {
    let dir = scratch();
    let log = dir.join("audit.jsonl");
    let deployment = deploy(&[("INTERCOM_MCP_AUDIT_LOG", &log.display().to_string())]).await;
    for token in ["tok_alice", "tok_bob", "tok_alice"] {
        let client = deployment.client(token).await;
        note(&client).await;
        client.cancel().await.unwrap();
    }
    let trail = lines(&log);
    assert_eq!(trail.len(), 6);
    let actors: Vec<&Value> = trail.iter().map(|line| &line["actor"]).collect();
    let (alice, bob) = (tenant("tok_alice"), tenant("tok_bob"));
    assert_eq!(
        actors,
        [&alice, &alice, &bob, &bob, &alice, &alice]
            .map(|t| json!(t))
            .iter()
            .collect::<Vec<_>>()
    );
    for line in &trail {
        assert_eq!(line["tenant"], line["actor"]);
    }
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(!text.contains("tok_alice") && !text.contains("tok_bob"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn with_oauth_the_actor_is_the_client_the_token_was_issued_to() {
    let intercom = Intercom::start().await;
    Mock::given(method("POST"))
        .and(path("/contacts/c1/notes"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("x-request-id", "req-eu")
                .set_body_json(json!({"type": "note", "id": "n1"})),
        )
        .mount(&intercom.eu)
        .await;
    let dir = scratch();
    let log = dir.join("audit.jsonl");
    let log_text = log.display().to_string();
    let replica = Replica::start_with(
        &intercom,
        KEY,
        None,
        &[("INTERCOM_MCP_AUDIT_LOG", log_text.as_str())],
    )
    .await;
    let client_id = register(&replica, CLIENT_REDIRECT).await;
    let (verifier, challenge) = pkce("verifier-audit");
    let code = sign_in(&replica, &client_id, &challenge).await;
    let (status, tokens) = redeem(&replica, &client_id, &code, &verifier).await;
    assert_eq!(status, 200, "{tokens}");
    let access = tokens["access_token"].as_str().unwrap();
    let config =
        StreamableHttpClientTransportConfig::with_uri(replica.url("/mcp")).auth_header(access);
    let client = ().serve(StreamableHttpClientTransport::from_config(config)).await.unwrap();
    note(&client).await;
    client.cancel().await.unwrap();
    let trail = lines(&log);
    assert_eq!(trail.len(), 2);
    for line in &trail {
        assert_eq!(line["actor"], format!("oauth:{client_id}"));
        assert_eq!(line["tenant"], tenant(USER_TOKEN));
    }
    assert_eq!(trail[1]["outcome"], "sent");
    assert_eq!(trail[1]["request_id"], "req-eu");
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(!text.contains(USER_TOKEN) && !text.contains(access));
    std::fs::remove_dir_all(&dir).unwrap();
}
