//! One workspace's state, below both the tools and the resources: the clients its calls send
//! with, the admin a write acts as by default ([`admin`]), and its cached directory
//! ([`directory`]). Over stdio there is one; over HTTP, one per tenant (`crate::credentials`).

pub mod admin;
pub mod directory;

use std::borrow::Cow;
use std::sync::Arc;

use serde_json::Value;

use crate::config::UntrustedMode;
use crate::error::ToolError;
use crate::intercom::{self, Client};
use admin::DefaultAdmin;
use directory::{Directory, Kind};

/// What every call in one workspace needs besides its arguments.
pub struct Context {
    /// Reads send with this one; a read changes nothing, so it is repeatable.
    reads: Client,
    /// Writes send with this one: the same, or its dry-run twin.
    writes: Client,
    pub dry_run: bool,
    admin: Arc<DefaultAdmin>,
    /// How customer-written text in answers reaches the model.
    pub untrusted: UntrustedMode,
    directory: Arc<Directory>,
}

impl Context {
    /// `admin` and `directory` are the workspace's own, kept across calls (over HTTP, the
    /// tenant's).
    pub fn new(
        client: Client,
        admin: Arc<DefaultAdmin>,
        directory: Arc<Directory>,
        dry_run: bool,
        untrusted: UntrustedMode,
    ) -> Self {
        let writes = if dry_run {
            intercom::dry_run_twin(&client)
        } else {
            client.clone()
        };
        Self {
            reads: intercom::retried(&client, true).into_owned(),
            writes,
            dry_run,
            admin,
            untrusted,
            directory,
        }
    }

    /// The client a request sends with: a `write` goes through the dry-run twin in a dry run,
    /// and only a `repeatable` request is sent again after a transient failure.
    pub fn client(&self, write: bool, repeatable: bool) -> Cow<'_, Client> {
        let client = if write { &self.writes } else { &self.reads };
        intercom::retried(client, repeatable)
    }

    /// The admin a write acts as when the call names none.
    pub async fn default_admin(&self) -> Result<String, ToolError> {
        self.admin.id(&self.reads).await
    }

    /// The workspace's app id (GET /me, learned once), for the audit trail.
    pub async fn workspace_id(&self) -> Option<String> {
        self.admin.workspace(&self.reads).await
    }

    /// One list of the directory, from the cache while it is fresh.
    pub async fn directory(&self, kind: Kind) -> Result<Arc<Value>, ToolError> {
        self.directory.read(kind, &self.reads).await
    }
}
