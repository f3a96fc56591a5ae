//! Protocol revisions, over Streamable HTTP and over the binary's stdio: a client of the
//! 2026-07-28 revision (no `initialize`: `server/discover`, then requests carrying their own
//! `_meta`) and one of 2025-06-18 (the `initialize` handshake) both list and call the tools.

use rmcp::model::{
    CallToolRequestParams, ClientCapabilities, ClientConfig, Implementation, ProtocolVersion,
};
use rmcp::service::{ClientLifecycleMode, ClientServiceExt, RoleClient, RunningService};
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use serde_json::json;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common;
use crate::common::deploy::deploy;

/// A client of `version` over `transport`: `initialize` up to 2025-11-25, `server/discover`
/// from 2026-07-28.
async fn connect<T, E, A>(
    transport: T,
    version: ProtocolVersion,
) -> RunningService<RoleClient, ClientConfig>
where
    T: rmcp::transport::IntoTransport<RoleClient, E, A>,
    E: std::error::Error + Send + Sync + 'static,
{
    let client = ClientConfig::new(
        ClientCapabilities::default(),
        Implementation::new("revision-test", "1"),
    )
    .with_protocol_version(version.clone());
    let lifecycle = if version.has_initialize() {
        ClientLifecycleMode::Initialize
    } else {
        ClientLifecycleMode::Discover {
            preferred_versions: vec![version],
        }
    };
    client
        .serve_with_lifecycle(transport, lifecycle)
        .await
        .unwrap()
}

#[tokio::test]
async fn clients_of_2026_07_28_and_2025_06_18_list_and_call_tools() {
    let deployment = deploy(&[]).await;
    for version in [ProtocolVersion::V_2026_07_28, ProtocolVersion::V_2025_06_18] {
        let transport = StreamableHttpClientTransport::from_config(
            StreamableHttpClientTransportConfig::with_uri(deployment.url())
                .auth_header("tok_alice"),
        );
        let client = connect(transport, version.clone()).await;
        let before = deployment.sent().await;
        list_and_call(&client, &version).await;
        assert_eq!(deployment.sent().await, before + 1, "{version}");
        client.cancel().await.unwrap();
    }
}

#[tokio::test]
async fn over_stdio_both_revisions_list_and_call_tools() {
    let intercom = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/contacts/c1"))
        .and(header("authorization", "Bearer tok_stdio"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"type": "contact", "id": "c1"})),
        )
        .expect(2)
        .mount(&intercom)
        .await;
    for version in [ProtocolVersion::V_2026_07_28, ProtocolVersion::V_2025_06_18] {
        let uri = intercom.uri();
        let vars = [
            ("accessToken", "tok_stdio"),
            ("INTERCOM_BASE_URL", uri.as_str()),
        ];
        let mut child = common::spawn(&[], &vars);
        let io = (child.stdout.take().unwrap(), child.stdin.take().unwrap());
        let client = connect(io, version.clone()).await;
        list_and_call(&client, &version).await;
        client.cancel().await.unwrap();
        assert!(child.wait().await.unwrap().success(), "{version}");
    }
}

/// The negotiated revision is `version`; the 16 tools are listed; a call succeeds.
async fn list_and_call(
    client: &RunningService<RoleClient, ClientConfig>,
    version: &ProtocolVersion,
) {
    assert_eq!(
        client.peer_info().map(|info| info.protocol_version.clone()),
        Some(version.clone())
    );
    let tools = client.list_all_tools().await.unwrap();
    assert_eq!(tools.len(), 16, "{version}");
    let arguments = json!({"contact_id": "c1"}).as_object().unwrap().clone();
    let result = client
        .call_tool(CallToolRequestParams::new("intercomGetContact").with_arguments(arguments))
        .await
        .unwrap();
    assert_ne!(result.is_error, Some(true), "{version}: {result:?}");
}

#[tokio::test]
async fn a_malformed_discover_is_told_what_is_wrong_not_method_not_found() {
    let deployment = deploy(&[]).await;
    let answer = deployment
        .post(
            &[("authorization", "Bearer tok_alice")],
            json!({"jsonrpc": "2.0", "id": 7, "method": "server/discover", "params": "all"}),
        )
        .await;
    let body: serde_json::Value = answer.json().await.unwrap();
    assert_eq!(body["id"], 7, "{body}");
    assert_ne!(body["error"]["code"], -32601, "{body}");
    assert!(
        body["error"]["code"] == -32602 || body["error"]["code"] == -32600,
        "{body}"
    );
}
