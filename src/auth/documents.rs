//! Client ID metadata documents (draft-ietf-oauth-client-id-metadata-document; MCP 2026-07-28,
//! "Client Registration", which prefers them to RFC 7591): a `client_id` that is an https URL
//! names a JSON document of the client's metadata, fetched when the client authorizes. The
//! document must name that same URL as its `client_id`; its redirect URIs are then used as a
//! registration's would be.
//!
//! Fetching a URL a stranger chose is a request forgery risk, so: https only, no redirects, a
//! short deadline, at most [`MAX_BYTES`] read, and only public addresses — an IP literal is
//! checked here, a name by the resolver ([`PublicOnly`]), so a name cannot point the server at
//! its own network. `INTERCOM_OAUTH_DOCUMENTS_ON_LOOPBACK=1` lifts both for tests on loopback.

use std::future::Future;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::time::Duration;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use serde::Deserialize;

use super::OAuth;
use super::addresses::is_public;
use super::grants::Client;
use super::register::redirect_uri_ok;

pub const MAX_BYTES: usize = 5 * 1024;

/// Whether `client_id` is meant as a document's URL rather than a sealed registration.
pub fn is_document_url(client_id: &str) -> bool {
    client_id.starts_with("https://") || client_id.starts_with("http://")
}

#[derive(Deserialize)]
struct Document {
    client_id: String,
    #[serde(default)]
    redirect_uris: Vec<String>,
    client_name: Option<String>,
    token_endpoint_auth_method: Option<String>,
}

impl OAuth {
    /// The client a well-formed URL's document describes; otherwise why not (never echoing
    /// the document).
    pub(super) async fn client_from_document(&self, client_id: &str) -> Result<Client, String> {
        let url =
            reqwest::Url::parse(client_id).map_err(|_| "client_id is not a URL".to_owned())?;
        let loopback = self.documents_on_loopback;
        // An IP literal is never resolved, so the resolver cannot check it: it is checked here.
        // The URL parser has already turned other spellings (`0x7f.1`, `2130706433`) into these.
        let literal = url.host_str().and_then(|host| {
            host.trim_start_matches('[')
                .trim_end_matches(']')
                .parse::<IpAddr>()
                .ok()
        });
        if literal.is_some_and(|ip| !(loopback || is_public(ip))) {
            return Err("the client_id URL's host is not a public address".to_owned());
        }
        // The draft: https, a path, no fragment or credentials, and written as it parses (no
        // dot segments or other spellings of the same URL).
        let well_formed = (url.scheme() == "https" || (loopback && url.scheme() == "http"))
            && url.host().is_some()
            && url.path() != "/"
            && url.fragment().is_none()
            && url.username().is_empty()
            && url.password().is_none()
            && url.as_str() == client_id;
        if !well_formed {
            return Err("a client_id URL must be https, with a path, and no fragment, credentials or dot segments".to_owned());
        }
        let mut answer = self
            .documents
            .get(url)
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(|_| "the client_id document could not be fetched".to_owned())?;
        if !answer.status().is_success() {
            return Err(format!(
                "the client_id document answered HTTP {}",
                answer.status().as_u16()
            ));
        }
        let mut body = Vec::new();
        while let Some(chunk) = answer
            .chunk()
            .await
            .map_err(|_| "the client_id document could not be read".to_owned())?
        {
            body.extend_from_slice(&chunk);
            if body.len() > MAX_BYTES {
                return Err(format!(
                    "the client_id document is larger than {MAX_BYTES} bytes"
                ));
            }
        }
        let document: Document = serde_json::from_slice(&body)
            .map_err(|_| "the client_id document is not client metadata JSON".to_owned())?;
        if document.client_id != client_id {
            return Err("the client_id document names another client_id".to_owned());
        }
        if document
            .token_endpoint_auth_method
            .as_deref()
            .is_some_and(|method| method != "none")
        {
            return Err(
                "this server takes public clients only: token_endpoint_auth_method must be none"
                    .to_owned(),
            );
        }
        if document.redirect_uris.is_empty()
            || !document
                .redirect_uris
                .iter()
                .all(|uri| redirect_uri_ok(uri))
        {
            return Err(
                "the client_id document's redirect_uris are missing or not usable".to_owned(),
            );
        }
        Ok(Client {
            redirect_uris: document.redirect_uris,
            name: document
                .client_name
                .map(|name| name.chars().take(100).collect()),
        })
    }
}

/// The client documents are fetched with: names resolve through [`PublicOnly`], and never a
/// proxy, even when HTTPS_PROXY, HTTP_PROXY or ALL_PROXY is set: a proxy resolves names
/// itself, so the address it connects to would be one nobody checked.
pub fn client(on_loopback: bool) -> Result<reqwest::Client, String> {
    client_with(on_loopback, system_lookup)
}

fn client_with(on_loopback: bool, lookup: Lookup) -> Result<reqwest::Client, String> {
    let _already_installed = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(5))
        .dns_resolver(PublicOnly {
            on_loopback,
            lookup,
        })
        .build()
        .map_err(|err| format!("cannot make the HTTP client for client_id documents: {err}"))
}

/// A name's addresses; the system's resolver, or a table in tests.
type Lookup = fn(String) -> Pin<Box<dyn Future<Output = io::Result<Vec<IpAddr>>> + Send>>;

fn system_lookup(host: String) -> Pin<Box<dyn Future<Output = io::Result<Vec<IpAddr>>> + Send>> {
    Box::pin(async move {
        let found = tokio::net::lookup_host((host.as_str(), 0)).await?;
        Ok(found.map(|address| address.ip()).collect())
    })
}

/// Resolves names to their public addresses only (or loopback too, for tests). What it
/// returns is all the connector may dial, so the address checked is the address connected to.
struct PublicOnly {
    on_loopback: bool,
    lookup: Lookup,
}

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        let on_loopback = self.on_loopback;
        let found = (self.lookup)(name.as_str().to_owned());
        Box::pin(async move {
            let public: Vec<SocketAddr> = found
                .await?
                .into_iter()
                .filter(|ip| is_public(*ip) || (on_loopback && ip.is_loopback()))
                .map(|ip| SocketAddr::new(ip, 0))
                .collect();
            if public.is_empty() {
                return Err("the name resolves to no public address".into());
            }
            Ok(Box::new(public.into_iter()) as Addrs)
        })
    }
}
