//! Traces: one span per MCP request (`incoming.rs`) and one per Intercom request, its child
//! (`outgoing.rs`), named and attributed after OpenTelemetry's MCP and HTTP conventions, and
//! exported over OTLP/HTTP only when `OTEL_EXPORTER_OTLP_ENDPOINT` is set (`export.rs`).
//! Unset, no span is made and a request costs a look at its `_meta` and headers.

mod export;
mod incoming;
mod outgoing;

use std::sync::OnceLock;

use opentelemetry::Context;
use opentelemetry::trace::TraceContextExt as _;
use opentelemetry_sdk::trace::SdkTracer;

pub use export::{Exporting, SERVICE_NAME, start};
pub use incoming::{Incoming, TOOL_ERROR, rpc_error};
pub use outgoing::Outgoing;

/// The tracer spans are made with, once exporting has started; never set otherwise.
static TRACER: OnceLock<SdkTracer> = OnceLock::new();

fn tracer() -> Option<&'static SdkTracer> {
    TRACER.get()
}

fn install(tracer: SdkTracer) {
    // A second start (none happens) keeps the first tracer.
    let _first = TRACER.set(tracer);
}

/// The trace id (32 lowercase hex digits) of the MCP request being served: the one its
/// `_meta` or `traceparent` header gave, else the one its span started. `None` outside a
/// request, or when nothing is recorded and the request gave none.
pub fn trace_id() -> Option<String> {
    let context = Context::current();
    let span = context.span();
    let span = span.span_context();
    span.is_valid().then(|| span.trace_id().to_string())
}

#[cfg(test)]
mod tests {
    use opentelemetry::trace::FutureExt as _;

    use super::*;

    #[tokio::test]
    async fn the_trace_id_is_the_given_one_inside_a_request_and_none_outside() {
        let given = incoming::remote(
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            None,
        );
        let inside = async { trace_id() }.with_context(given).await;
        assert_eq!(inside.as_deref(), Some("4bf92f3577b34da6a3ce929d0e0e4736"));
        assert_eq!(trace_id(), None);
        // An unreadable traceparent names no trace.
        let unreadable = incoming::remote("00-not-a-trace-01", None);
        assert_eq!(async { trace_id() }.with_context(unreadable).await, None);
    }

    #[tokio::test]
    async fn nothing_is_exported_without_an_endpoint() {
        let runtime = tokio::runtime::Handle::current();
        let env = |vars: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                vars.iter()
                    .find(|(key, _)| *key == name)
                    .map(|(_, value)| (*value).to_owned())
            }
        };
        assert!(!start(env(&[]), &runtime).unwrap().is_on());
        assert!(
            !start(env(&[("OTEL_EXPORTER_OTLP_ENDPOINT", " ")]), &runtime)
                .unwrap()
                .is_on()
        );
        assert!(
            !start(env(&[("OTEL_SERVICE_NAME", "x")]), &runtime)
                .unwrap()
                .is_on()
        );
        const DISABLED: &[(&str, &str)] = &[
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318"),
            ("OTEL_SDK_DISABLED", "true"),
        ];
        assert!(!start(env(DISABLED), &runtime).unwrap().is_on());
        const NONE: &[(&str, &str)] = &[
            (
                "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
                "http://127.0.0.1:4318/v1/traces",
            ),
            ("OTEL_TRACES_EXPORTER", "none"),
        ];
        assert!(!start(env(NONE), &runtime).unwrap().is_on());
        assert!(tracer().is_none());
    }
}
