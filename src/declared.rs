//! What an MCP client declared about itself (its protocol revision and capabilities), wherever
//! it said it: in the request's own `_meta` (2026-07-28, SEP-2575), at `initialize` in a stdio
//! session (rmcp remembers it), or at `initialize` over Streamable HTTP, where the server keeps
//! nothing and the client carries it back sealed in its `Mcp-Session-Id` (`http::session`
//! opens it and puts a [`Declared`] in the request's extensions). Whoever reads a client's
//! capabilities reads them here, so all three ways count alike.

use rmcp::RoleServer;
use rmcp::model::{ClientCapabilities, ProtocolVersion};
use rmcp::service::RequestContext;
use serde::{Deserialize, Serialize};

/// What a 2025 client declared at `initialize` over HTTP, opened from its session id.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Declared {
    /// The revision the server answered `initialize` with.
    pub revision: ProtocolVersion,
    pub capabilities: ClientCapabilities,
}

/// The client's capabilities for this request: those its `_meta` states, else those it
/// declared at an HTTP `initialize` (sealed in its session id), else rmcp's (a stdio
/// session's `initialize`; over stateless HTTP, an empty set).
pub fn capabilities(context: &RequestContext<RoleServer>) -> Option<ClientCapabilities> {
    context
        .meta
        .client_capabilities()
        .or_else(|| of(context).map(|declared| declared.capabilities.clone()))
        .or_else(|| context.client_capabilities())
}

/// The revision this request speaks, in the same order as [`capabilities`]. (rmcp alone
/// takes it from the `MCP-Protocol-Version` header over stateless HTTP, or 2025-03-26 without.)
pub fn revision(context: &RequestContext<RoleServer>) -> Option<ProtocolVersion> {
    context
        .meta
        .protocol_version()
        .or_else(|| of(context).map(|declared| declared.revision.clone()))
        .or_else(|| context.protocol_version())
}

/// The declaration an HTTP request's session id carried, if it carried one.
fn of(context: &RequestContext<RoleServer>) -> Option<&Declared> {
    context
        .extensions
        .get::<http::request::Parts>()?
        .extensions
        .get::<Declared>()
}
