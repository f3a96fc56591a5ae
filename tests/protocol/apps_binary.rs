//! MCP Apps through the real binary on the sample workspace: `--sandbox` over stdio as a host
//! starts it, and over stateless HTTP, where each request names the extension in its `_meta`
//! or a 2025 client names it at `initialize` and sends back the session id it is given.

use std::process::Stdio;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

use super::apps::{CONVERSATION, EXTENSION, MIME};

/// The real binary on the sample workspace, as an MCP Apps host starts it.
#[tokio::test]
async fn the_sandbox_binary_over_stdio_serves_views_and_structured_content() {
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_intercom-mcp"))
        .arg("--sandbox")
        .current_dir(std::env::temp_dir())
        .env_clear()
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap()).lines();
    let lines = [
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": "2025-06-18",
            "capabilities": {"extensions": {EXTENSION: {"mimeTypes": [MIME]}}}, "clientInfo": {"name": "host", "version": "1"}}}),
        json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
        json!({"jsonrpc": "2.0", "id": 2, "method": "resources/read", "params": {"uri": CONVERSATION}}),
        json!({"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {"name": "intercomGetConversation",
            "arguments": {"conversation_id": "20418"}}}),
        json!({"jsonrpc": "2.0", "id": 4, "method": "tools/call", "params": {"name": "intercomListConversations",
            "arguments": {"per_page": 2}}}),
    ];
    for line in &lines {
        stdin
            .write_all(format!("{line}\n").as_bytes())
            .await
            .unwrap();
    }
    let mut replies = std::collections::BTreeMap::new();
    while replies.len() < 4 {
        let line = tokio::time::timeout(Duration::from_secs(20), stdout.next_line())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        let reply: Value = serde_json::from_str(&line).unwrap();
        replies.insert(reply["id"].as_i64().unwrap(), reply);
    }
    drop(stdin);
    let read = &replies[&2]["result"]["contents"][0];
    assert_eq!(read["mimeType"], MIME);
    assert_eq!(read["text"], include_str!("../../assets/conversation.html"));
    let conversation = &replies[&3]["result"];
    let lean: Value =
        serde_json::from_str(conversation["content"][0]["text"].as_str().unwrap()).unwrap();
    assert_eq!(conversation["structuredContent"], lean);
    // The title is one a customer can set: fenced with the binary's own marker, in the
    // structuredContent a view reads as in the text.
    let title = lean["title"].as_str().unwrap();
    assert!(
        title.starts_with("⟦c:") && title.contains("⟧Volume pricing⟦/c:"),
        "{title}"
    );
    // A customer's name, fenced with the binary's own marker.
    let name = lean["timeline"][0]["author"]["name"].as_str().unwrap();
    assert!(
        name.starts_with("⟦c:") && name.contains("⟧Hiro Tanaka⟦/c:"),
        "{name}"
    );
    let page = &replies[&4]["result"]["structuredContent"];
    assert_eq!(page["has_more"], true);
    assert_eq!(page["conversations"].as_array().unwrap().len(), 2);
}

/// Over stateless HTTP every request meets a new handler and no `initialize` is remembered: a
/// client states the extension in each request's `_meta` (SEP-2575's
/// `io.modelcontextprotocol/clientCapabilities`), and only such a request gets views.
#[tokio::test]
async fn over_stateless_http_each_request_that_names_the_extension_gets_views() {
    let (_server, client, base) = sandbox_over_http().await;
    let post = async |method: &str, mut params: Value, apps: bool| -> Value {
        if apps {
            params["_meta"] = json!({"io.modelcontextprotocol/clientCapabilities":
                {"extensions": {EXTENSION: {"mimeTypes": [MIME]}}}});
        }
        client
            .post(format!("{base}/mcp"))
            .header("accept", "application/json, text/event-stream")
            .header("authorization", "Bearer sandbox")
            .header("mcp-protocol-version", "2025-06-18")
            .json(&json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    };
    let call =
        json!({"name": "intercomGetConversation", "arguments": {"conversation_id": "20415"}});
    let with = post("tools/call", call.clone(), true).await;
    let lean: Value =
        serde_json::from_str(with["result"]["content"][0]["text"].as_str().unwrap()).unwrap();
    assert_eq!(with["result"]["structuredContent"], lean);
    let without = post("tools/call", call, false).await;
    assert_eq!(without["result"]["content"], with["result"]["content"]);
    assert!(
        without["result"].get("structuredContent").is_none(),
        "{without}"
    );

    let tools = post("tools/list", json!({}), true).await;
    let linked = tools["result"]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|tool| tool.get("_meta").is_some())
        .count();
    assert_eq!(linked, 5);
    let plain = post("tools/list", json!({}), false).await;
    assert!(!plain.to_string().contains("resourceUri"));
}

/// A 2025 client over HTTP states the extension only at `initialize`: the session id the real
/// binary answers with carries it, so later requests that send it back get views, and the
/// same requests without it (or from a client that did not declare it) get none.
#[tokio::test]
async fn over_http_a_2025_client_declaring_the_extension_at_initialize_gets_views() {
    let (_server, client, base) = sandbox_over_http().await;
    let post = async |body: Value, session: Option<&str>| -> reqwest::Response {
        let mut request = client
            .post(format!("{base}/mcp"))
            .header("accept", "application/json, text/event-stream")
            .header("authorization", "Bearer sandbox")
            .header("mcp-protocol-version", "2025-06-18");
        if let Some(id) = session {
            request = request.header("mcp-session-id", id);
        }
        request.json(&body).send().await.unwrap()
    };
    let session_of = async |capabilities: Value| -> String {
        let answer = post(
            json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
                "protocolVersion": "2025-06-18", "capabilities": capabilities,
                "clientInfo": {"name": "host", "version": "1"}}}),
            None,
        )
        .await;
        answer.headers()["mcp-session-id"]
            .to_str()
            .unwrap()
            .to_owned()
    };
    let with = session_of(json!({"extensions": {EXTENSION: {"mimeTypes": [MIME]}}})).await;
    let without = session_of(json!({})).await;

    let call = json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {
        "name": "intercomGetConversation", "arguments": {"conversation_id": "20415"}}});
    let viewed: Value = post(call.clone(), Some(&with)).await.json().await.unwrap();
    let lean: Value =
        serde_json::from_str(viewed["result"]["content"][0]["text"].as_str().unwrap()).unwrap();
    assert_eq!(viewed["result"]["structuredContent"], lean);
    for session in [Some(without.as_str()), None] {
        let plain: Value = post(call.clone(), session).await.json().await.unwrap();
        assert_eq!(plain["result"]["content"], viewed["result"]["content"]);
        assert!(
            plain["result"].get("structuredContent").is_none(),
            "{plain}"
        );
    }

    let read = json!({"jsonrpc": "2.0", "id": 3, "method": "resources/read",
        "params": {"uri": CONVERSATION}});
    let shown: Value = post(read.clone(), Some(&with)).await.json().await.unwrap();
    assert_eq!(
        shown["result"]["contents"][0]["text"],
        include_str!("../../assets/conversation.html")
    );
    let refused: Value = post(read, Some(&without)).await.json().await.unwrap();
    assert_eq!(refused["error"]["code"], -32002, "{refused}");
    assert_eq!(refused["error"]["data"], json!({"uri": CONVERSATION}));
}

/// The real binary serving `--sandbox` over HTTP on a free loopback port, once `/healthz`
/// answers: the process (stopped when dropped), a client and the base URL.
async fn sandbox_over_http() -> (tokio::process::Child, reqwest::Client, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let server = tokio::process::Command::new(env!("CARGO_BIN_EXE_intercom-mcp"))
        .args(["--sandbox", "serve", "--http", &format!("127.0.0.1:{port}")])
        .current_dir(std::env::temp_dir())
        .env_clear()
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    // reqwest is built without a TLS provider of its own (plain HTTP here, but it asks anyway).
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::new();
    let base = format!("http://127.0.0.1:{port}");
    for _ in 0..200 {
        let probe = client.get(format!("{base}/healthz")).send().await;
        if probe.is_ok_and(|answer| answer.status().is_success()) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    (server, client, base)
}
