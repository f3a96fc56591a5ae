//! MCP over Streamable HTTP and OAuth: per-request tokens and tenants (`http.rs`), hostile input
//! from outside (`hardening.rs`, `hosts.rs`) and the ids of its errors (`error_ids.rs`),
//! bounded connections and bodies (`bounds.rs`), the OAuth flow in process (`oauth.rs`) and
//! through the real binary (`oauth_binary.rs`), browser clients and CORS (`oauth_browser.rs`),
//! client ID metadata documents (`oauth_documents.rs`) and where they may be fetched from
//! (`oauth_ssrf.rs`), which redirect URIs a client may use (`oauth_redirects.rs`), a token
//! Intercom refuses (`oauth_refused.rs`), what is used once across replicas, in process and in
//! a real Redis (`oauth_state.rs`), our consent page (`consent.rs`), which methods are answered
//! at each revision (`methods.rs`), the sandbox's bearer over HTTP (`sandbox.rs`), and 2025
//! clients remembered through sealed session ids (`sessions.rs`), and who acted as the audit
//! trail says it over HTTP and OAuth (`audit.rs`).
//!
//! One test binary: every test binary links the whole crate, and CI pays for each link.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "../common/mod.rs"]
mod common;

mod audit;
mod bounds;
mod consent;
mod error_ids;
mod hardening;
mod hosts;
mod http;
mod methods;
mod oauth;
mod oauth_binary;
mod oauth_browser;
mod oauth_documents;
mod oauth_redirects;
mod oauth_refused;
mod oauth_ssrf;
mod oauth_state;
mod sandbox;
mod sessions;
