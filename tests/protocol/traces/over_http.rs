//! Traces over Streamable HTTP: the `traceparent` header, `_meta` at 2026-07-28 with the header
//! linked, a 2025 session named by a digest, and the flush on SIGTERM.

use std::process::Stdio;
use std::time::Duration;

use serde_json::{Value, json};

use super::otlp::{attribute, hex, named, receiver};
use super::{PARENT, TRACE};

/// Another client's trace, given in `_meta` while the HTTP header names the first.
const META_TRACE: &str = "0af7651916cd43dd8448eb211c80319c";
const META_PARENT: &str = "b7ad6b7169203331";

/// Over HTTP (the sandbox): at 2025-06-18 the `traceparent` header is the call's parent; at
/// 2026-07-28 `_meta`'s is, and the header's is linked. The spans are flushed when the server is
/// stopped with SIGTERM.
#[tokio::test]
async fn the_traceparent_header_is_the_parent_and_sigterm_flushes() {
    let (endpoint, received) = receiver().await;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let address = format!("127.0.0.1:{port}");
    let mut server = crate::common::command(
        &["--sandbox", "serve", "--http", &address],
        // The batch waits a minute: what arrives was flushed on SIGTERM.
        &[
            ("OTEL_EXPORTER_OTLP_ENDPOINT", &endpoint),
            ("OTEL_BSP_SCHEDULE_DELAY", "60000"),
        ],
    )
    .stdout(Stdio::null())
    .stderr(Stdio::null())
    .spawn()
    .unwrap();
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::new();
    let mut answer = None;
    for _ in 0..100 {
        let sent = client
            .post(format!("http://{address}/mcp"))
            .header("accept", "application/json, text/event-stream")
            .header("authorization", "Bearer sandbox")
            .header("mcp-protocol-version", "2025-06-18")
            .header("traceparent", format!("00-{TRACE}-{PARENT}-01"))
            .json(
                &json!({"jsonrpc": "2.0", "id": 7, "method": "tools/call", "params":
                {"name": "intercomGetConversation", "arguments": {"conversation_id": "20415"}}}),
            )
            .send()
            .await;
        if let Ok(response) = sent {
            answer = Some(response.json::<Value>().await.unwrap());
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let answer = answer.expect("the server answered");
    assert_eq!(answer["result"]["isError"], json!(false), "{answer}");
    // At 2026-07-28 the request's own `_meta` is its parent; the header's context, the HTTP
    // request's, is linked.
    let answer: Value = client
        .post(format!("http://{address}/mcp"))
        .header("accept", "application/json, text/event-stream")
        .header("authorization", "Bearer sandbox")
        .header("mcp-protocol-version", "2026-07-28")
        .header("mcp-method", "tools/call")
        .header("mcp-name", "intercomListTags")
        .header("traceparent", format!("00-{TRACE}-{PARENT}-01"))
        .json(
            &json!({"jsonrpc": "2.0", "id": 8, "method": "tools/call", "params": {
            "name": "intercomListTags", "arguments": {}, "_meta": {
                "io.modelcontextprotocol/protocolVersion": "2026-07-28",
                "io.modelcontextprotocol/clientCapabilities": {},
                "io.modelcontextprotocol/clientInfo": {"name": "traces-test", "version": "1"},
                "traceparent": format!("00-{META_TRACE}-{META_PARENT}-01")}}}),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(answer["result"]["isError"], json!(false), "{answer}");
    // A 2025 client with a session: the span names it by a digest, never by the sealed id.
    let post = |body: Value| {
        client
            .post(format!("http://{address}/mcp"))
            .header("accept", "application/json, text/event-stream")
            .header("authorization", "Bearer sandbox")
            .header("mcp-protocol-version", "2025-06-18")
            .json(&body)
    };
    let initialized = post(
        json!({"jsonrpc": "2.0", "id": 9, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {},
        "clientInfo": {"name": "traces-test", "version": "1"}}}),
    )
    .send()
    .await
    .unwrap();
    let session = initialized.headers()["mcp-session-id"]
        .to_str()
        .unwrap()
        .to_owned();
    let answer: Value = post(
        json!({"jsonrpc": "2.0", "id": 10, "method": "tools/call", "params":
        {"name": "intercomListCompanies", "arguments": {}}}),
    )
    .header("mcp-session-id", &session)
    .send()
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(answer["result"]["isError"], json!(false), "{answer}");
    assert_eq!(received.count(), 0, "exported before the batch's delay");

    let pid = server.id().unwrap().to_string();
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = tokio::time::timeout(Duration::from_secs(20), server.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(status.success(), "{status}");

    let (spans, _) = received.spans();
    let calls = named(&spans, "tools/call intercomGetConversation");
    assert_eq!(calls.len(), 1, "{spans:#?}");
    let call = calls[0];
    assert_eq!(hex(&call.trace_id), TRACE);
    assert_eq!(hex(&call.parent_span_id), PARENT);
    for (key, value) in [
        ("jsonrpc.request.id", "7"),
        ("mcp.protocol.version", "2025-06-18"),
        ("network.transport", "tcp"),
        ("network.protocol.name", "http"),
        ("network.protocol.version", "1.1"),
    ] {
        assert_eq!(
            attribute(call, key).as_deref(),
            Some(value),
            "{key}: {call:#?}"
        );
    }
    let requests = named(&spans, "GET /conversations/{conversation_id}");
    assert_eq!(requests.len(), 1, "{spans:#?}");
    assert_eq!(requests[0].parent_span_id, call.span_id);
    assert_eq!(requests[0].trace_id, call.trace_id);
    assert_eq!(
        attribute(requests[0], "http.response.status_code").as_deref(),
        Some("200")
    );
    assert!(
        !received.raw().contains("20415"),
        "a conversation's id was exported"
    );

    let tags = named(&spans, "tools/call intercomListTags");
    assert_eq!(tags.len(), 1, "{spans:#?}");
    assert_eq!(hex(&tags[0].trace_id), META_TRACE);
    assert_eq!(hex(&tags[0].parent_span_id), META_PARENT);
    assert_eq!(
        attribute(tags[0], "mcp.protocol.version").as_deref(),
        Some("2026-07-28")
    );
    let links: Vec<(String, String)> = (tags[0].links.iter())
        .map(|link| (hex(&link.trace_id), hex(&link.span_id)))
        .collect();
    assert_eq!(links, [(TRACE.to_owned(), PARENT.to_owned())]);
    let requests = named(&spans, "GET /tags");
    assert_eq!(requests.len(), 1, "{spans:#?}");
    assert_eq!(requests[0].parent_span_id, tags[0].span_id);

    let companies = named(&spans, "tools/call intercomListCompanies");
    assert_eq!(companies.len(), 1, "{spans:#?}");
    let digest = attribute(companies[0], "mcp.session.id").unwrap();
    assert_eq!(digest.len(), 16, "{digest}");
    assert!(digest.chars().all(|c| c.is_ascii_hexdigit()), "{digest}");
    assert!(session.len() > 16, "{session}");
    assert!(
        !received.raw().contains(&session),
        "the sealed session id was exported"
    );
    // The spans without a session have none.
    assert_eq!(attribute(call, "mcp.session.id"), None);
}
