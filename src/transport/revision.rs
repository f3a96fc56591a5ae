//! Which revision an error whose request `id` cannot be read follows. MCP's 2025 revisions
//! answer `"id": null`, as JSON-RPC 2.0 has it; 2026-07-28's schema makes the member optional
//! and a `RequestId` (a string or a number, never null), so there it is left out. Also the
//! requests 2026-07-28 removed, which a request at that revision is told are not supported.

use rmcp::RoleServer;
use rmcp::model::{
    ClientRequest, GetExtensions, JsonRpcMessage, ProtocolVersion, RequestMetaObject,
};
use rmcp::service::RxJsonRpcMessage;
use serde_json::Value;

/// Where a 2026-07-28 client states its revision on each request (over stdio it sends no
/// `initialize`).
const META_KEY: &str = "io.modelcontextprotocol/protocolVersion";

/// The requests the 2026-07-28 revision removed: its lifecycle has no handshake, no `ping`, no
/// `logging/setLevel` (a request carries its own log level) and no per-resource subscriptions
/// (`subscriptions/listen` replaced them). Over HTTP, "if the server does not implement the
/// requested RPC method, it MUST respond with 404 Not Found and a JSON-RPC error with code
/// -32601" (<https://modelcontextprotocol.io/specification/2026-07-28/basic/transports#protocol-version-header>,
/// SEP-2575). The list is the one the conformance suite checks (modelcontextprotocol/conformance,
/// src/scenarios/server/stateless.ts, `sep-2575-http-server-method-not-found-404-*`).
pub const REMOVED_AT_2026_07_28: [&str; 5] = [
    "initialize",
    "ping",
    "logging/setLevel",
    "resources/subscribe",
    "resources/unsubscribe",
];

/// The -32601 message for `method` sent at 2026-07-28, when that revision removed it.
pub(crate) fn removed_at_2026_07_28(method: &str) -> Option<String> {
    REMOVED_AT_2026_07_28.contains(&method).then(|| {
        format!(
            "method `{method}` is not supported at MCP {}, which removed it: send each request \
             with its own `_meta` (server/discover says what this server offers), or speak a \
             2025 revision, which begins with `initialize`",
            ProtocolVersion::V_2026_07_28
        )
    })
}

/// The revision a request's `params._meta` states, read from its JSON (2026-07-28 clients state
/// it on every request).
pub(crate) fn stated_in_meta(message: &Value) -> Option<&str> {
    message.get("params")?.get("_meta")?.get(META_KEY)?.as_str()
}

/// What an error answer carries when the request's `id` cannot be read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum UnreadId {
    /// `"id": null`: the 2025 revisions, and anything before a revision is known.
    #[default]
    Null,
    /// No `id` member: 2026-07-28 and later.
    Omitted,
}

impl UnreadId {
    /// The rule of the revision named `version` (e.g. an `MCP-Protocol-Version` header).
    pub fn of_version(version: &str) -> Self {
        // Revisions are dates written YYYY-MM-DD, so they order as strings.
        if version >= ProtocolVersion::V_2026_07_28.as_str() {
            Self::Omitted
        } else {
            Self::Null
        }
    }

    /// The rule of the revision `message` states, if it states one: the version an
    /// `initialize` asks for, or the one in a request's `_meta`. Nothing is parsed: the
    /// message is already read, and its `_meta` is a map lookup away.
    pub(super) fn stated_by(message: &RxJsonRpcMessage<RoleServer>) -> Option<Self> {
        let JsonRpcMessage::Request(request) = message else {
            return None;
        };
        let version = match &request.request {
            ClientRequest::InitializeRequest(initialize) => {
                Some(initialize.params.protocol_version.as_str())
            }
            other => other
                .extensions()
                .get::<RequestMetaObject>()
                .and_then(|meta| meta.0.get(META_KEY))
                .and_then(Value::as_str),
        };
        version.map(Self::of_version)
    }

    /// `id` as the error answer writes it: `None` when the member is left out.
    pub(crate) fn id(self, id: &Value) -> Option<&Value> {
        match self {
            Self::Omitted if id.is_null() => None,
            _ => Some(id),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stated(line: &str) -> Option<UnreadId> {
        UnreadId::stated_by(&serde_json::from_str(line).unwrap())
    }

    #[test]
    fn the_revision_is_read_from_initialize_or_a_requests_meta() {
        assert_eq!(UnreadId::of_version("2025-06-18"), UnreadId::Null);
        assert_eq!(UnreadId::of_version("2025-11-25"), UnreadId::Null);
        assert_eq!(UnreadId::of_version("2026-07-28"), UnreadId::Omitted);
        assert_eq!(
            stated(
                r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"c","version":"1"}}}"#
            ),
            Some(UnreadId::Null)
        );
        assert_eq!(
            stated(
                r#"{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}}}"#
            ),
            Some(UnreadId::Omitted)
        );
        assert_eq!(stated(r#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#), None);
        assert_eq!(
            stated(r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#),
            None
        );
        assert_eq!(UnreadId::Omitted.id(&Value::Null), None);
        assert_eq!(UnreadId::Omitted.id(&Value::from(3)), Some(&Value::from(3)));
        assert_eq!(UnreadId::Null.id(&Value::Null), Some(&Value::Null));
    }
}
