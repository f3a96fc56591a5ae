//! What the metrics tests share: an in-process server whose `/metrics` listener is on a real
//! port, a client that answers confirmations from a script, the scrape, readers of exact
//! series, and `promtool check metrics` where promtool is installed.

use std::collections::VecDeque;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use intercom_mcp::server::IntercomServer;
use rmcp::model::{
    CallToolResult, ClientCapabilities, ClientConfig, ElicitRequestParams, ElicitResult,
    ElicitationAction, Implementation, ProtocolVersion,
};
use rmcp::service::{RequestContext, RunningService};
use rmcp::{ClientHandler, ErrorData, RoleClient, ServiceExt};
use serde_json::{Value, json};

use crate::apps;
use crate::common::{self, RecordingClock, TOKEN};

/// A client that supports form elicitation and MCP Apps views, and answers each question with
/// the next action of its script (accepting means "send").
#[derive(Clone)]
pub(crate) struct Scripted {
    answers: Arc<Mutex<VecDeque<ElicitationAction>>>,
}

impl ClientHandler for Scripted {
    fn get_info(&self) -> ClientConfig {
        let capabilities: ClientCapabilities =
            serde_json::from_value(json!({"elicitation": {"form": {}},
                "extensions": {apps::EXTENSION: {"mimeTypes": [apps::MIME]}}}))
            .unwrap();
        ClientConfig::new(capabilities, Implementation::new("scripted", "1"))
            .with_protocol_version(ProtocolVersion::V_2025_06_18)
    }

    async fn create_elicitation(
        &self,
        _request: ElicitRequestParams,
        _context: RequestContext<RoleClient>,
    ) -> Result<ElicitResult, ErrorData> {
        let action = self.answers.lock().unwrap().pop_front().unwrap();
        let result = ElicitResult::new(action.clone());
        Ok(match action {
            ElicitationAction::Accept => result.with_content(json!({"send": true})),
            _ => result,
        })
    }
}

/// One in-process server over a duplex pipe, its metrics served on a free loopback port.
pub(crate) struct Served {
    pub(crate) client: RunningService<RoleClient, Scripted>,
    metrics_url: String,
}

pub(crate) async fn serve(
    vars: &[(&str, &str)],
    base_url: &str,
    clock: Arc<RecordingClock>,
    answers: &[ElicitationAction],
) -> Served {
    let mut all = vec![("accessToken", TOKEN)];
    all.extend_from_slice(vars);
    let config = common::config(&all, base_url);
    let server = IntercomServer::with_clock(&config, clock).unwrap();
    let address = "127.0.0.1:0".parse().unwrap();
    let bound = intercom_mcp::metrics::listen(address, server.metrics().clone())
        .await
        .unwrap();
    let (server_io, client_io) = tokio::io::duplex(1 << 20);
    tokio::spawn(async move {
        if let Ok(running) = server.serve(server_io).await {
            let _ = running.waiting().await;
        }
    });
    let handler = Scripted {
        answers: Arc::new(Mutex::new(answers.iter().cloned().collect())),
    };
    Served {
        client: handler.serve(client_io).await.unwrap(),
        metrics_url: format!("http://{bound}/metrics"),
    }
}

impl Served {
    pub(crate) async fn call(&self, tool: &str, args: Value) -> CallToolResult {
        common::call_tool(&self.client, tool, args).await
    }

    pub(crate) async fn scrape(&self) -> String {
        scrape(&self.metrics_url).await
    }
}

pub(crate) async fn scrape(url: &str) -> String {
    let _ = rustls::crypto::ring::default_provider().install_default();
    for _ in 0..100 {
        if let Ok(response) = reqwest::get(url).await {
            assert_eq!(response.status(), 200);
            return response.text().await.unwrap();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("nothing answered at {url}");
}

/// The value of the series written exactly `series` (name and labels), or 0 when absent.
pub(crate) fn value(text: &str, series: &str) -> u64 {
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
        .map_or(0, |value| value.trim().parse().unwrap())
}

/// The sum of every series of the counter `name` whose labels contain `having`.
pub(crate) fn sum(text: &str, name: &str, having: &str) -> u64 {
    text.lines()
        .filter(|line| line.starts_with(&format!("{name}{{")) && line.contains(having))
        .map(|line| line.rsplit(' ').next().unwrap().parse::<u64>().unwrap())
        .sum()
}

pub(crate) fn operation(method: &str, tool: &str, error_type: &str, part: &str) -> String {
    format!(
        "mcp_server_operation_duration_seconds_{part}{{mcp_method_name=\"{method}\",gen_ai_tool_name=\"{tool}\",error_type=\"{error_type}\"}}"
    )
}

pub(crate) fn calls(text: &str, tool: &str, error_type: &str) -> u64 {
    value(text, &operation("tools/call", tool, error_type, "count"))
}

pub(crate) fn requests(text: &str, operation: &str, status: &str) -> u64 {
    value(
        text,
        &format!("intercom_requests_total{{operation=\"{operation}\",status=\"{status}\"}}"),
    )
}

/// `promtool check metrics` accepts `text`; skipped (with a line saying so) where promtool
/// is not installed. CI installs it (`.ci/run`).
pub(crate) fn promtool_accepts(text: &str) {
    use std::io::Write;
    let Ok(mut child) = std::process::Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    else {
        eprintln!("promtool not found: the exposition was not checked by it");
        return;
    };
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "promtool: {}{}\n{text}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}
