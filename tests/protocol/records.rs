//! A record template whose URI names no record gets the revision's resource-not-found error
//! with `data.uri` (-32002 up to 2025-11-25, -32602 from 2026-07-28): when Intercom answers
//! 404 or 400 (a record read sends nothing but the id), or when the id is refused before
//! anything is sent. Any other failure stays an internal error.

use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

use crate::common::deploy::{Deployment, deploy};

const AUTH: (&str, &str) = ("authorization", "Bearer tok_alice");

/// A `resources/read` of `uri` at `version` (the 2025 one without a header); its error.
async fn read_error(deployment: &Deployment, uri: &str, version: &str) -> Value {
    let (headers, params) = if version == "2026-07-28" {
        (
            vec![
                AUTH,
                ("mcp-protocol-version", version),
                ("mcp-method", "resources/read"),
                ("mcp-name", uri),
            ],
            json!({"uri": uri, "_meta": {
                "io.modelcontextprotocol/protocolVersion": version,
                "io.modelcontextprotocol/clientCapabilities": {},
                "io.modelcontextprotocol/clientInfo": {"name": "records-test", "version": "1"}}}),
        )
    } else {
        (vec![AUTH], json!({"uri": uri}))
    };
    let response = deployment
        .post(
            &headers,
            json!({"jsonrpc": "2.0", "id": 1, "method": "resources/read", "params": params}),
        )
        .await;
    let reply: Value = response.json().await.unwrap();
    reply["error"].clone()
}

fn intercom_error(status: u16, code: &str, message: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(json!({"type": "error.list",
        "request_id": "req-1", "errors": [{"code": code, "message": message}]}))
}

#[tokio::test]
async fn a_uri_naming_no_record_gets_the_revisions_not_found_error_with_its_uri() {
    let deployment = deploy(&[]).await;
    for (at, answer) in [
        (
            "/contacts/does-not-exist",
            intercom_error(404, "not_found", "User Not Found"),
        ),
        (
            "/conversations/abc",
            intercom_error(400, "parameter_invalid", "Id is invalid"),
        ),
        // Not about the URI (and not retried, as a 5xx would be).
        (
            "/contacts/broken",
            intercom_error(403, "api_plan_restricted", "Not allowed"),
        ),
    ] {
        Mock::given(method("GET"))
            .and(path(at))
            .respond_with(answer)
            .with_priority(1)
            .mount(&deployment.intercom)
            .await;
    }
    for (version, not_found) in [("2025-11-25", -32002), ("2026-07-28", -32602)] {
        for uri in [
            "intercom://contacts/does-not-exist",
            "intercom://conversations/abc",
            // Refused before anything is sent: `..` would change the path.
            "intercom://contacts/..",
        ] {
            let error = read_error(&deployment, uri, version).await;
            assert_eq!(error["code"], not_found, "{version} {uri}: {error}");
            assert_eq!(
                error["data"],
                json!({"uri": uri}),
                "{version} {uri}: {error}"
            );
            let message = error["message"].as_str().unwrap();
            assert!(
                message.starts_with(&format!("no record at `{uri}`: ")),
                "{version} {uri}: {error}"
            );
        }
        let error = read_error(&deployment, "intercom://contacts/broken", version).await;
        assert_eq!(error["code"], -32603, "{version}: {error}");
        assert!(
            error["message"].as_str().unwrap().starts_with(
                "reading `intercom://contacts/broken` failed: Intercom answered HTTP 403"
            ),
            "{error}"
        );
    }
    let paths = crate::common::requests_made(&deployment.intercom).await;
    assert_eq!(
        paths,
        [
            "GET /contacts/does-not-exist",
            "GET /conversations/abc",
            "GET /contacts/broken",
            "GET /contacts/does-not-exist",
            "GET /conversations/abc",
            "GET /contacts/broken",
        ]
    );
}
