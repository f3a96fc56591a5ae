//! An embedded Intercom workspace for trying the server without a token (`--sandbox`): a
//! fake of the REST API v2.11 endpoints the tools use, served over real HTTP on loopback, so
//! the generated client and the whole tool pipeline run unchanged against it.
//!
//! It starts with invented sample data (`workspace.json`, loaded by `data.rs`) and keeps every
//! write for the life of the process: created contacts, notes, tags, replies, closes and
//! assignments show up in later reads. Answers have the shape of Intercom's, errors included.
//!
//! - `routes.rs`: the HTTP routes, the token check, errors as Intercom's `error.list`.
//! - `store.rs`: the state and the lookups every operation shares; `reads.rs`: reads, lists
//!   and searches; `contacts.rs` and `conversations.rs`: the writes.
//! - `records.rs`: the shapes new records take; `data.rs`: the sample data they start from.
//! - `search.rs`: the search query language; `pages.rs`: cursors and page numbers;
//!   `html.rs`: HTML bodies to and from plain text (read by the server's own reader).

mod contacts;
mod conversations;
mod data;
mod html;
mod pages;
mod reads;
mod records;
mod routes;
mod search;
mod store;

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};

use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// The only token the sandbox accepts; any other gets Intercom's 401.
pub const TOKEN: &str = "sandbox";
/// The admin who owns [`TOKEN`] (what `GET /me` answers).
pub const ADMIN_ID: &str = data::OWNER;

/// A running sandbox. Dropping it stops the server.
pub struct Sandbox {
    /// Where to send requests, e.g. `http://127.0.0.1:40123`; use as INTERCOM_BASE_URL.
    pub base_url: String,
    pub address: SocketAddr,
    server: JoinHandle<()>,
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// Binds a free port on 127.0.0.1, seeds the workspace, and serves it from a task spawned on
/// the current tokio runtime.
pub async fn start() -> anyhow::Result<Sandbox> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
    let address = listener.local_addr()?;
    let store = Arc::new(Mutex::new(data::seed().map_err(anyhow::Error::msg)?));
    let app = routes::router(store);
    let server = tokio::spawn(async move {
        if let Err(err) = axum::serve(listener, app).await {
            tracing::error!(error = %err, "the sandbox stopped serving");
        }
    });
    tracing::info!(%address, "sandbox workspace serving");
    Ok(Sandbox {
        base_url: format!("http://{address}"),
        address,
        server,
    })
}
