//! Classes of hostile input from outside (issue 12), each against a mock Intercom over real
//! HTTP: redirects never followed, a token echoed by Intercom never shown, `doctor` that keeps
//! a token to the host it was given, exact Host/Origin matching, and HTTP bodies that are not
//! JSON-RPC answered with JSON-RPC errors. (Strict bearer credentials: tests/http.rs.)
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::sync::{Arc, Mutex};

use common::deploy::deploy;
use common::{TOKEN, binary, every_tool, is_error, start, text};
use serde_json::{Value, json};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Every run of six characters of `token`: none may appear in anything shown.
fn assert_no_token_run(shown: &str, token: &str) {
    for run in token.as_bytes().windows(6) {
        let run = std::str::from_utf8(run).unwrap();
        assert!(
            !shown.contains(run),
            "`{run}` of the token is shown in:\n{shown}"
        );
    }
}

#[tokio::test]
async fn redirects_of_every_code_are_errors_and_never_followed_by_any_tool() {
    let elsewhere = MockServer::start().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"type": "contact", "id": "stolen"})),
        )
        .mount(&elsewhere)
        .await;
    let location = format!("http://localhost:{}/collect", elsewhere.address().port());
    for code in [301, 302, 303, 307, 308] {
        let harness = start().await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(code).insert_header("location", location.as_str()))
            .mount(&harness.intercom)
            .await;
        for (sent, (tool, args)) in every_tool().into_iter().enumerate() {
            let result = harness.call(tool, args).await;
            let shown = text(&result);
            assert!(is_error(&result), "{code} {tool}: {shown}");
            assert!(
                shown.starts_with(&format!("Intercom answered HTTP {code} "))
                    && shown.contains(&format!(
                        "a redirect to host `localhost:{}`",
                        elsewhere.address().port()
                    ))
                    && shown.contains("Redirects are not followed"),
                "{code} {tool}: {shown}"
            );
            assert_eq!(
                harness.requests().await.len(),
                sent + 1,
                "{code} {tool}: one request, to the origin"
            );
        }
        assert!(
            elsewhere.received_requests().await.unwrap().is_empty(),
            "{code}: nothing reached the redirect target"
        );
    }
}

#[tokio::test]
async fn a_relative_or_missing_location_is_named_as_such() {
    let harness = start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(307).insert_header("location", "/v3/contacts/c1"))
        .up_to_n_times(1)
        .mount(&harness.intercom)
        .await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(302))
        .mount(&harness.intercom)
        .await;
    let shown = text(
        &harness
            .call("intercomGetContact", json!({"contact_id": "c1"}))
            .await,
    );
    assert!(shown.contains("a redirect to host `127.0.0.1:"), "{shown}");
    let shown = text(
        &harness
            .call(
                "intercomAddNote",
                json!({"contact_id": "c1", "body": "x", "admin_id": "9"}),
            )
            .await,
    );
    assert!(
        shown.contains("without a usable Location") && shown.contains("read it back"),
        "{shown}"
    );
    assert_eq!(harness.requests().await.len(), 2);
}

/// Error bodies that echo the token whole, a prefix of it, inside JSON escapes, in HTML, and
/// in a redirect's Location.
fn echoes(token: &str) -> Vec<ResponseTemplate> {
    let escaped = token.replace('_', "\\u005f");
    vec![
        ResponseTemplate::new(401).set_body_json(json!({"type": "error.list", "request_id": token, "errors": [
            {"code": "unauthorized", "message": format!("Access Token Invalid: {token}")}]})),
        ResponseTemplate::new(403).set_body_raw(
            format!(r#"{{"type":"error.list","errors":[{{"code":"forbidden","message":"token {escaped} lacks scope"}}]}}"#),
            "application/json",
        ),
        ResponseTemplate::new(422).set_body_json(json!({"type": "error.list", "errors": [
            {"code": "parameter_invalid", "field": token.get(..8).unwrap(), "message": format!("starts {}…", token.get(..7).unwrap())}]})),
        ResponseTemplate::new(401).set_body_raw(format!("<html><body>Bearer {token} refused</body></html>"), "text/html"),
        ResponseTemplate::new(308).insert_header("location", format!("https://{}.example/x", token.get(..10).unwrap().replace('_', "-")).as_str()),
    ]
}

#[tokio::test]
async fn a_token_echoed_by_intercom_is_redacted_from_results() {
    for (index, echo) in echoes(TOKEN).into_iter().enumerate() {
        let harness = start().await;
        Mock::given(any())
            .respond_with(echo)
            .mount(&harness.intercom)
            .await;
        for (tool, args) in [
            ("intercomGetContact", json!({"contact_id": "c1"})),
            (
                "intercomAddNote",
                json!({"contact_id": "c1", "body": "x", "admin_id": "9"}),
            ),
        ] {
            let shown = text(&harness.call(tool, args).await);
            assert_no_token_run(&shown, TOKEN);
            assert!(
                shown.contains("Intercom answered HTTP"),
                "echo {index}: {shown}"
            );
        }
    }
}

#[tokio::test]
async fn a_token_echoed_over_http_is_redacted_from_results() {
    let deployment = deploy(&[]).await;
    let token = "dG9rOmNsaWVudF9vd24=";
    deployment.intercom.reset().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(401).set_body_json(
            json!({"errors": [{"code": "unauthorized", "message": format!("bad {token}")}]}),
        ))
        .mount(&deployment.intercom)
        .await;
    let client = deployment.client(token).await;
    let result = client
        .call_tool(rmcp::model::CallToolRequestParams::new("intercomListTags"))
        .await
        .unwrap();
    let shown = text(&result);
    assert!(shown.contains("bad [redacted]"), "{shown}");
    assert_no_token_run(&shown, token);
}

#[tokio::test]
async fn the_binary_shows_no_echoed_token_on_stdout_or_in_trace_logs() {
    for echo in echoes(TOKEN) {
        let intercom = MockServer::start().await;
        Mock::given(any()).respond_with(echo).mount(&intercom).await;
        let uri = intercom.uri();
        let vars = [
            ("accessToken", TOKEN),
            ("INTERCOM_BASE_URL", uri.as_str()),
            ("LOG_LEVEL", "trace"),
        ];
        for args in [
            &["call", "intercomGetContact", r#"{"contact_id": "c1"}"#][..],
            &["doctor"][..],
        ] {
            let output = tokio::task::spawn_blocking({
                let vars = vars.map(|(k, v)| (k.to_owned(), v.to_owned()));
                let args: Vec<String> = args.iter().map(|arg| (*arg).to_owned()).collect();
                move || {
                    let vars: Vec<(&str, &str)> =
                        vars.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
                    let args: Vec<&str> = args.iter().map(String::as_str).collect();
                    binary(&args, &vars)
                }
            })
            .await
            .unwrap();
            let (stdout, stderr) = (
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr),
            );
            assert!(!output.status.success(), "{args:?}: {stdout}");
            assert!(
                stdout.contains("HTTP") || stdout.contains("refused"),
                "{args:?}: {stdout}"
            );
            assert!(!stderr.is_empty(), "trace logging is on");
            assert_no_token_run(&stdout, TOKEN);
            assert_no_token_run(&stderr, TOKEN);
        }
        assert!(!intercom.received_requests().await.unwrap().is_empty());
    }
}

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
