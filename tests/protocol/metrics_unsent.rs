//! What is not sent, counted as such: a dry run sends nothing and counts no Intercom request;
//! with nothing listening each attempt is `status="none"` and a read is sent again; over HTTP
//! through the binary, requests refused before the handler are counted by reason.

use std::process::Stdio;
use std::sync::Arc;

use serde_json::json;
use wiremock::MockServer;

use crate::common::{self, RecordingClock, is_error};
use crate::metrics_scrape::{
    calls, operation, promtool_accepts, requests, scrape, serve, sum, value,
};

#[tokio::test]
async fn a_dry_run_sends_and_counts_no_request_and_no_answer_is_none() {
    let intercom = MockServer::start().await;
    let clock = Arc::new(RecordingClock::default());
    let dry = serve(
        &[("INTERCOM_DRY_RUN", "true")],
        &intercom.uri(),
        Arc::clone(&clock),
        &[],
    )
    .await;
    let create = json!({"email": "a@example.com"});
    assert!(!is_error(&dry.call("intercomCreateContact", create).await));
    let text = dry.scrape().await;
    assert_eq!(calls(&text, "intercomCreateContact", ""), 1, "{text}");
    assert_eq!(sum(&text, "intercom_requests_total", ""), 0, "{text}");
    let dry_run =
        "intercom_writes_total{gen_ai_tool_name=\"intercomCreateContact\",outcome=\"dry_run\"}";
    assert_eq!(value(&text, dry_run), 1, "{text}");
    assert_eq!(sum(&text, "intercom_writes_total", ""), 1, "{text}");
    assert!(intercom.received_requests().await.unwrap().is_empty());
    promtool_accepts(&text);

    // Nothing listens here: each attempt has no answer, and a read is sent three times.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let nowhere = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let lost = serve(&[], &nowhere, clock, &[]).await;
    assert!(is_error(&lost.call("intercomListTags", json!({})).await));
    let text = lost.scrape().await;
    assert_eq!(requests(&text, "listTags", "none"), 3, "{text}");
    let retried = "intercom_retries_total{operation=\"listTags\",reason=\"no_answer\"}";
    assert_eq!(value(&text, retried), 2, "{text}");
    assert_eq!(calls(&text, "intercomListTags", "tool_error"), 1, "{text}");
    promtool_accepts(&text);
}

/// Over HTTP through the real binary: a wrong Host, a foreign Origin, no credentials and a
/// session id that does not open are each refused before the handler, and counted by reason.
#[tokio::test]
async fn over_http_each_refusal_is_counted_by_reason() {
    let free = || {
        std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port()
    };
    let (port, metrics_port) = (free(), free());
    let _server = common::command(
        &[
            "--sandbox",
            "--metrics",
            &format!("127.0.0.1:{metrics_port}"),
            "serve",
            "--http",
            &format!("127.0.0.1:{port}"),
        ],
        &[],
    )
    .stdout(Stdio::null())
    .stderr(Stdio::null())
    .spawn()
    .unwrap();
    let metrics_url = format!("http://127.0.0.1:{metrics_port}/metrics");
    scrape(&metrics_url).await;
    let http = reqwest::Client::new();
    let post = |headers: &[(&str, &str)]| {
        let mut request = http
            .post(format!("http://127.0.0.1:{port}/mcp"))
            .header("accept", "application/json, text/event-stream")
            .header("mcp-protocol-version", "2025-06-18")
            .json(&json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"}));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.send()
    };
    let bearer = ("authorization", "Bearer sandbox");
    let statuses = [
        post(&[bearer, ("host", "evil.example")])
            .await
            .unwrap()
            .status(),
        post(&[bearer, ("origin", "http://evil.example")])
            .await
            .unwrap()
            .status(),
        post(&[]).await.unwrap().status(),
        post(&[bearer, ("mcp-session-id", "not-ours")])
            .await
            .unwrap()
            .status(),
        post(&[bearer]).await.unwrap().status(),
    ];
    assert_eq!(
        statuses.map(|status| status.as_u16()),
        [403, 403, 401, 404, 200]
    );
    let text = scrape(&metrics_url).await;
    for reason in ["host", "origin", "authentication", "session"] {
        let series = format!("intercom_mcp_refused_requests_total{{reason=\"{reason}\"}}");
        assert_eq!(value(&text, &series), 1, "{reason}\n{text}");
    }
    // The one let through reached the handler.
    assert_eq!(
        value(&text, &operation("tools/list", "", "", "count")),
        1,
        "{text}"
    );
    promtool_accepts(&text);
}
