//! MCP clients in a browser page (with `--oauth`): preflights are answered before credentials
//! are asked for, answers carry CORS headers for allowed origins — including the 401 whose
//! `WWW-Authenticate` starts discovery — and an Origin that is not allowed still gets 403.

use reqwest::Method;

use crate::common::oauth::{Intercom, KEY, Replica, browser};

const APP: &str = "http://localhost:6274";

fn header(answer: &reqwest::Response, name: &str) -> Option<String> {
    answer
        .headers()
        .get(name)
        .map(|value| value.to_str().unwrap().to_owned())
}

#[tokio::test]
async fn allowed_origins_get_cors_and_others_403() {
    let intercom = Intercom::start().await;
    let replica = Replica::start(&intercom, KEY, None).await;
    for path in ["/mcp", "/token", "/register"] {
        let answer = browser()
            .request(Method::OPTIONS, replica.url(path))
            .header("origin", APP)
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "authorization, content-type",
            )
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 204, "{path}");
        assert_eq!(
            header(&answer, "access-control-allow-origin").as_deref(),
            Some(APP)
        );
        let allowed = header(&answer, "access-control-allow-headers").unwrap();
        assert!(allowed.contains("authorization") && allowed.contains("mcp-protocol-version"));
    }
    let answer = browser()
        .post(replica.url("/mcp"))
        .header("origin", APP)
        .header("content-type", "application/json")
        .body(r#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 401);
    assert_eq!(
        header(&answer, "access-control-allow-origin").as_deref(),
        Some(APP)
    );
    assert!(
        header(&answer, "access-control-expose-headers")
            .unwrap()
            .contains("www-authenticate")
    );
    assert!(
        header(&answer, "www-authenticate")
            .unwrap()
            .contains("resource_metadata=")
    );
    let answer = browser()
        .get(replica.url("/.well-known/oauth-authorization-server"))
        .header("origin", APP)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    assert_eq!(
        header(&answer, "access-control-allow-origin").as_deref(),
        Some(APP)
    );

    let answer = browser()
        .request(Method::OPTIONS, replica.url("/token"))
        .header("origin", "https://evil.example")
        .header("access-control-request-method", "POST")
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 403);
    assert_eq!(header(&answer, "access-control-allow-origin"), None);
}
