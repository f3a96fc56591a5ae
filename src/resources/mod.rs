//! MCP resources: what `resources/list` shows and what `resources/read` returns. Each family
//! of resources lives in its own file and is reached here by its URI scheme, so a new family
//! (say `intercom://…`) is one more file and one more arm in [`read`] and [`list`].
//!
//! - [`apps`]: the two `ui://` views of the MCP Apps extension, and when a client gets them.

pub mod apps;

use rmcp::ErrorData;
use rmcp::model::{ReadResourceResult, Resource, ResourcesCapability};

/// What the client told us at `initialize` (or in a request's `_meta`) that decides which
/// resources it is offered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Offer {
    /// The client renders MCP Apps views ([`apps::wanted`]).
    pub apps: bool,
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
