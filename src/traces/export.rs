//! Where spans go: an OTLP/HTTP (protobuf) exporter built from the standard `OTEL_*`
//! variables when `OTEL_EXPORTER_OTLP_ENDPOINT` (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) is
//! set, sending through a reqwest 0.13 client of ours on the server's runtime; and the flush
//! at shutdown.

use std::time::Duration;

use opentelemetry_http::{Bytes, HttpClient, HttpError, Request, Response};
use opentelemetry_otlp::{Protocol, WithExportConfig, WithHttpConfig};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::trace::SdkTracerProvider;

/// The service name when neither `OTEL_SERVICE_NAME` nor `OTEL_RESOURCE_ATTRIBUTES` gives one.
pub const SERVICE_NAME: &str = "intercom-mcp";

/// How long one export may take when `OTEL_EXPORTER_OTLP_TIMEOUT` does not say (its default).
const EXPORT_TIMEOUT: Duration = Duration::from_secs(10);

/// How long the flush at shutdown may take before the process ends anyway.
const FLUSH_TIMEOUT: Duration = Duration::from_secs(5);

/// The exporter, while spans are exported: [`Exporting::flush`] sends what is pending.
pub struct Exporting {
    provider: Option<SdkTracerProvider>,
}

impl Exporting {
    /// Whether spans are recorded and exported at all.
    pub fn is_on(&self) -> bool {
        self.provider.is_some()
    }

    /// Sends the spans still pending and stops the exporter. The SDK's shutdown blocks until
    /// the batch is sent, and the send itself runs on this runtime: so it blocks another
    /// thread while this one keeps the runtime going.
    pub async fn flush(self) {
        let Some(provider) = self.provider else {
            return;
        };
        let flushed =
            tokio::task::spawn_blocking(move || provider.shutdown_with_timeout(FLUSH_TIMEOUT))
                .await;
        match flushed {
            Ok(Ok(())) => tracing::debug!("traces flushed"),
            Ok(Err(err)) => tracing::warn!(error = %err, "traces: the last spans were not sent"),
            Err(err) => tracing::warn!(error = %err, "traces: the flush did not finish"),
        }
    }
}

/// Starts exporting when `env` names an OTLP endpoint, sending on `runtime`; otherwise records
/// nothing. `Err`: the variables are set but unusable.
pub fn start(
    env: impl Fn(&str) -> Option<String>,
    runtime: &tokio::runtime::Handle,
) -> Result<Exporting, String> {
    let set = |name: &str| env(name).is_some_and(|value| !value.trim().is_empty());
    let off = env("OTEL_SDK_DISABLED").is_some_and(|value| value.trim() == "true")
        || env("OTEL_TRACES_EXPORTER").is_some_and(|value| value.trim() == "none");
    if off || !(set("OTEL_EXPORTER_OTLP_ENDPOINT") || set("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")) {
        return Ok(Exporting { provider: None });
    }
    // reqwest is built without a default TLS provider (as for Intercom's client).
    let _already_installed = rustls::crypto::ring::default_provider().install_default();
    // Milliseconds, as the specification has them; the client enforces it, not the exporter.
    let timeout = [
        "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT",
        "OTEL_EXPORTER_OTLP_TIMEOUT",
    ]
    .into_iter()
    .find_map(|name| env(name)?.trim().parse().ok())
    .map_or(EXPORT_TIMEOUT, Duration::from_millis);
    let client = reqwest::Client::builder()
        .timeout(timeout)
        .build()
        .map_err(|err| format!("traces: cannot build the OTLP client: {err}"))?;
    // The endpoint and headers (OTEL_EXPORTER_OTLP_HEADERS) come from the standard variables,
    // read by the exporter; the protocol is protobuf whatever they say, the only
    // one this build has.
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_protocol(Protocol::HttpBinary)
        .with_http_client(Sender {
            client,
            runtime: runtime.clone(),
        })
        .build()
        .map_err(|err| format!("traces: {err}"))?;
    // The batch's size and delay come from OTEL_BSP_*, the sampler from OTEL_TRACES_SAMPLER.
    let provider = SdkTracerProvider::builder()
        .with_batch_exporter(exporter)
        .with_resource(resource(&env))
        .build();
    super::install(opentelemetry::trace::TracerProvider::tracer_with_scope(
        &provider,
        opentelemetry::InstrumentationScope::builder(SERVICE_NAME)
            .with_version(env!("CARGO_PKG_VERSION"))
            .build(),
    ));
    tracing::info!("exporting traces over OTLP/HTTP (protobuf)");
    Ok(Exporting {
        provider: Some(provider),
    })
}

/// The resource: `OTEL_SERVICE_NAME` and `OTEL_RESOURCE_ATTRIBUTES` as the SDK reads them,
/// with our name where they give none, and our version.
fn resource(env: &impl Fn(&str) -> Option<String>) -> Resource {
    let named = env("OTEL_SERVICE_NAME").is_some()
        || env("OTEL_RESOURCE_ATTRIBUTES").is_some_and(|value| value.contains("service.name="));
    let builder = Resource::builder().with_attribute(opentelemetry::KeyValue::new(
        "service.version",
        env!("CARGO_PKG_VERSION"),
    ));
    if named {
        builder.build()
    } else {
        builder.with_service_name(SERVICE_NAME).build()
    }
}

/// The exporter's HTTP client: our reqwest 0.13, not the reqwest 0.12 opentelemetry-otlp's
/// own features would add. The SDK exports from a thread of its own with a plain executor, so
/// the request runs as a task on the server's runtime, and the export waits for its answer.
#[derive(Debug)]
struct Sender {
    client: reqwest::Client,
    runtime: tokio::runtime::Handle,
}

#[async_trait::async_trait]
impl HttpClient for Sender {
    async fn send_bytes(&self, request: Request<Bytes>) -> Result<Response<Bytes>, HttpError> {
        let client = self.client.clone();
        let sent = self.runtime.spawn(async move {
            let request = reqwest::Request::try_from(request)?;
            let response = client.execute(request).await?;
            let mut answer = Response::builder().status(response.status());
            if let Some(headers) = answer.headers_mut() {
                *headers = response.headers().clone();
            }
            let body = response.bytes().await?;
            Ok::<_, HttpError>(answer.body(body)?)
        });
        let response = sent.await??;
        if !response.status().is_success() {
            tracing::warn!(
                status = response.status().as_u16(),
                "traces: the OTLP endpoint refused an export"
            );
        }
        Ok(response)
    }
}
