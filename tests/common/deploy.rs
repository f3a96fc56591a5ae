//! A deployment of the Streamable HTTP server on a loopback port, in front of a mock Intercom:
//! what the HTTP tests start from.

use std::net::SocketAddr;
use std::sync::Arc;

use intercom_mcp::http;
use intercom_mcp::server::IntercomServer;
use rmcp::service::RunningService;
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::{RoleClient, ServiceExt};
use serde_json::{Value, json};
use tokio::sync::oneshot;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::RecordingClock;

pub struct Deployment {
    pub address: SocketAddr,
    pub intercom: MockServer,
    pub stop: Option<oneshot::Sender<()>>,
    pub served: tokio::task::JoinHandle<anyhow::Result<()>>,
}

pub async fn deploy(vars: &[(&str, &str)]) -> Deployment {
    let intercom = MockServer::start().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"type": "contact", "id": "x"})),
        )
        .mount(&intercom)
        .await;
    let config = super::config(vars, &intercom.uri());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let env = |name: &str| {
        vars.iter()
            .find(|(key, _)| *key == name)
            .map(|(_, value)| (*value).to_owned())
    };
    let options = http::Options::resolve(&config, address, env).unwrap();
    let server = IntercomServer::per_request(&config, Arc::new(RecordingClock::default())).unwrap();
    let router = http::router(server, &options, config.limits.max_request_bytes);
    let (stop, stopped) = oneshot::channel::<()>();
    let served = tokio::spawn(http::serve(listener, router, async {
        let _ = stopped.await;
    }));
    Deployment {
        address,
        intercom,
        stop: Some(stop),
        served,
    }
}

impl Deployment {
    /// How many requests reached the mock Intercom.
    pub async fn sent(&self) -> usize {
        self.intercom
            .received_requests()
            .await
            .unwrap_or_default()
            .len()
    }

    pub fn url(&self) -> String {
        format!("http://{}/mcp", self.address)
    }

    pub async fn client(&self, bearer: &str) -> RunningService<RoleClient, ()> {
        let config = StreamableHttpClientTransportConfig::with_uri(self.url())
            .auth_header(bearer.to_owned());
        ().serve(StreamableHttpClientTransport::from_config(config))
            .await
            .unwrap()
    }

    /// A raw JSON-RPC POST, headers as given.
    pub async fn post(&self, headers: &[(&str, &str)], body: Value) -> reqwest::Response {
        let mut request = reqwest::Client::new()
            .post(self.url())
            .header("content-type", "application/json")
            .header("accept", "application/json, text/event-stream");
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.body(body.to_string()).send().await.unwrap()
    }
}
