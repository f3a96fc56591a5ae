//! Errors whose request id cannot be read, over real HTTP, follow the revision the request's
//! `MCP-Protocol-Version` header names: `"id": null` without one or with a 2025 revision, no
//! `id` member with 2026-07-28 (whose schema has no null id).

use serde_json::Value;

use crate::common::deploy::deploy;

/// Bodies whose id cannot be read, and the error code each gets.
const UNREADABLE: [(&str, i64); 5] = [
    ("this is not JSON", -32700),
    ("", -32700),
    (r#"{"jsonrpc":"2.0","id":1.5,"method":"ping"}"#, -32600),
    (r#"{"jsonrpc":"2.0","id":"\ud800","method":"ping"}"#, -32700),
    // A JSON-RPC response: this stateless server sent no request it could answer.
    (r#"{"jsonrpc":"2.0","id":3,"result":{}}"#, -32600),
];

#[tokio::test]
async fn an_unreadable_id_is_null_at_2025_and_left_out_at_2026_07_28() {
    let deployment = deploy(&[]).await;
    let client = reqwest::Client::new();
    for (version, omitted) in [
        (None, false),
        (Some("2025-06-18"), false),
        (Some("2025-11-25"), false),
        (Some("2026-07-28"), true),
    ] {
        for (body, code) in UNREADABLE {
            let mut request = client
                .post(deployment.url())
                .bearer_auth("tok_alice")
                .header("content-type", "application/json")
                .header("accept", "application/json, text/event-stream");
            if let Some(version) = version {
                request = request.header("mcp-protocol-version", version);
            }
            let response = request.body(body).send().await.unwrap();
            assert_eq!(response.status(), 400, "{version:?} {body}");
            let reply: Value = response.json().await.unwrap();
            assert_eq!(reply["error"]["code"], code, "{version:?} {body}: {reply}");
            assert_eq!(reply["jsonrpc"], "2.0", "{reply}");
            let expected = (!omitted).then_some(&Value::Null);
            assert_eq!(reply.get("id"), expected, "{version:?} {body}: {reply}");
        }
    }
}
