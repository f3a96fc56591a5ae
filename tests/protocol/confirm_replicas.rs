//! Confirmation at 2026-07-28 across HTTP replicas of the real binary (issue 25, item 1): with
//! one INTERCOM_MCP_TOKEN_KEY and one Redis, the user's answer may reach another replica than
//! the one that asked, and is still used once; a replica without the key (a random one, and a
//! warning at start) opens no other replica's state.

use std::time::Duration;

use rmcp::model::ElicitationAction;
use tokio::io::AsyncReadExt;
use tokio::process::Child;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::confirm::reply;
use super::confirm_rounds::{
    answer, ask_once, assert_confirmed, assert_refused, assert_sent_once, http_client, modern,
    retry,
};
use crate::common;
use crate::common::oauth::browser;
use crate::common::redis::Redis;

const KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

/// The binary serving HTTP on a free loopback port with `vars`, once `/healthz` answers; its
/// `/mcp` URL.
async fn replica(vars: &[(&str, &str)]) -> (Child, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let address = format!("127.0.0.1:{port}");
    let child = common::spawn(&["serve", "--http", &address], vars);
    for _ in 0..200 {
        let probe = browser().get(format!("http://{address}/healthz"));
        if let Ok(answer) = probe.send().await
            && answer.status() == 200
        {
            return (child, format!("http://{address}/mcp"));
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("the replica did not come up");
}

#[tokio::test]
async fn an_answer_opens_on_any_replica_sharing_the_key_and_is_used_once_across_them() {
    let Some(redis) = Redis::start() else { return };
    let intercom = MockServer::start().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(200).set_body_json(serde_json::json!({"type": "conversation"})),
        )
        .mount(&intercom)
        .await;
    let (uri, store) = (intercom.uri(), redis.url());
    let shared = [
        ("INTERCOM_BASE_URL", uri.as_str()),
        ("INTERCOM_MCP_TOKEN_KEY", KEY),
        ("INTERCOM_MCP_STATE_URL", store.as_str()),
    ];
    let (_a, a) = replica(&shared).await;
    let (_b, b) = replica(&shared).await;
    let (mut lone, lone_url) = replica(&[("INTERCOM_BASE_URL", uri.as_str())]).await;

    let handler = modern(ElicitationAction::Accept, true);
    let on_a = http_client(a, "tok_alice", handler.clone()).await;
    let on_b = http_client(b, "tok_alice", handler.clone()).await;
    let on_lone = http_client(lone_url, "tok_alice", handler).await;
    let asked = ask_once(&on_a, reply()).await;
    let state = asked.request_state.clone().unwrap();
    let yes = answer(&asked, ElicitationAction::Accept, true);

    let result = retry(&on_lone, reply(), yes.clone(), &state).await;
    assert_refused(&result, "not one this server issued");
    assert_confirmed(&retry(&on_b, reply(), yes.clone(), &state).await);
    let result = retry(&on_a, reply(), yes, &state).await;
    assert_refused(&result, "already used");
    assert_sent_once(&intercom).await;

    lone.kill().await.unwrap();
    let mut logged = String::new();
    lone.stderr
        .take()
        .unwrap()
        .read_to_string(&mut logged)
        .await
        .unwrap();
    assert_eq!(
        logged.matches("INTERCOM_MCP_TOKEN_KEY is unset").count(),
        1,
        "{logged}"
    );
}
