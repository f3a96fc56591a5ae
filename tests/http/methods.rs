//! Which methods a client is answered over HTTP: a method this server does not have gets
//! -32601 naming it at every revision.

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
