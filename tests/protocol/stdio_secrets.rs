//! No secret on the real binary's stdio: across every tool and every fault Intercom can give,
//! at `LOG_LEVEL=trace`, neither the token nor a rotated one appears on stdout or stderr.

use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::stdio::{INITIALIZE, TOKEN};
use crate::common;

#[tokio::test]
async fn no_token_anywhere_across_every_tool_and_fault_at_trace_level() {
    use wiremock::matchers::any;
    let rotated = "tok_rotated_leakcheck_77";
    let intercom = MockServer::start().await;
    let error = |code: &str| json!({"type": "error.list", "request_id": "r-1", "errors": [{"code": code, "message": "no"}]});
    let routes: Vec<(&str, &str, ResponseTemplate)> = vec![
        (
            "GET",
            "/contacts",
            ResponseTemplate::new(429).insert_header("retry-after", "0"),
        ),
        ("POST", "/contacts/search", ResponseTemplate::new(500)),
        (
            "GET",
            "/contacts/c1",
            ResponseTemplate::new(404).set_body_json(error("not_found")),
        ),
        (
            "POST",
            "/contacts",
            ResponseTemplate::new(422).set_body_json(error("parameter_invalid")),
        ),
        (
            "PUT",
            "/contacts/c1",
            ResponseTemplate::new(200).set_body_json(json!({"id": "c1"})),
        ),
        ("POST", "/contacts/c1/notes", ResponseTemplate::new(500)),
        (
            "GET",
            "/conversations",
            ResponseTemplate::new(401).set_body_json(error("unauthorized")),
        ),
        (
            "POST",
            "/conversations/search",
            ResponseTemplate::new(502).set_body_raw("<html>bad gateway</html>", "text/html"),
        ),
        (
            "GET",
            "/conversations/1",
            ResponseTemplate::new(200).set_body_json(json!({"id": "1", "parts": [1, 2, 3]})),
        ),
        (
            "POST",
            "/conversations/1/reply",
            ResponseTemplate::new(200).set_delay(Duration::from_secs(3)),
        ),
        (
            "POST",
            "/conversations/1/parts",
            ResponseTemplate::new(403).set_body_json(error("unauthorized")),
        ),
        ("POST", "/companies/list", ResponseTemplate::new(200)),
        (
            "GET",
            "/companies/x",
            ResponseTemplate::new(200).set_body_raw("not json", "text/plain"),
        ),
        (
            "GET",
            "/tags",
            ResponseTemplate::new(200).set_body_json(json!({"data": []})),
        ),
        ("POST", "/contacts/c1/tags", ResponseTemplate::new(503)),
    ];
    for (verb, route, response) in routes {
        Mock::given(method(verb))
            .and(path(route))
            .respond_with(response)
            .mount(&intercom)
            .await;
    }
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .mount(&intercom)
        .await;
    let uri = intercom.uri();
    let mut child = common::spawn(
        &[],
        &[
            ("accessToken", TOKEN),
            ("INTERCOM_BASE_URL", &uri),
            ("INTERCOM_API_TIMEOUT", "400"),
            ("LOG_LEVEL", "trace"),
        ],
    );
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut stderr = child.stderr.take().unwrap();
    let calls = [
        ("intercomListContacts", json!({})),
        (
            "intercomSearchContacts",
            json!({"query": {"field": "email", "operator": "=", "value": "a@b.c"}}),
        ),
        ("intercomGetContact", json!({"contact_id": "c1"})),
        ("intercomCreateContact", json!({"email": "a@b.c"})),
        (
            "intercomUpdateContact",
            json!({"contact_id": "c1", "name": "A"}),
        ),
        (
            "intercomAddNote",
            json!({"contact_id": "c1", "body": "n", "admin_id": "9"}),
        ),
        ("intercomListConversations", json!({})),
        (
            "intercomSearchConversations",
            json!({"query": {"field": "open", "operator": "=", "value": true}}),
        ),
        ("intercomGetConversation", json!({"conversation_id": "1"})),
        (
            "intercomReplyConversation",
            json!({"conversation_id": "1", "message_type": "note", "body": "b", "admin_id": "9"}),
        ),
        (
            "intercomCloseConversation",
            json!({"conversation_id": "1", "admin_id": "9"}),
        ),
        (
            "intercomAssignConversation",
            json!({"conversation_id": "1", "type": "admin", "admin_id": "9", "assignee_id": "0"}),
        ),
        ("intercomListCompanies", json!({})),
        ("intercomGetCompany", json!({"company_id": "x"})),
        ("intercomListTags", json!({})),
        ("intercomTagContact", json!({"contact_id": "c1", "id": "7"})),
        ("intercomCreateContact", json!({"name": "only a name"})),
        ("intercomNoSuchTool", json!({})),
    ];
    let mut input = INITIALIZE.to_owned();
    input.push_str("this line is not json\n");
    let update = json!({"jsonrpc": "2.0", "method": "notifications/token/update", "params": {"accessToken": rotated}});
    input.push_str(&format!("{update}\n"));
    for (index, (tool, arguments)) in calls.iter().enumerate() {
        let call = json!({"jsonrpc": "2.0", "id": index + 1, "method": "tools/call", "params": {"name": tool, "arguments": arguments}});
        input.push_str(&format!("{call}\n"));
    }
    stdin.write_all(input.as_bytes()).await.unwrap();
    stdin.flush().await.unwrap();
    let mut seen = std::collections::BTreeSet::new();
    let mut output = String::new();
    while seen.len() < calls.len() {
        let line = tokio::time::timeout(Duration::from_secs(30), stdout.next_line())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        let message: Value =
            serde_json::from_str(&line).unwrap_or_else(|_| panic!("not JSON on stdout: {line}"));
        if let Some(id) = message["id"].as_u64().filter(|id| *id >= 1) {
            seen.insert(id);
        }
        output.push_str(&line);
        output.push('\n');
    }
    drop(stdin);
    let status = tokio::time::timeout(Duration::from_secs(10), child.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(status.success());
    let mut logs = String::new();
    stderr.read_to_string(&mut logs).await.unwrap();
    assert!(
        logs.contains("TRACE") || logs.contains("DEBUG"),
        "trace logging is on"
    );
    assert!(output.contains("-32700"), "the bad line was answered");
    for secret in [TOKEN, rotated, "tok_rotated_leakcheck", "tok_stdio"] {
        assert!(!output.contains(secret), "{secret} on stdout");
        assert!(!logs.contains(secret), "{secret} on stderr");
    }
    // Both tokens were really used, so their absence from the output means something.
    let used: std::collections::BTreeSet<String> = intercom
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter_map(|request| {
            request
                .headers
                .get("authorization")
                .map(|v| v.to_str().unwrap().to_owned())
        })
        .collect();
    assert!(
        used.contains(&format!("Bearer {TOKEN}")) || used.contains(&format!("Bearer {rotated}")),
        "{used:?}"
    );
}
