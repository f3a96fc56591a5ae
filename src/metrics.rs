//! Prometheus metrics: the registry the server records into, and the small listener that
//! serves it at `/metrics` (`--metrics ADDR`), apart from the MCP transport so stdout stays
//! JSON-RPC only. Names and labels follow OpenTelemetry's MCP semantic conventions,
//! <https://github.com/open-telemetry/semantic-conventions-genai/blob/main/docs/gen-ai/mcp.md>
//! (metric `mcp.server.operation.duration`; attributes `mcp.method.name`, `gen_ai.tool.name`,
//! `error.type`), written the Prometheus way: dots become underscores, the unit a suffix.

mod intercom;

use std::borrow::Cow;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::http::header;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

pub use intercom::{Retry, Wait};

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
/// `error_type` is empty for an operation that did not fail, and `gen_ai_tool_name` for a
/// method that calls no tool. Borrowed where it can be: recording a call allocates nothing.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Operation {
    mcp_method_name: &'static str,
    gen_ai_tool_name: &'static str,
    error_type: Cow<'static, str>,
}

/// Why an HTTP request was refused before the MCP handler saw it. The HTTP layer marks its
/// refusal's response with one (an extension), and [`Metrics::count_refusal`] counts it.
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq)]
pub enum Refusal {
    /// The Host header is not allowed.
    Host,
    /// The Origin header is not allowed.
    Origin,
    /// No bearer token, a malformed one, or one that is not valid here.
    Authentication,
    /// An `Mcp-Session-Id` that does not open here.
    Session,
}

impl Refusal {
    fn label(self) -> &'static str {
        match self {
            Self::Host => "host",
            Self::Origin => "origin",
            Self::Authentication => "authentication",
            Self::Session => "session",
        }
    }
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Refused {
    reason: &'static str,
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
    intercom: intercom::Families,
    refused: Family<Refused, Counter>,
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
        let intercom = intercom::Families::register(&mut registry);
        let refused = Family::<Refused, Counter>::default();
        registry.register(
            "intercom_mcp_refused_requests",
            "HTTP requests refused before the MCP handler, by reason (host, origin, authentication, session)",
            refused.clone(),
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
                intercom,
                refused,
                writes,
            }),
        }
    }
}

impl Metrics {
    /// Records one answered request. `method` and `tool` are already bounded by the caller
    /// (ours, or [`OTHER`]; `tool` empty for a method that calls none); `error_type` is empty
    /// when the request did not fail.
    pub fn operation(
        &self,
        method: &'static str,
        tool: &'static str,
        error_type: impl Into<Cow<'static, str>>,
        took: Duration,
    ) {
        let labels = Operation {
            mcp_method_name: method,
            gen_ai_tool_name: tool,
            error_type: error_type.into(),
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

    /// An HTTP request refused before the MCP handler.
    pub fn refused(&self, why: Refusal) {
        let labels = Refused {
            reason: why.label(),
        };
        self.inner.refused.get_or_create(&labels).inc();
    }

    /// Counts `response` when the HTTP layer marked it as a refusal ([`Refusal`]).
    pub fn count_refusal<B>(&self, response: &http::Response<B>) {
        if let Some(why) = response.extensions().get::<Refusal>() {
            self.refused(*why);
        }
    }

    /// The registry in Prometheus's text format (0.0.4). Not OpenMetrics text: there a
    /// counter's HELP and TYPE name the family without `_total`, and promtool 2.42 (Debian
    /// bookworm's, which CI runs) reads such a counter as having no help text, and fails it.
    pub fn render(&self) -> String {
        let mut text = String::new();
        // Writing into a String cannot fail.
        let _ =
            prometheus_client::encoding::prometheus_text::encode(&mut text, &self.inner.registry);
        text
    }
}

/// The content type of what [`Metrics::render`] writes.
const CONTENT_TYPE: &str = prometheus_client::encoding::prometheus_text::CONTENT_TYPE;

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
            "mcp_server_operation_duration_seconds_bucket{mcp_method_name=\"tools/call\",gen_ai_tool_name=\"intercomGetContact\",error_type=\"\",le=\"0.05\"} 1"
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
