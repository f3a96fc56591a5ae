//! Which revision an error whose request `id` cannot be read follows. MCP's 2025 revisions
//! answer `"id": null`, as JSON-RPC 2.0 has it; 2026-07-28's schema makes the member optional
//! and a `RequestId` (a string or a number, never null), so there it is left out.

use rmcp::RoleServer;
use rmcp::model::{
    ClientRequest, GetExtensions, JsonRpcMessage, ProtocolVersion, RequestMetaObject,
};
use rmcp::service::RxJsonRpcMessage;
use serde_json::Value;

/// Where a 2026-07-28 client states its revision on each request (over stdio it sends no
/// `initialize`).
const META_KEY: &str = "io.modelcontextprotocol/protocolVersion";

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
