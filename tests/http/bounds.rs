//! Bounded HTTP (issue 24, item 6): JSON-RPC errors that always carry an `id`, bodies refused
//! by their declared length before they are read, and partial heads that time out instead of
//! holding connections.

use serde_json::{Value, json};

use crate::common::TOKEN;
use crate::common::deploy::deploy;

#[tokio::test]
async fn a_posted_json_rpc_response_is_refused_with_an_id_member() {
    let deployment = deploy(&[]).await;
    let bearer = format!("Bearer {TOKEN}");
    for body in [
        json!({"jsonrpc": "2.0", "id": 1, "result": {}}),
        json!({"jsonrpc": "2.0", "id": "s", "error": {"code": 1, "message": "x"}}),
    ] {
        let response = deployment
            .post(&[("authorization", &bearer)], body.clone())
            .await;
        assert_eq!(response.status(), 400, "{body}");
        let reply: Value = response.json().await.unwrap();
        assert_eq!(reply["error"]["code"], -32600, "{reply}");
        assert_eq!(reply.get("id"), Some(&Value::Null), "{reply}");
    }
    assert_eq!(deployment.sent().await, 0);
}

#[tokio::test]
async fn an_id_written_as_a_float_is_refused_over_http_too() {
    let deployment = deploy(&[]).await;
    let bearer = format!("Bearer {TOKEN}");
    let response = reqwest::Client::new()
        .post(deployment.url())
        .header("authorization", &bearer)
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .body(r#"{"jsonrpc":"2.0","id":1.0e2,"method":"tools/call","params":{"name":"intercomListTags"}}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let reply: Value = response.json().await.unwrap();
    assert_eq!(reply["error"]["code"], -32600, "{reply}");
    assert_eq!(reply["id"], Value::Null, "{reply}");
    assert_eq!(deployment.sent().await, 0);
}
