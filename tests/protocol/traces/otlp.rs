//! The trace test's OTLP/HTTP receiver on loopback, and readers of what it got: the spans of
//! each `ExportTraceServiceRequest` (opentelemetry-proto's messages, decoded with prost) and
//! their attributes.

use std::sync::{Arc, Mutex};

use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::any_value::Value as Any;
use opentelemetry_proto::tonic::trace::v1::Span;
use prost::Message;

/// One request to the receiver: its path, content type and body.
pub type Export = (String, String, Vec<u8>);

/// What the receiver got.
#[derive(Clone, Default)]
pub struct Received(Arc<Mutex<Vec<Export>>>);

impl Received {
    pub fn count(&self) -> usize {
        self.0.lock().unwrap().len()
    }

    /// Every span of every export, and the resource's `service.name`s.
    pub fn spans(&self) -> (Vec<Span>, Vec<String>) {
        let (mut spans, mut services) = (Vec::new(), Vec::new());
        for (path, kind, body) in self.0.lock().unwrap().iter() {
            assert_eq!(path, "/v1/traces");
            assert_eq!(kind, "application/x-protobuf");
            let export = ExportTraceServiceRequest::decode(body.as_slice()).unwrap();
            for resource in export.resource_spans {
                let attributes = resource.resource.map(|r| r.attributes).unwrap_or_default();
                services.extend(
                    attributes
                        .iter()
                        .filter(|kv| kv.key == "service.name")
                        .map(|kv| string(kv.value.as_ref().and_then(|v| v.value.as_ref()))),
                );
                for scope in resource.scope_spans {
                    spans.extend(scope.spans);
                }
            }
        }
        (spans, services)
    }

    /// Every byte exported, as text (for what must never be in it).
    pub fn raw(&self) -> String {
        let bodies = self.0.lock().unwrap();
        bodies
            .iter()
            .map(|(_, _, body)| String::from_utf8_lossy(body).into_owned())
            .collect()
    }
}

/// An OTLP/HTTP receiver on loopback: every request recorded and answered 200.
pub async fn receiver() -> (String, Received) {
    receiver_at("127.0.0.1:0").await
}

/// A receiver at `address`, or on any port when that one is taken.
pub async fn receiver_at(address: &str) -> (String, Received) {
    let received = Received::default();
    let record = received.clone();
    let app = axum::Router::new().fallback(move |request: axum::extract::Request| {
        let record = record.clone();
        async move {
            let path = request.uri().path().to_owned();
            let kind = request
                .headers()
                .get("content-type")
                .and_then(|value| value.to_str().ok())
                .unwrap_or_default()
                .to_owned();
            let body = axum::body::to_bytes(request.into_body(), 1 << 24)
                .await
                .unwrap();
            record.0.lock().unwrap().push((path, kind, body.to_vec()));
            ""
        }
    });
    let listener = match tokio::net::TcpListener::bind(address).await {
        Ok(listener) => listener,
        Err(_) => tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap(),
    };
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, received)
}

fn string(value: Option<&Any>) -> String {
    match value {
        Some(Any::StringValue(text)) => text.clone(),
        Some(Any::IntValue(number)) => number.to_string(),
        other => panic!("not a string or integer: {other:?}"),
    }
}

pub fn attribute(span: &Span, key: &str) -> Option<String> {
    span.attributes
        .iter()
        .find(|kv| kv.key == key)
        .map(|kv| string(kv.value.as_ref().and_then(|value| value.value.as_ref())))
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

pub fn named<'a>(spans: &'a [Span], name: &str) -> Vec<&'a Span> {
    spans.iter().filter(|span| span.name == name).collect()
}
