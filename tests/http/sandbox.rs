//! `--sandbox` over HTTP, where each client sends the sandbox's token as its bearer: a wrong
//! bearer gets a readable answer that names the right one (`sandbox` is public) without
//! echoing what was sent.

use std::sync::Arc;

use intercom_mcp::http;
use intercom_mcp::server::IntercomServer;
use serde_json::{Value, json};

use crate::common::{RecordingClock, config};

/// A tools/call over HTTP, with `bearer`, to a server in front of the sandbox; its text.
async fn list_tags_with(bearer: &str) -> (bool, String) {
    let sandbox = intercom_mcp::sandbox::start().await.unwrap();
    let config = config(&[], &sandbox.base_url);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let options = http::Options::resolve(&config, address, |_| None).unwrap();
    let server = IntercomServer::per_request(&config, Arc::new(RecordingClock::default())).unwrap();
    let router = http::router(server, &options, config.limits.max_request_bytes);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let served = tokio::spawn(http::serve(listener, router, async {
        let _ = stopped.await;
    }));
    let reply: Value = reqwest::Client::new()
        .post(format!("http://{address}/mcp"))
        .header("authorization", bearer)
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .body(
            json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
                "params": {"name": "intercomListTags", "arguments": {}}})
            .to_string(),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let _ = stop.send(());
    served.await.unwrap().unwrap();
    let result = &reply["result"];
    let text = result["content"][0]["text"].as_str().unwrap().to_owned();
    (result["isError"] == true, text)
}

#[tokio::test]
async fn a_wrong_bearer_is_told_the_sandboxs_token_without_its_own_echoed() {
    for wrong in ["sandbox1", "sandbo", "xsandbox", "not-the-one"] {
        let (failed, text) = list_tags_with(&format!("Bearer {wrong}")).await;
        assert!(failed, "{wrong}: {text}");
        let said = text.lines().nth(1).unwrap();
        assert_eq!(
            said,
            "error unauthorized: The access token is not valid here: the sandbox accepts only \
             the bearer token `sandbox`",
            "{wrong}: {text}"
        );
        assert!(
            !text.contains(wrong) || wrong == "sandbo",
            "{wrong}: {text}"
        );
    }
    // Any number of spaces after the scheme (RFC 6750 `1*SP`).
    let (failed, text) = list_tags_with("Bearer   sandbox").await;
    assert!(!failed, "{text}");
}
