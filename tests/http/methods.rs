//! Which methods a client is answered over HTTP: a request at 2026-07-28 (its
//! `MCP-Protocol-Version` header) for a method that revision removed gets 404 and -32601, as
//! the conformance suite's sep-2575 checks ask; a method this server does not have gets -32601
//! naming it at every revision; and the 2025 handshake still works without that header.

use intercom_mcp::transport::REMOVED_AT_2026_07_28;
use serde_json::{Value, json};

use crate::common::deploy::deploy;

const AUTH: (&str, &str) = ("authorization", "Bearer tok_alice");

/// What a 2026-07-28 client puts in every request's `_meta`.
fn meta() -> Value {
    json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {},
        "io.modelcontextprotocol/clientInfo": {"name": "removed-test", "version": "1"},
    })
}

#[tokio::test]
async fn removed_methods_at_2026_07_28_get_404_and_method_not_found() {
    let deployment = deploy(&[]).await;
    for (id, method) in REMOVED_AT_2026_07_28.into_iter().enumerate() {
        let response = deployment
            .post(
                &[
                    AUTH,
                    ("mcp-protocol-version", "2026-07-28"),
                    ("mcp-method", method),
                ],
                json!({"jsonrpc": "2.0", "id": id, "method": method, "params": {"_meta": meta()}}),
            )
            .await;
        assert_eq!(response.status(), 404, "{method}");
        let reply: Value = response.json().await.unwrap();
        assert_eq!(reply["id"], id, "{reply}");
        assert_eq!(reply["error"]["code"], -32601, "{reply}");
        assert_eq!(
            reply["error"]["message"],
            format!(
                "method `{method}` is not supported at MCP 2026-07-28, which removed it: send \
                 each request with its own `_meta` (server/discover says what this server \
                 offers), or speak a 2025 revision, which begins with `initialize`"
            ),
            "{reply}"
        );
    }
    // A whole 2025 handshake sent with the 2026-07-28 header is still a removed method.
    let response = deployment
        .post(
            &[AUTH, ("mcp-protocol-version", "2026-07-28")],
            json!({"jsonrpc": "2.0", "id": "a", "method": "initialize", "params": {
                "protocolVersion": "2026-07-28", "capabilities": {},
                "clientInfo": {"name": "removed-test", "version": "1"}}}),
        )
        .await;
    assert_eq!(response.status(), 404);
    let reply: Value = response.json().await.unwrap();
    assert_eq!(reply["id"], "a", "{reply}");
    assert_eq!(deployment.sent().await, 0);
}

#[tokio::test]
async fn an_unknown_method_is_named_and_said_to_be_unsupported_at_every_revision() {
    let deployment = deploy(&[]).await;
    let expected = "method `foo/bar` is not supported by this server";
    let response = deployment
        .post(
            &[
                AUTH,
                ("mcp-protocol-version", "2026-07-28"),
                ("mcp-method", "foo/bar"),
            ],
            json!({"jsonrpc": "2.0", "id": 1, "method": "foo/bar", "params": {"_meta": meta()}}),
        )
        .await;
    assert_eq!(response.status(), 404);
    let reply: Value = response.json().await.unwrap();
    assert_eq!(reply["error"], json!({"code": -32601, "message": expected}));
    for version in [None, Some("2025-11-25")] {
        let mut headers = vec![AUTH];
        headers.extend(version.map(|version| ("mcp-protocol-version", version)));
        let response = deployment
            .post(
                &headers,
                json!({"jsonrpc": "2.0", "id": 2, "method": "foo/bar"}),
            )
            .await;
        assert_eq!(response.status(), 200, "{version:?}");
        let reply: Value = response.json().await.unwrap();
        assert_eq!(reply["id"], 2, "{reply}");
        assert_eq!(reply["error"], json!({"code": -32601, "message": expected}));
    }
}

#[tokio::test]
async fn the_2025_handshake_still_works_over_http() {
    let deployment = deploy(&[]).await;
    for (version, header) in [("2025-06-18", None), ("2025-11-25", Some("2025-11-25"))] {
        let mut headers = vec![AUTH];
        headers.extend(header.map(|header| ("mcp-protocol-version", header)));
        let response = deployment
            .post(
                &headers,
                json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
                    "protocolVersion": version, "capabilities": {},
                    "clientInfo": {"name": "removed-test", "version": "1"}}}),
            )
            .await;
        assert_eq!(response.status(), 200, "{version}");
        let reply: Value = response.json().await.unwrap();
        assert_eq!(reply["result"]["protocolVersion"], version, "{reply}");
    }
    // A 2025 client's ping is answered.
    let response = deployment
        .post(
            &[AUTH],
            json!({"jsonrpc": "2.0", "id": 3, "method": "ping"}),
        )
        .await;
    assert_eq!(response.status(), 200);
    let reply: Value = response.json().await.unwrap();
    assert_eq!(reply["result"], json!({}), "{reply}");
}
