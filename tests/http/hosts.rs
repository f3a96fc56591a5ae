//! Hostile input from outside (issue 12), at the edges of the server: `doctor` that keeps a
//! token to the host it was given, exact Host/Origin matching, and HTTP bodies that are not
//! JSON-RPC answered with JSON-RPC errors.

use std::sync::{Arc, Mutex};

use serde_json::{Value, json};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::deploy::deploy;
use crate::common::{TOKEN, binary};

/// A proxy that answers nothing and records the first line of every connection made to it.
async fn recording_proxy() -> (String, Arc<Mutex<Vec<String>>>) {
    use tokio::io::AsyncBufReadExt;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = Arc::clone(&seen);
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let mut line = String::new();
            let _ = tokio::io::BufReader::new(stream).read_line(&mut line).await;
            record.lock().unwrap().push(line.trim().to_owned());
        }
    });
    (url, seen)
}

#[tokio::test]
async fn doctor_with_a_custom_base_url_sends_the_token_nowhere_else() {
    let (proxy, seen) = recording_proxy().await;
    let intercom = MockServer::start().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(401).set_body_json(json!({"errors": [{"code": "unauthorized"}]})),
        )
        .mount(&intercom)
        .await;
    let uri = intercom.uri();
    let output = tokio::task::spawn_blocking({
        let (proxy, uri) = (proxy.clone(), uri.clone());
        move || {
            binary(
                &["doctor"],
                &[
                    ("accessToken", TOKEN),
                    ("INTERCOM_BASE_URL", &uri),
                    ("HTTPS_PROXY", &proxy),
                ],
            )
        }
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(!output.status.success());
    assert!(
        stdout.contains("refused the token (401)")
            && stdout.contains("was not tried against Intercom's regional hosts"),
        "{stdout}"
    );
    assert_eq!(
        intercom.received_requests().await.unwrap().len(),
        1,
        "one GET /me, to the base URL"
    );
    assert!(
        seen.lock().unwrap().is_empty(),
        "nothing went to any other host: {:?}",
        seen.lock().unwrap()
    );

    // The proxy does see what goes to Intercom's own hosts: without a base URL, doctor's
    // first request goes through it (and fails there), so the check above can fail.
    let output = tokio::task::spawn_blocking(move || {
        binary(
            &["doctor"],
            &[("accessToken", TOKEN), ("HTTPS_PROXY", &proxy)],
        )
    })
    .await
    .unwrap();
    assert!(!output.status.success());
    let seen = seen.lock().unwrap().clone();
    assert!(
        seen.iter()
            .any(|line| line.starts_with("CONNECT api.intercom.io:443")),
        "{seen:?}"
    );
}

fn tools_call() -> Value {
    json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "intercomListTags", "arguments": {}}})
}

#[tokio::test]
async fn look_alike_hosts_and_origins_are_refused() {
    let deployment = deploy(&[(
        "INTERCOM_MCP_ALLOWED_ORIGINS",
        "https://app.example.com,http://localhost:*",
    )])
    .await;
    let auth = ("authorization", "Bearer tok_alice");
    let port = deployment.address.port();
    for host in [
        format!("localhost.evil.example:{port}"),
        format!("localhost.:{port}"),
        format!("127.0.0.1.nip.io:{port}"),
        format!("127.1:{port}"),
        format!("[::1].evil.example:{port}"),
        format!("evil.example@localhost:{port}"),
        "evil.example".to_owned(),
    ] {
        let response = deployment
            .post(&[auth, ("host", &host)], tools_call())
            .await;
        assert_eq!(response.status(), 403, "Host {host}");
    }
    for origin in [
        "https://app.example.com.evil.example",
        "https://app.example.comevil.example",
        "https://app.example.com:8443",
        "http://app.example.com",
        "https://app.example.com@evil.example",
        "https://app.example.com.",
        "http://localhost.evil.example:3000",
        "null",
    ] {
        let response = deployment
            .post(&[auth, ("origin", origin)], tools_call())
            .await;
        assert_eq!(response.status(), 403, "Origin {origin}");
    }
    assert_eq!(deployment.sent().await, 0);
    for (host, origin) in [
        (format!("LOCALHOST:{port}"), "https://APP.example.com:443"),
        (format!("[0:0:0:0:0:0:0:1]:{port}"), "http://localhost:5173"),
    ] {
        let response = deployment
            .post(&[auth, ("host", &host), ("origin", origin)], tools_call())
            .await;
        assert_eq!(response.status(), 200, "Host {host}, Origin {origin}");
    }
}

/// A raw POST of `body` with good credentials: the status and the JSON answer.
async fn post_raw(url: &str, body: &str) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .header("authorization", "Bearer tok_alice")
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (
        status,
        serde_json::from_str(&response.text().await.unwrap()).unwrap_or(Value::Null),
    )
}

#[tokio::test]
async fn http_bodies_that_are_not_json_rpc_get_json_rpc_errors() {
    let deployment = deploy(&[]).await;
    let url = deployment.url();
    let (status, reply) = post_raw(&url, r#"{"jsonrpc": "2.0", "id": 1, "method": "#).await;
    assert_eq!(
        (status, reply["error"]["code"].as_i64()),
        (400, Some(-32700)),
        "{reply}"
    );
    assert_eq!(reply["id"], Value::Null);
    let (status, reply) = post_raw(&url, "").await;
    assert_eq!(
        (status, reply["error"]["code"].as_i64()),
        (400, Some(-32700)),
        "{reply}"
    );
    let (status, reply) = post_raw(&url, "\u{1}not json").await;
    assert_eq!(
        (status, reply["error"]["code"].as_i64()),
        (400, Some(-32700)),
        "{reply}"
    );
    let (status, reply) = post_raw(&url, &json!([tools_call(), tools_call()]).to_string()).await;
    assert_eq!(
        (status, reply["error"]["code"].as_i64()),
        (400, Some(-32600)),
        "{reply}"
    );
    assert!(
        reply["error"]["message"]
            .as_str()
            .unwrap()
            .contains("batches are not supported"),
        "{reply}"
    );
    for arguments in [json!("text"), json!([1, 2]), json!(7)] {
        let body = json!({"jsonrpc": "2.0", "id": 9, "method": "tools/call", "params": {"name": "intercomListTags", "arguments": arguments}});
        let (status, reply) = post_raw(&url, &body.to_string()).await;
        assert_eq!(
            (status, reply["error"]["code"].as_i64(), &reply["id"]),
            (200, Some(-32602), &json!(9)),
            "{reply}"
        );
        assert!(
            reply["error"]["message"]
                .as_str()
                .unwrap()
                .contains("must be a JSON object"),
            "{reply}"
        );
    }
    let (status, reply) = post_raw(
        &url,
        &json!({"jsonrpc": "1.0", "id": 2, "method": "tools/list"}).to_string(),
    )
    .await;
    assert_eq!(
        (status, reply["error"]["code"].as_i64()),
        (200, Some(-32600)),
        "{reply}"
    );
    assert_eq!(deployment.sent().await, 0);
    // And a well-formed call still goes through.
    let (status, reply) = post_raw(&url, &tools_call().to_string()).await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(reply["result"]["isError"], json!(false), "{reply}");
}
