//! The span of one Intercom request (kind client), a child of the MCP request's span, after
//! OpenTelemetry's HTTP client conventions (docs/http/http-spans.md): named
//! `{http.request.method} {url.template}`. The path's template, never the path itself: ids in
//! a path are customers'. No header, query or body is recorded, so no token either.

use opentelemetry::trace::{Span as _, SpanKind, Status, Tracer as _};
use opentelemetry::{Context, KeyValue};
use opentelemetry_sdk::trace::Span;

/// An Intercom request on its way: its span, while spans are recorded.
pub struct Outgoing {
    span: Option<Span>,
}

impl Outgoing {
    /// The span of `request`, sent for the operation `operation` (Intercom's operationId) whose
    /// path template is `template`; nothing when spans are not recorded.
    pub fn start(
        operation: &'static str,
        template: &'static str,
        request: &reqwest::Request,
    ) -> Self {
        let Some(tracer) = super::tracer() else {
            return Self { span: None };
        };
        let method = request.method().as_str().to_owned();
        let url = request.url();
        let mut attributes = vec![
            KeyValue::new("http.request.method", method.clone()),
            KeyValue::new("url.template", template),
            KeyValue::new("intercom.operation", operation),
        ];
        if let Some(host) = url.host_str() {
            attributes.push(KeyValue::new("server.address", host.to_owned()));
        }
        if let Some(port) = url.port_or_known_default() {
            attributes.push(KeyValue::new("server.port", i64::from(port)));
        }
        let span = tracer
            .span_builder(format!("{method} {template}"))
            .with_kind(SpanKind::Client)
            .with_attributes(attributes)
            .start_with_context(tracer, &Context::current());
        Self { span: Some(span) }
    }

    /// Ends the span with the answer's status, or the class of failure when there was none.
    pub fn end(self, result: &reqwest::Result<reqwest::Response>) {
        let Some(mut span) = self.span else {
            return;
        };
        match result {
            Ok(response) => {
                let status = response.status().as_u16();
                span.set_attribute(KeyValue::new(
                    "http.response.status_code",
                    i64::from(status),
                ));
                // 4xx and 5xx are errors of a client span (the conventions' status rule).
                if status >= 400 {
                    span.set_attribute(KeyValue::new("error.type", status.to_string()));
                    span.set_status(Status::error(""));
                }
            }
            Err(err) => {
                span.set_attribute(KeyValue::new("error.type", failure(err)));
                span.set_status(Status::error(""));
            }
        }
        span.end();
    }
}

/// A low-cardinality name for a request that got no answer. Never the error's text: it may
/// hold the URL, and with it a customer's id.
fn failure(err: &reqwest::Error) -> &'static str {
    if err.is_timeout() {
        "timeout"
    } else if err.is_connect() {
        "connect"
    } else if err.is_body() || err.is_decode() {
        "body"
    } else if err.is_request() {
        "request"
    } else {
        "_OTHER"
    }
}
