//! Prometheus metrics: the registry the server records into, and the small listener that
//! serves it at `/metrics` (`--metrics ADDR`), apart from the MCP transport so stdout stays
//! JSON-RPC only. Names and labels follow OpenTelemetry's MCP semantic conventions,
//! <https://github.com/open-telemetry/semantic-conventions-genai/blob/main/docs/gen-ai/mcp.md>
//! (metric `mcp.server.operation.duration`; attributes `mcp.method.name`, `gen_ai.tool.name`,
//! `error.type`), written the Prometheus way: dots become underscores, the unit a suffix.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::http::header;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

/// The label value for a tool or method name that is not ours: a client can invent any name,
/// and each would otherwise become a series of its own.
pub const OTHER: &str = "_OTHER";

/// `error.type` for a tool call answered with `isError: true` (the conventions' value).
pub const TOOL_ERROR: &str = "tool_error";

/// The conventions' advised bucket boundaries for `mcp.server.operation.duration`, in seconds.
const BUCKETS: [f64; 14] = [
    0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0,
];

/// One operation's labels. An empty value is how Prometheus spells an absent label, so
/// `error_type` is empty for an operation that did not fail.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Operation {
    mcp_method_name: String,
    gen_ai_tool_name: String,
    error_type: String,
}

type Durations = Family<Operation, Histogram, fn() -> Histogram>;

/// One write attempt's labels: the tool (one of ours) and its outcome, as the audit trail
/// names it (`crate::audit::Outcome`): sent, refused, declined, invalid, unknown, dry_run,
/// withheld.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Write {
    gen_ai_tool_name: String,
    outcome: String,
}

fn histogram() -> Histogram {
    Histogram::new(BUCKETS)
}

/// The server's metrics; cloning is cheap and every clone records into the same registry.
#[derive(Clone)]
pub struct Metrics {
    inner: Arc<Inner>,
}

struct Inner {
    registry: Registry,
    durations: Durations,
    writes: Family<Write, Counter>,
}

impl Default for Metrics {
    fn default() -> Self {
        let durations = Durations::new_with_constructor(histogram);
        let mut registry = Registry::default();
        registry.register(
            "mcp_server_operation_duration_seconds",
            "How long the server took to answer an MCP request, by method, tool and error type",
            durations.clone(),
        );
        let writes = Family::<Write, Counter>::default();
        registry.register(
            "intercom_writes",
            "Write attempts by tool and outcome (sent, refused, declined, invalid, unknown, dry_run, withheld)",
            writes.clone(),
        );
        Self {
            inner: Arc::new(Inner {
                registry,
                durations,
                writes,
            }),
        }
    }
}

impl Metrics {
    /// Records one answered request. `tool` is already bounded by the caller (one of ours, or
    /// [`OTHER`]); `error_type` is empty when the request did not fail.
    pub fn operation(&self, method: &str, tool: &str, error_type: &str, took: Duration) {
        let labels = Operation {
            mcp_method_name: method.to_owned(),
            gen_ai_tool_name: tool.to_owned(),
            error_type: error_type.to_owned(),
        };
        (self.inner.durations)
            .get_or_create(&labels)
            .observe(took.as_secs_f64());
    }

    /// Counts one write attempt of `tool` (one of ours) by its `outcome` (a fixed name).
    pub fn write(&self, tool: &str, outcome: &str) {
        let labels = Write {
            gen_ai_tool_name: tool.to_owned(),
            outcome: outcome.to_owned(),
        };
        self.inner.writes.get_or_create(&labels).inc();
    }

    /// The registry in the text exposition format.
    pub fn render(&self) -> String {
        let mut text = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut text, &self.inner.registry);
        text
    }
}

/// The content type of what [`Metrics::render`] writes (OpenMetrics text, which Prometheus
/// scrapes natively).
const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// Serves `metrics` at `http://ADDR/metrics` on a task of its own; answers the address bound
/// (port 0 picks a free one).
pub async fn listen(address: SocketAddr, metrics: Metrics) -> std::io::Result<SocketAddr> {
    let listener = tokio::net::TcpListener::bind(address).await?;
    let bound = listener.local_addr()?;
    let router = axum::Router::new().route(
        "/metrics",
        axum::routing::get(move || {
            let text = metrics.render();
            async move { ([(header::CONTENT_TYPE, CONTENT_TYPE)], text) }
        }),
    );
    tokio::spawn(async move {
        if let Err(err) = axum::serve(listener, router).await {
            tracing::error!("the metrics listener stopped: {err}");
        }
    });
    Ok(bound)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn an_operation_is_one_observation_under_its_labels() {
        let metrics = Metrics::default();
        metrics.operation(
            "tools/call",
            "intercomGetContact",
            "",
            Duration::from_millis(30),
        );
        let text = metrics.render();
        assert!(text.contains(
            "mcp_server_operation_duration_seconds_count{mcp_method_name=\"tools/call\",gen_ai_tool_name=\"intercomGetContact\",error_type=\"\"} 1"
        ), "{text}");
        assert!(text.contains(
            "mcp_server_operation_duration_seconds_bucket{le=\"0.05\",mcp_method_name=\"tools/call\",gen_ai_tool_name=\"intercomGetContact\",error_type=\"\"} 1"
        ), "{text}");
    }

    #[test]
    fn a_write_is_counted_by_tool_and_outcome() {
        let metrics = Metrics::default();
        metrics.write("intercomAddNote", "sent");
        metrics.write("intercomAddNote", "sent");
        metrics.write("intercomAddNote", "refused");
        let text = metrics.render();
        // The family's name with or without `_total`, as the text format in use writes it.
        assert!(
            text.lines().any(
                |line| line.starts_with("# TYPE intercom_writes") && line.ends_with(" counter")
            ),
            "{text}"
        );
        assert!(
            text.contains(
                "intercom_writes_total{gen_ai_tool_name=\"intercomAddNote\",outcome=\"sent\"} 2"
            ),
            "{text}"
        );
        assert!(
            text.contains(
                "intercom_writes_total{gen_ai_tool_name=\"intercomAddNote\",outcome=\"refused\"} 1"
            ),
            "{text}"
        );
    }
}
