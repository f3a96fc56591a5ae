//! MCP resources: what `resources/list` shows and what `resources/read` returns. Each family
//! of resources lives in its own file and is reached here by its URI scheme, so a new family
//! (say `intercom://…`) is one more file and one more arm in [`read`] and [`list`].
//!
//! - [`apps`]: the two `ui://` views of the MCP Apps extension, and when a client gets them.

pub mod apps;

use rmcp::ErrorData;
use rmcp::model::{
    ClientCapabilities, InitializeResult, ReadResourceResult, Resource, ResourcesCapability,
    Tool as ToolInfo,
};

/// What a client is offered beyond the plain tools, from the capabilities it stated.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Offer {
    /// The client renders MCP Apps views ([`apps::wanted`]).
    pub apps: bool,
}

impl Offer {
    /// Over stdio the capabilities are those of `initialize`; over stateless HTTP, where each
    /// request meets a new handler, only those a request states in its own `_meta` (rmcp's
    /// `RequestContext::client_capabilities()` gives either).
    pub fn of(capabilities: Option<&ClientCapabilities>) -> Self {
        Self {
            apps: apps::wanted(capabilities),
        }
    }

    /// Completes the `initialize` result: the extensions and resources this client gets.
    pub fn announce(self, result: &mut InitializeResult) {
        if self.apps {
            apps::announce(result);
        }
        result.capabilities.resources = capability(self);
    }

    /// A tool as this client is shown it.
    pub fn tool(self, tool: ToolInfo) -> ToolInfo {
        if self.apps { apps::link(tool) } else { tool }
    }

    /// Whether this tool's answer also goes out as `structuredContent`, for its view.
    pub fn structured(self, tool: &str) -> bool {
        self.apps && apps::view_of(tool).is_some()
    }
}

/// The `resources` capability to announce; `None` keeps `initialize` as it was before
/// resources existed, for clients that would get none.
pub fn capability(offer: Offer) -> Option<ResourcesCapability> {
    offer.apps.then(ResourcesCapability::default)
}

/// The resources a client with this offer is shown.
pub fn list(offer: Offer) -> Vec<Resource> {
    let mut resources = Vec::new();
    if offer.apps {
        resources.extend(apps::listed());
    }
    resources
}

/// Reads one resource by URI. Reading is allowed whatever the offer: a resource holds nothing
/// secret, and a host may read a view it learnt of from a tool's `_meta` without listing.
pub fn read(uri: &str) -> Result<ReadResourceResult, ErrorData> {
    let found = if uri.starts_with(apps::SCHEME) {
        apps::read(uri)
    } else {
        None
    };
    found.ok_or_else(|| {
        let known: Vec<&str> = apps::VIEWS.iter().map(|view| view.uri).collect();
        ErrorData::resource_not_found(
            format!(
                "no resource `{uri}`; the resources are: {}",
                known.join(", ")
            ),
            None,
        )
    })
}
