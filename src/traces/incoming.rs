//! The span of one MCP request (kind server), after OpenTelemetry's MCP conventions
//! (semantic-conventions-genai, docs/gen-ai/mcp.md): named `{mcp.method.name} {target}`, its
//! parent the W3C trace context of the request's `_meta` (MCP 2026-07-28, SEP-414), else of
//! the HTTP request's `traceparent` header (then only linked when both are given).

use std::borrow::Cow;
use std::future::Future;

use opentelemetry::propagation::{Extractor, TextMapPropagator};
use opentelemetry::trace::{FutureExt as _, Link, SpanKind, Status, TraceContextExt, Tracer as _};
use opentelemetry::{Context, KeyValue};
use opentelemetry_sdk::propagation::TraceContextPropagator;
use rmcp::RoleServer;
use rmcp::model::ErrorData;
use rmcp::service::RequestContext;

/// `error.type` of a tool call answered with `isError: true`, as the conventions name it.
pub const TOOL_ERROR: &str = "tool_error";

/// One MCP request about to be served: its parent context and, when spans are recorded, its
/// span. Cheap when nothing is recorded and no trace context was given: then it is nothing.
pub struct Incoming {
    context: Option<Context>,
}

impl Incoming {
    /// The request `context` carries, for `method` (`tools/call`, …) aimed at `target` (a
    /// tool's name, when the server has that tool; never a name a client invented, which would
    /// make the span names unbounded).
    pub fn new(
        context: &RequestContext<RoleServer>,
        method: &'static str,
        target: Option<&str>,
    ) -> Self {
        let parts = context.extensions.get::<http::request::Parts>();
        let header = |name: &str| parts.and_then(|parts| parts.headers.get(name)?.to_str().ok());
        let from_meta = context
            .meta
            .0
            .get_traceparent()
            .map(|traceparent| remote(traceparent, context.meta.0.get_tracestate()));
        let from_http =
            header("traceparent").map(|traceparent| remote(traceparent, header("tracestate")));
        let Some(tracer) = super::tracer() else {
            // Nothing recorded: the given context still names the request's trace (the audit
            // trail's trace id), at the cost of one parse.
            return Self {
                context: from_meta.or(from_http),
            };
        };
        // `_meta` is the MCP request's own parent; the HTTP request's, when it differs, is the
        // transport's, recorded as a link (the conventions' "Context propagation").
        let (parent, link) = match (from_meta, from_http) {
            (Some(meta), http) => (meta, http),
            (None, http) => (http.unwrap_or_default(), None),
        };
        let name = match target {
            Some(target) => format!("{method} {target}"),
            None => method.to_owned(),
        };
        let mut attributes = vec![KeyValue::new("mcp.method.name", method)];
        if let Some(tool) = target.filter(|_| method == "tools/call") {
            attributes.push(KeyValue::new("gen_ai.tool.name", tool.to_owned()));
            attributes.push(KeyValue::new("gen_ai.operation.name", "execute_tool"));
        }
        attributes.push(KeyValue::new("jsonrpc.request.id", context.id.to_string()));
        let revision = context
            .protocol_version()
            .map(|version| version.to_string())
            .or_else(|| header("mcp-protocol-version").map(str::to_owned));
        if let Some(revision) = revision {
            attributes.push(KeyValue::new("mcp.protocol.version", revision));
        }
        match parts {
            None => attributes.push(KeyValue::new("network.transport", "pipe")),
            Some(parts) => {
                attributes.push(KeyValue::new("network.transport", "tcp"));
                attributes.push(KeyValue::new("network.protocol.name", "http"));
                if let Some(version) = http_version(parts.version) {
                    attributes.push(KeyValue::new("network.protocol.version", version));
                }
                if let Some(session) = header("mcp-session-id") {
                    attributes.push(KeyValue::new("mcp.session.id", session_digest(session)));
                }
            }
        }
        let links = link
            .map(|http| http.span().span_context().clone())
            .filter(|linked| linked.is_valid())
            .map(|linked| vec![Link::with_context(linked)])
            .unwrap_or_default();
        let span = tracer
            .span_builder(name)
            .with_kind(SpanKind::Server)
            .with_attributes(attributes)
            .with_links(links)
            .start_with_context(tracer, &parent);
        Self {
            context: Some(parent.with_span(span)),
        }
    }

    /// Serves `work` inside this request's context (so the Intercom requests it makes are the
    /// span's children, and [`super::trace_id`] names its trace), then ends the span with the
    /// `error.type` that `failed` reads from the answer.
    pub async fn serve<T, W>(
        self,
        work: W,
        failed: impl FnOnce(&T) -> Option<Cow<'static, str>>,
    ) -> T
    where
        W: Future<Output = T>,
    {
        let Some(context) = self.context else {
            return work.await;
        };
        let answer = work.with_context(context.clone()).await;
        end(&context, failed(&answer));
        answer
    }

    /// As [`Incoming::serve`], for a request answered without waiting on anything.
    pub fn answered<T>(self, answer: T, failed: impl FnOnce(&T) -> Option<Cow<'static, str>>) -> T {
        if let Some(context) = self.context {
            end(&context, failed(&answer));
        }
        answer
    }
}

/// Ends the span of `context`, when it records one, failed with `error` when there is one.
fn end(context: &Context, error: Option<Cow<'static, str>>) {
    let span = context.span();
    if span.is_recording() {
        if let Some(error) = error {
            span.set_status(Status::error(error.clone()));
            span.set_attribute(KeyValue::new("error.type", error));
        }
        span.end();
    }
}

/// `error.type` of a JSON-RPC error answer: its code, as the conventions ask.
pub fn rpc_error<T>(answer: &Result<T, ErrorData>) -> Option<Cow<'static, str>> {
    answer
        .as_ref()
        .err()
        .map(|error| Cow::Owned(error.code.0.to_string()))
}

/// The context a `traceparent` (and `tracestate`) names, as a remote parent; an unreadable one
/// names none (the request then starts a trace of its own).
pub(super) fn remote(traceparent: &str, tracestate: Option<&str>) -> Context {
    struct Given<'a>(&'a str, Option<&'a str>);
    impl Extractor for Given<'_> {
        fn get(&self, key: &str) -> Option<&str> {
            match key {
                "traceparent" => Some(self.0),
                "tracestate" => self.1,
                _ => None,
            }
        }
        fn keys(&self) -> Vec<&str> {
            vec!["traceparent", "tracestate"]
        }
    }
    TraceContextPropagator::new().extract(&Given(traceparent, tracestate))
}

fn http_version(version: http::Version) -> Option<&'static str> {
    match version {
        http::Version::HTTP_10 => Some("1.0"),
        http::Version::HTTP_11 => Some("1.1"),
        http::Version::HTTP_2 => Some("2"),
        _ => None,
    }
}

/// A 2025 HTTP client's `Mcp-Session-Id` is a sealed blob of its capabilities (src/http/
/// session.rs), hundreds of characters long: the span carries a short digest of it, which
/// names the session as well and is all a trace needs.
fn session_digest(session: &str) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, session.as_bytes());
    digest
        .as_ref()
        .iter()
        .take(8)
        .map(|byte| format!("{byte:02x}"))
        .collect()
}
