//! Traces through the real binary (issue 27, item 3): an OTLP/HTTP receiver on loopback decodes
//! what the server exports. A tool call is one server span named `tools/call {tool}` with the
//! MCP conventions' attributes, and its Intercom request a client span, its child, named by the
//! path's template; a trace context given in `_meta` (stdio, 2026-07-28) or in the HTTP
//! `traceparent` header is the spans' trace and the MCP span's parent (with both, `_meta`'s is
//! the parent and the header's a link); a JSON-RPC error is the span's `error.type`, and a
//! tool the client made up is not named. The pending spans are flushed at the end of the input
//! and on SIGTERM; with no OTLP endpoint nothing is sent; no token and no customer id is in
//! anything exported. The HTTP cases are in `traces/over_http.rs`, the receiver in
//! `traces/otlp.rs`.

mod otlp;
mod over_http;

use std::process::Stdio;
use std::time::Duration;

use opentelemetry_proto::tonic::trace::v1::span::SpanKind;
use opentelemetry_proto::tonic::trace::v1::status::StatusCode;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::TOKEN;
use otlp::{attribute, hex, named, receiver, receiver_at};

const TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const PARENT: &str = "00f067aa0ba902b7";
/// A customer's id: in the request's path, never in a span.
const CUSTOMER: &str = "cust-88410";

/// The mock Intercom: one contact, and one that is not there.
async fn intercom() -> MockServer {
    let intercom = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/contacts/{CUSTOMER}")))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"type": "contact", "id": CUSTOMER})),
        )
        .expect(1)
        .mount(&intercom)
        .await;
    Mock::given(method("GET"))
        .and(path("/contacts/gone"))
        .respond_with(
            ResponseTemplate::new(404).set_body_json(json!({"type": "error.list",
            "errors": [{"code": "not_found", "message": "no such contact"}]})),
        )
        .expect(1)
        .mount(&intercom)
        .await;
    intercom
}

/// Three tool calls at 2026-07-28 over stdio: the first with a trace context in `_meta`, the
/// second failing at Intercom, the third of a tool the client made up; then the end of the
/// input. Returns the server's log once it has exited.
async fn calls_over_stdio(vars: &[(&str, &str)]) -> String {
    let mut child = crate::common::command(&[], vars)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap()).lines();
    let meta = |traced: bool| {
        let mut meta = json!({
            "io.modelcontextprotocol/protocolVersion": "2026-07-28",
            "io.modelcontextprotocol/clientCapabilities": {},
            "io.modelcontextprotocol/clientInfo": {"name": "traces-test", "version": "1"},
        });
        if traced {
            meta["traceparent"] = json!(format!("00-{TRACE}-{PARENT}-01"));
            meta["tracestate"] = json!("rojo=00f067aa0ba902b7");
        }
        meta
    };
    let calls = [
        (2, "intercomGetContact", CUSTOMER, true),
        (3, "intercomGetContact", "gone", false),
        (4, "intercomInventedTool", "c1", false),
    ];
    for (id, tool, contact, traced) in calls {
        let line = json!({"jsonrpc": "2.0", "id": id, "method": "tools/call", "params": {
            "name": tool, "arguments": {"contact_id": contact}, "_meta": meta(traced)}});
        stdin
            .write_all(format!("{line}\n").as_bytes())
            .await
            .unwrap();
        let reply = tokio::time::timeout(Duration::from_secs(20), stdout.next_line())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        let reply: Value = serde_json::from_str(&reply).unwrap();
        assert_eq!(reply["id"], id, "{reply}");
        match id {
            4 => assert_eq!(reply["error"]["code"], -32602, "{reply}"),
            _ => assert_eq!(reply["result"]["isError"], json!(id == 3), "{reply}"),
        }
    }
    drop(stdin);
    let output = tokio::time::timeout(Duration::from_secs(20), child.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    assert!(output.status.success(), "{}", output.status);
    String::from_utf8(output.stderr).unwrap()
}

#[tokio::test]
async fn over_stdio_each_call_is_a_server_span_whose_intercom_request_is_its_child() {
    let intercom = intercom().await;
    let (endpoint, received) = receiver().await;
    // The batch waits a minute: what arrives was flushed at the end of the input.
    let log = calls_over_stdio(&[
        ("accessToken", TOKEN),
        ("INTERCOM_BASE_URL", &intercom.uri()),
        ("OTEL_EXPORTER_OTLP_ENDPOINT", &endpoint),
        ("OTEL_BSP_SCHEDULE_DELAY", "60000"),
    ])
    .await;
    assert!(log.contains("exporting traces over OTLP/HTTP"), "{log}");
    let (spans, services) = received.spans();
    assert_eq!(services, ["intercom-mcp"]);

    let calls = named(&spans, "tools/call intercomGetContact");
    assert_eq!(calls.len(), 2, "{spans:#?}");
    for call in &calls {
        assert_eq!(call.kind, SpanKind::Server as i32);
        for (key, value) in [
            ("mcp.method.name", "tools/call"),
            ("gen_ai.tool.name", "intercomGetContact"),
            ("gen_ai.operation.name", "execute_tool"),
            ("mcp.protocol.version", "2026-07-28"),
            ("network.transport", "pipe"),
        ] {
            assert_eq!(
                attribute(call, key).as_deref(),
                Some(value),
                "{key}: {call:#?}"
            );
        }
    }
    let requests = named(&spans, "GET /contacts/{contact_id}");
    assert_eq!(requests.len(), 2, "{spans:#?}");
    let port = intercom.address().port().to_string();
    for request in &requests {
        assert_eq!(request.kind, SpanKind::Client as i32);
        for (key, value) in [
            ("http.request.method", "GET"),
            ("url.template", "/contacts/{contact_id}"),
            ("server.address", "127.0.0.1"),
            ("server.port", port.as_str()),
        ] {
            assert_eq!(
                attribute(request, key).as_deref(),
                Some(value),
                "{key}: {request:#?}"
            );
        }
        // Each Intercom request is the child of its call's span, in its trace.
        let parent = calls
            .iter()
            .find(|call| call.span_id == request.parent_span_id)
            .unwrap_or_else(|| panic!("no MCP span is the parent of {request:#?}"));
        assert_eq!(parent.trace_id, request.trace_id);
    }

    // The first call's trace and parent are the ones its `_meta` gave.
    let traced = calls
        .iter()
        .find(|call| attribute(call, "jsonrpc.request.id").as_deref() == Some("2"))
        .unwrap();
    assert_eq!(hex(&traced.trace_id), TRACE);
    assert_eq!(hex(&traced.parent_span_id), PARENT);
    assert_eq!(traced.trace_state, "rojo=00f067aa0ba902b7");
    assert_eq!(attribute(traced, "error.type"), None);
    // The second started a trace of its own, and failed as a tool error.
    let failed = calls
        .iter()
        .find(|call| attribute(call, "jsonrpc.request.id").as_deref() == Some("3"))
        .unwrap();
    assert_ne!(hex(&failed.trace_id), TRACE);
    assert!(failed.parent_span_id.is_empty(), "{failed:#?}");
    assert_eq!(
        attribute(failed, "error.type").as_deref(),
        Some("tool_error")
    );
    assert_eq!(
        failed.status.as_ref().unwrap().code,
        StatusCode::Error as i32
    );
    let missing = requests
        .iter()
        .find(|request| request.parent_span_id == failed.span_id)
        .unwrap();
    assert_eq!(
        attribute(missing, "http.response.status_code").as_deref(),
        Some("404")
    );
    assert_eq!(attribute(missing, "error.type").as_deref(), Some("404"));

    // A tool the client made up is neither in the span's name nor in its attributes.
    let invented = named(&spans, "tools/call");
    assert_eq!(invented.len(), 1, "{spans:#?}");
    assert_eq!(
        attribute(invented[0], "error.type").as_deref(),
        Some("-32602")
    );
    assert_eq!(attribute(invented[0], "gen_ai.tool.name"), None);
    assert_eq!(
        attribute(invented[0], "jsonrpc.request.id").as_deref(),
        Some("4")
    );

    let raw = received.raw();
    assert!(!raw.contains("intercomInventedTool"));
    assert!(!raw.contains(TOKEN), "the token was exported");
    assert!(!raw.contains(CUSTOMER), "a customer's id was exported");
}

#[tokio::test]
async fn with_no_otlp_endpoint_nothing_is_sent() {
    let intercom = intercom().await;
    // The receiver where the exporter would send by default (localhost:4318), when that port
    // is free here; the log line says whether the exporter started either way.
    let (endpoint, received) = receiver_at("127.0.0.1:4318").await;
    // Every other OTLP variable set, and the receiver listening: only the endpoint is missing.
    let log = calls_over_stdio(&[
        ("accessToken", TOKEN),
        ("INTERCOM_BASE_URL", &intercom.uri()),
        ("OTEL_SERVICE_NAME", "intercom-mcp-test"),
        ("OTEL_BSP_SCHEDULE_DELAY", "10"),
        (
            "OTEL_EXPORTER_OTLP_HEADERS",
            &format!("x-receiver={endpoint}"),
        ),
    ])
    .await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(received.count(), 0);
    assert!(!log.contains("exporting traces"), "{log}");
}
