//! The command-line tools: `doctor` (which region a token belongs to), `call` (one tool, the
//! same path as MCP), `tools` (the list), the README's tool table kept true to it, and what
//! `--help` says of the sandbox.

use intercom_mcp::config::Region;
use intercom_mcp::doctor;
use serde_json::{Value, json};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common;
use crate::common::binary;

const TOKEN: &str = "tok_doctor_0a1b2c3d";

/// A region's mock API: it knows the admin only when `accepts` is true; 401 otherwise.
async fn region(accepts: bool) -> MockServer {
    let server = MockServer::start().await;
    let (status, body) = if accepts {
        (
            200,
            json!({"type": "admin", "id": "991", "name": "Grace Hopper", "email": "grace@support.example",
            "app": {"type": "app", "name": "Analytical Engines", "region": "Europe"}}),
        )
    } else {
        (
            401,
            json!({"type": "error.list", "errors": [{"code": "unauthorized", "message": "Access Token Invalid"}]}),
        )
    };
    Mock::given(method("GET"))
        .and(path("/me"))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .respond_with(ResponseTemplate::new(status).set_body_json(body))
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn doctor_names_the_region_that_accepts_the_token() {
    let (us, eu, au) = (region(false).await, region(true).await, region(false).await);
    let regions = vec![
        (Region::Us, us.uri()),
        (Region::Eu, eu.uri()),
        (Region::Au, au.uri()),
    ];
    let config = common::config(&[("accessToken", TOKEN)], &us.uri());
    let report = doctor::run(&config, &regions, "/usr/local/bin/intercom-mcp").await;
    let text = report.lines.join("\n");
    assert!(
        !report.ok,
        "a token in the wrong region is a problem to fix"
    );
    assert!(text.contains("refused the token (401)"), "{text}");
    assert!(
        text.contains("belongs to region eu: set intercomRegion=eu"),
        "{text}"
    );
    assert!(
        text.contains("Grace Hopper") && text.contains("Analytical Engines"),
        "{text}"
    );
    assert!(
        text.contains("\"intercomRegion\": \"eu\""),
        "a ready config snippet: {text}"
    );
    assert!(!text.contains(TOKEN), "the token is never printed");
}

#[tokio::test]
async fn doctor_passes_when_the_token_works() {
    let eu = region(true).await;
    let config = common::config(&[("accessToken", TOKEN)], &eu.uri());
    let report = doctor::run(&config, &[(Region::Eu, eu.uri())], "intercom-mcp").await;
    let text = report.lines.join("\n");
    assert!(report.ok, "{text}");
    assert!(
        text.contains("✓ the token works") && text.contains("mcpServers"),
        "{text}"
    );
    assert!(!text.contains(TOKEN));
}

#[tokio::test]
async fn doctor_fails_without_a_token_or_when_no_region_accepts_it() {
    let us = region(false).await;
    let report = doctor::run(&common::config(&[], &us.uri()), &[], "x").await;
    assert!(!report.ok && report.lines.join("\n").contains("no access token"));
    let report = doctor::run(
        &common::config(&[("accessToken", TOKEN)], &us.uri()),
        &[(Region::Us, us.uri())],
        "x",
    )
    .await;
    assert!(
        !report.ok
            && report
                .lines
                .join("\n")
                .contains("no region accepts the token")
    );
}

#[tokio::test]
async fn call_runs_one_tool_and_prints_what_the_model_would_read() {
    let intercom = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/contacts/c1"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"type": "contact", "id": "c1", "name": null})),
        )
        .mount(&intercom)
        .await;
    let uri = intercom.uri();
    let output = binary(
        &["call", "intercomGetContact", r#"{"contact_id": "c1"}"#],
        &[("accessToken", TOKEN), ("INTERCOM_BASE_URL", &uri)],
    );
    assert!(output.status.success(), "{output:?}");
    assert_eq!(
        String::from_utf8(output.stdout).unwrap().trim(),
        r#"{"id":"c1"}"#
    );
    let output = binary(&["call", "intercomGetContact", "[1]"], &[]);
    assert_eq!(output.status.code(), Some(2));
    let output = binary(
        &["call", "intercomGetContact", r#"{"contact_id": ".."}"#],
        &[("accessToken", TOKEN), ("INTERCOM_BASE_URL", &uri)],
    );
    assert_eq!(output.status.code(), Some(1), "an error result");
    assert!(
        String::from_utf8(output.stdout)
            .unwrap()
            .contains("Invalid arguments")
    );
}

#[test]
fn tools_prints_the_list_as_json_or_a_table() {
    let output = binary(&["tools", "--json"], &[]);
    let rows: Vec<Value> = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(rows.len(), 16);
    assert!(
        rows.iter()
            .all(|row| row["schema_bytes"].as_u64().unwrap() > 50)
    );
    let output = binary(&["tools", "--read-only"], &[]);
    let table = String::from_utf8(output.stdout).unwrap();
    assert_eq!(
        table.lines().count(),
        10,
        "a header and the 9 reads: {table}"
    );
}

#[test]
fn the_readme_tool_table_matches_the_tools() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let documented: Vec<(String, String)> = readme
        .lines()
        .filter(|line| line.starts_with("| `intercom"))
        .map(|line| line.split('|').map(str::trim).collect::<Vec<&str>>())
        .filter(|cells| cells.len() == 6 && !cells[1].contains(' '))
        .map(|cells| (cells[1].trim_matches('`').to_owned(), cells[4].to_owned()))
        .collect();
    let output = binary(&["tools", "--json"], &[]);
    let rows: Vec<Value> = serde_json::from_slice(&output.stdout).unwrap();
    let actual: Vec<(String, String)> = rows
        .iter()
        .map(|row| {
            (
                row["name"].as_str().unwrap().to_owned(),
                row["permission"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        documented, actual,
        "README.md's tool table (name, permission) against `intercom-mcp tools`"
    );
}

/// The help says how the sandbox is shared: over HTTP one process's clients share one
/// workspace, kept as long as the process runs.
#[test]
fn help_says_how_the_sandbox_is_shared() {
    let output = binary(&["--help"], &[]);
    assert!(output.status.success());
    let help = String::from_utf8(output.stdout).unwrap();
    assert!(
        help.contains(
            "an embedded sample workspace that keeps writes for as long as the process runs. \
             Over HTTP every client sends `Bearer sandbox` and all of them share that one workspace"
        ),
        "{help}"
    );
    assert!(!help.contains("stateful for the session"), "{help}");
}
