//! Client ID metadata documents (draft-ietf-oauth-client-id-metadata-document; MCP 2026-07-28,
//! "Client Registration", which prefers them to RFC 7591): a `client_id` that is an https URL
//! names a JSON document of the client's metadata, fetched when the client authorizes. The
//! document must name that same URL as its `client_id`; its redirect URIs are then used as a
//! registration's would be.
//!
//! Fetching a URL a stranger chose is a request forgery risk, so: https only, no redirects, a
//! short deadline, at most [`MAX_BYTES`] read, no proxy, and only public addresses
//! ([`super::addresses`]) — an IP literal is checked here, a name by the resolver
//! ([`PublicOnly`]), so a name cannot point the server at its own network.
//! `INTERCOM_OAUTH_DOCUMENTS_ON_LOOPBACK=1` lets plain http and loopback through, for tests.

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
        if literal.is_some_and(|ip| !(is_public(ip) || (loopback && ip.is_loopback()))) {
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

#[cfg(test)]
mod tests {
    use std::str::FromStr;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    /// What each name resolves to in these tests: a name an attacker controls can point
    /// anywhere, so each special block is reached through one.
    fn table(host: String) -> Pin<Box<dyn Future<Output = io::Result<Vec<IpAddr>>> + Send>> {
        let addresses: &[&str] = match host.as_str() {
            "loopback.test" => &["127.0.0.1", "::1"],
            "metadata.test" => &["169.254.169.254", "fe80::a9fe:a9fe"],
            "private.test" => &["10.0.0.1", "172.16.0.1", "192.168.1.1", "fd00::1"],
            "shared.test" => &["100.64.0.1"],
            "nat64.test" => &["64:ff9b::7f00:1", "64:ff9b:1::a00:1"],
            "six-to-four.test" => &["2002:7f00:1::1", "2002:a00:1::1"],
            "teredo.test" => &["2001:0:4136:e378:8000:63bf:80ff:fffe"],
            "site-local.test" => &["fec0::1"],
            "compatible.test" => &["::7f00:1", "::a00:1"],
            "mapped.test" => &["::ffff:127.0.0.1", "::ffff:10.0.0.1"],
            "protocol.test" => &["192.0.0.1", "192.0.0.170"],
            "reserved.test" => &["240.0.0.1", "255.255.255.255", "0.0.0.0"],
            "benchmarking.test" => &["198.18.0.1", "198.19.1.1", "2001:2::1"],
            "documentation.test" => &[
                "192.0.2.1",
                "198.51.100.1",
                "203.0.113.1",
                "2001:db8::1",
                "3fff::1",
            ],
            "mixed.test" => &["10.0.0.1", "93.184.216.34", "fd00::1"],
            _ => &[],
        };
        let addresses = addresses.iter().filter_map(|ip| ip.parse().ok()).collect();
        Box::pin(async move { Ok(addresses) })
    }

    async fn resolved(name: &str, on_loopback: bool) -> Result<Vec<IpAddr>, String> {
        let resolver = PublicOnly {
            on_loopback,
            lookup: table,
        };
        let name = Name::from_str(name).map_err(|err| err.to_string())?;
        match resolver.resolve(name).await {
            Ok(addresses) => Ok(addresses.map(|address| address.ip()).collect()),
            Err(err) => Err(err.to_string()),
        }
    }

    #[tokio::test]
    async fn names_that_resolve_only_to_special_addresses_are_refused() {
        for name in [
            "loopback.test",
            "metadata.test",
            "private.test",
            "shared.test",
            "nat64.test",
            "six-to-four.test",
            "teredo.test",
            "site-local.test",
            "compatible.test",
            "mapped.test",
            "protocol.test",
            "reserved.test",
            "benchmarking.test",
            "documentation.test",
        ] {
            let answer = resolved(name, false).await;
            assert_eq!(
                answer,
                Err("the name resolves to no public address".to_owned()),
                "{name}"
            );
        }
        // Of a mixed answer only the public address is returned, so only it can be dialled.
        let public: IpAddr = "93.184.216.34".parse().unwrap();
        assert_eq!(resolved("mixed.test", false).await, Ok(vec![public]));
        // The test lift lets loopback through, and nothing else.
        let loopback = resolved("loopback.test", true).await.unwrap();
        assert_eq!(loopback.len(), 2);
        assert!(resolved("private.test", true).await.is_err());
    }

    /// A listener on loopback that counts the connections made to it.
    async fn listener() -> (u16, Arc<AtomicUsize>) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let accepted = Arc::new(AtomicUsize::new(0));
        let count = Arc::clone(&accepted);
        tokio::spawn(async move {
            while let Ok((_stream, _)) = listener.accept().await {
                count.fetch_add(1, Ordering::SeqCst);
            }
        });
        (port, accepted)
    }

    #[tokio::test]
    async fn the_client_never_connects_to_a_refused_address() {
        let (port, accepted) = listener().await;
        let url = format!("http://loopback.test:{port}/app.json");
        let refusing = client_with(false, table).unwrap();
        assert!(refusing.get(&url).send().await.is_err());
        assert_eq!(
            accepted.load(Ordering::SeqCst),
            0,
            "a refused address was dialled"
        );
        // The same fetch with loopback lifted does reach the listener: it would have seen one.
        let lifted = client_with(true, table).unwrap();
        let _no_answer = lifted
            .get(&url)
            .timeout(Duration::from_millis(300))
            .send()
            .await;
        assert!(accepted.load(Ordering::SeqCst) >= 1);
    }
}
