//! Classes of hostile input from outside (issue 12), each against a mock Intercom over real
//! HTTP: redirects never followed, and a token echoed by Intercom never shown. (Hosts, origins
//! and bodies that are not JSON-RPC: `hosts.rs`; strict bearer credentials: `http.rs`.)

use serde_json::json;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::deploy::deploy;
use crate::common::{TOKEN, binary, every_tool, is_error, start, text};

/// Every run of six characters of `token`: none may appear in anything shown.
fn assert_no_token_run(shown: &str, token: &str) {
    for run in token.as_bytes().windows(6) {
        let run = std::str::from_utf8(run).unwrap();
        assert!(
            !shown.contains(run),
            "`{run}` of the token is shown in:\n{shown}"
        );
    }
}

#[tokio::test]
async fn redirects_of_every_code_are_errors_and_never_followed_by_any_tool() {
    let elsewhere = MockServer::start().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"type": "contact", "id": "stolen"})),
        )
        .mount(&elsewhere)
        .await;
    let location = format!("http://localhost:{}/collect", elsewhere.address().port());
    for code in [301, 302, 303, 307, 308] {
        let harness = start().await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(code).insert_header("location", location.as_str()))
            .mount(&harness.intercom)
            .await;
        for (sent, (tool, args)) in every_tool().into_iter().enumerate() {
            let result = harness.call(tool, args).await;
            let shown = text(&result);
            assert!(is_error(&result), "{code} {tool}: {shown}");
            assert!(
                shown.starts_with(&format!("Intercom answered HTTP {code} "))
                    && shown.contains(&format!(
                        "a redirect to host `localhost:{}`",
                        elsewhere.address().port()
                    ))
                    && shown.contains("Redirects are not followed"),
                "{code} {tool}: {shown}"
            );
            assert_eq!(
                harness.requests().await.len(),
                sent + 1,
                "{code} {tool}: one request, to the origin"
            );
        }
        assert!(
            elsewhere.received_requests().await.unwrap().is_empty(),
            "{code}: nothing reached the redirect target"
        );
    }
}

#[tokio::test]
async fn a_relative_or_missing_location_is_named_as_such() {
    let harness = start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(307).insert_header("location", "/v3/contacts/c1"))
        .up_to_n_times(1)
        .mount(&harness.intercom)
        .await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(302))
        .mount(&harness.intercom)
        .await;
    let shown = text(
        &harness
            .call("intercomGetContact", json!({"contact_id": "c1"}))
            .await,
    );
    assert!(shown.contains("a redirect to host `127.0.0.1:"), "{shown}");
    let shown = text(
        &harness
            .call(
                "intercomAddNote",
                json!({"contact_id": "c1", "body": "x", "admin_id": "9"}),
            )
            .await,
    );
    assert!(
        shown.contains("without a usable Location") && shown.contains("read it back"),
        "{shown}"
    );
    assert_eq!(harness.requests().await.len(), 2);
}

/// Error bodies that echo the token whole, a prefix of it, inside JSON escapes, in HTML, and
/// in a redirect's Location.
fn echoes(token: &str) -> Vec<ResponseTemplate> {
    let escaped = token.replace('_', "\\u005f");
    vec![
        ResponseTemplate::new(401).set_body_json(json!({"type": "error.list", "request_id": token, "errors": [
            {"code": "unauthorized", "message": format!("Access Token Invalid: {token}")}]})),
        ResponseTemplate::new(403).set_body_raw(
            format!(r#"{{"type":"error.list","errors":[{{"code":"forbidden","message":"token {escaped} lacks scope"}}]}}"#),
            "application/json",
        ),
        ResponseTemplate::new(422).set_body_json(json!({"type": "error.list", "errors": [
            {"code": "parameter_invalid", "field": token.get(..8).unwrap(), "message": format!("starts {}…", token.get(..7).unwrap())}]})),
        ResponseTemplate::new(401).set_body_raw(format!("<html><body>Bearer {token} refused</body></html>"), "text/html"),
        ResponseTemplate::new(308).insert_header("location", format!("https://{}.example/x", token.get(..10).unwrap().replace('_', "-")).as_str()),
    ]
}

#[tokio::test]
async fn a_token_echoed_by_intercom_is_redacted_from_results() {
    for (index, echo) in echoes(TOKEN).into_iter().enumerate() {
        let harness = start().await;
        Mock::given(any())
            .respond_with(echo)
            .mount(&harness.intercom)
            .await;
        for (tool, args) in [
            ("intercomGetContact", json!({"contact_id": "c1"})),
            (
                "intercomAddNote",
                json!({"contact_id": "c1", "body": "x", "admin_id": "9"}),
            ),
        ] {
            let shown = text(&harness.call(tool, args).await);
            assert_no_token_run(&shown, TOKEN);
            assert!(
                shown.contains("Intercom answered HTTP"),
                "echo {index}: {shown}"
            );
        }
    }
}

#[tokio::test]
async fn a_token_echoed_over_http_is_redacted_from_results() {
    let deployment = deploy(&[]).await;
    let token = "dG9rOmNsaWVudF9vd24=";
    deployment.intercom.reset().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(401).set_body_json(
            json!({"errors": [{"code": "unauthorized", "message": format!("bad {token}")}]}),
        ))
        .mount(&deployment.intercom)
        .await;
    let client = deployment.client(token).await;
    let result = client
        .call_tool(rmcp::model::CallToolRequestParams::new("intercomListTags"))
        .await
        .unwrap();
    let shown = text(&result);
    assert!(shown.contains("bad [redacted]"), "{shown}");
    assert_no_token_run(&shown, token);
}

#[tokio::test]
async fn the_binary_shows_no_echoed_token_on_stdout_or_in_trace_logs() {
    for echo in echoes(TOKEN) {
        let intercom = MockServer::start().await;
        Mock::given(any()).respond_with(echo).mount(&intercom).await;
        let uri = intercom.uri();
        let vars = [
            ("accessToken", TOKEN),
            ("INTERCOM_BASE_URL", uri.as_str()),
            ("LOG_LEVEL", "trace"),
        ];
        for args in [
            &["call", "intercomGetContact", r#"{"contact_id": "c1"}"#][..],
            &["doctor"][..],
        ] {
            let output = tokio::task::spawn_blocking({
                let vars = vars.map(|(k, v)| (k.to_owned(), v.to_owned()));
                let args: Vec<String> = args.iter().map(|arg| (*arg).to_owned()).collect();
                move || {
                    let vars: Vec<(&str, &str)> =
                        vars.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
                    let args: Vec<&str> = args.iter().map(String::as_str).collect();
                    binary(&args, &vars)
                }
            })
            .await
            .unwrap();
            let (stdout, stderr) = (
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr),
            );
            assert!(!output.status.success(), "{args:?}: {stdout}");
            assert!(
                stdout.contains("HTTP") || stdout.contains("refused"),
                "{args:?}: {stdout}"
            );
            assert!(!stderr.is_empty(), "trace logging is on");
            assert_no_token_run(&stdout, TOKEN);
            assert_no_token_run(&stderr, TOKEN);
        }
        assert!(!intercom.received_requests().await.unwrap().is_empty());
    }
}
