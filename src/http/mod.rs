//! MCP over Streamable HTTP: stateless (any replica can answer any request; what a 2025 client
//! declared at `initialize` travels sealed in its session id, [`session`]), at `/mcp`, with
//! `/healthz` for probes. Each request's credentials are checked before rmcp sees it: a
//! client's own Intercom token, a client secret when the server holds a token, or with
//! `--oauth` an access token of ours ([`crate::auth`], whose routes are served here too). Hosts
//! and origins are checked against allowlists (loopback by default) against DNS rebinding
//! ([`guard`]), and bodies rmcp would refuse without a JSON-RPC error get one ([`protocol`]).
//! The credentials check itself is [`bearer`]'s. Our own accept loop ([`serve`]) times out
//! request heads and idle connections and caps the connections open at once.

mod bearer;
mod cors;
mod guard;
mod protocol;
mod serve;
pub mod session;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::middleware;
use axum::response::Response;
use axum::routing::get;
use rmcp::transport::streamable_http_server::session::never::NeverSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};

use crate::auth::{self, OAuth};
use crate::config::{Config, Secret, is_b64token};
use crate::server::IntercomServer;
use crate::state::seal::shared_keys;

pub use serve::{Bounds, HEADER_TIMEOUT, MAX_CONNECTIONS, serve, serve_with};

/// How long requests in flight may take to finish after a shutdown signal.
pub const DRAIN: Duration = Duration::from_secs(30);

const LOOPBACK_HOSTS: [&str; 3] = ["localhost", "127.0.0.1", "[::1]"];
const LOOPBACK_ORIGINS: [&str; 3] = ["http://localhost:*", "http://127.0.0.1:*", "http://[::1]:*"];

/// How requests prove they may act.
#[derive(Clone)]
pub enum Auth {
    /// Each request's `Authorization: Bearer` is its own Intercom token.
    ClientTokens,
    /// Requests present `secret`; the server acts with its own `token`.
    Secret { secret: Secret, token: Secret },
    /// Requests present an access token this server issued (OAuth 2.1), which holds the
    /// user's own Intercom token and region.
    OAuth(Arc<OAuth>),
}

#[derive(Clone)]
pub struct Options {
    pub auth: Auth,
    pub allowed: guard::Allowed,
    /// Seals and opens the session ids of 2025 clients ([`session`]).
    pub sessions: Arc<session::Sessions>,
}

impl Options {
    /// Checks the HTTP settings for `address`: a server token needs a client secret (or any
    /// client could spend it), and a non-loopback address needs explicit allowed hosts.
    pub fn resolve(
        config: &Config,
        address: SocketAddr,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, String> {
        Self::resolve_with(config, address, None, env)
    }

    /// As [`Options::resolve`]; with `oauth`, requests present access tokens it issued.
    pub fn resolve_with(
        config: &Config,
        address: SocketAddr,
        oauth: Option<Arc<OAuth>>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, String> {
        // An empty list would switch rmcp's check off ("allow all"): treat it as not set.
        let list = |name: &str| {
            env(name)
                .map(|text| {
                    text.split(',')
                        .map(|item| item.trim().to_owned())
                        .filter(|item| !item.is_empty())
                        .collect::<Vec<_>>()
                })
                .filter(|items| !items.is_empty())
        };
        // With OAuth, the server's own consent page posts its form from the public URL.
        let own_origin = oauth.as_ref().map(|oauth| oauth.origin().to_owned());
        let secret = env("INTERCOM_MCP_CLIENT_SECRET").filter(|text| !text.trim().is_empty());
        let auth = match (config.token.clone(), secret) {
            _ if oauth.is_some()
                && (config.token.is_some() || env("INTERCOM_MCP_CLIENT_SECRET").is_some()) =>
            {
                return Err(
                    "--oauth acts with each user's own Intercom token: unset accessToken / \
                     INTERCOM_ACCESS_TOKEN and INTERCOM_MCP_CLIENT_SECRET"
                        .to_owned(),
                );
            }
            (None, None) => match oauth {
                Some(oauth) => Auth::OAuth(oauth),
                None => Auth::ClientTokens,
            },
            (Some(token), Some(secret)) => {
                // Clients present it as a bearer token, so it must be one.
                let secret = Some(secret.trim())
                    .filter(|secret| is_b64token(secret))
                    .and_then(Secret::parse)
                    .ok_or(
                        "INTERCOM_MCP_CLIENT_SECRET must be one word of letters, digits and \
                         - . _ ~ + / (then any = signs): clients send it as `Bearer <secret>`",
                    )?;
                Auth::Secret { secret, token }
            }
            (Some(_), None) => {
                return Err("over HTTP, a server-side access token needs INTERCOM_MCP_CLIENT_SECRET, which \
                     requests must present; or unset the token and let each client send its own"
                    .to_owned());
            }
            (None, Some(_)) => {
                return Err(
                    "INTERCOM_MCP_CLIENT_SECRET is set but there is no server-side access token \
                     (accessToken / INTERCOM_ACCESS_TOKEN) for it to unlock"
                        .to_owned(),
                );
            }
        };
        let allowed_hosts = list("INTERCOM_MCP_ALLOWED_HOSTS");
        if allowed_hosts.is_none() && !address.ip().is_loopback() {
            return Err(format!(
                "{address} is not a loopback address: set INTERCOM_MCP_ALLOWED_HOSTS to the host names \
                 clients use to reach this server (and INTERCOM_MCP_ALLOWED_ORIGINS for browsers)"
            ));
        }
        let hosts = allowed_hosts.unwrap_or_else(|| LOOPBACK_HOSTS.map(str::to_owned).to_vec());
        let mut origins = list("INTERCOM_MCP_ALLOWED_ORIGINS")
            .unwrap_or_else(|| LOOPBACK_ORIGINS.map(str::to_owned).to_vec());
        origins.extend(own_origin);
        let sessions = Arc::new(session::Sessions::new(&shared_keys(&env)?)?);
        Ok(Self {
            auth,
            sessions,
            allowed: guard::Allowed {
                hosts: parse_all(
                    &hosts,
                    guard::AllowedHost::parse,
                    "INTERCOM_MCP_ALLOWED_HOSTS",
                    "a host name or IP, optionally with :port",
                )?,
                origins: parse_all(
                    &origins,
                    guard::AllowedOrigin::parse,
                    "INTERCOM_MCP_ALLOWED_ORIGINS",
                    "scheme://host, scheme://host:port or scheme://host:*",
                )?,
            },
        })
    }
}

/// Each entry parsed, or an error naming the first that is not of the form `expected`.
fn parse_all<T>(
    entries: &[String],
    parse: fn(&str) -> Option<T>,
    variable: &str,
    expected: &str,
) -> Result<Vec<T>, String> {
    entries
        .iter()
        .map(|entry| parse(entry).ok_or_else(|| format!("{variable}: `{entry}` is not {expected}")))
        .collect()
}

/// The routes: `/mcp` behind the Host/Origin check, then the credentials check, then the
/// JSON-RPC screening, then the session id opened or issued; with OAuth, its endpoints behind the Host/Origin check; `/healthz` open.
pub fn router(server: IntercomServer, options: &Options, max_request_bytes: usize) -> Router {
    router_with(server, options, max_request_bytes, protocol::BODY_TIMEOUT)
}

/// As [`router`], with `body_timeout` for a request body to arrive once its head has.
pub fn router_with(
    server: IntercomServer,
    options: &Options,
    max_request_bytes: usize,
    body_timeout: Duration,
) -> Router {
    let config = StreamableHttpServerConfig::default()
        .with_legacy_session_mode(false)
        .with_json_response(true)
        .with_sse_keep_alive(None)
        // Checked exactly by `guard` before rmcp sees a request.
        .disable_allowed_hosts()
        .disable_allowed_origins()
        .with_max_request_body_bytes(max_request_bytes);
    // Refusals before the handler are counted from the mark each leaves on its answer.
    let metrics = server.metrics().clone();
    // Stateless: one cheap handler (a clone of shared state) per request.
    let mcp = StreamableHttpService::new(
        move || Ok(server.clone()),
        Arc::new(NeverSessionManager::default()),
        config,
    );
    // Layers run outside in: the last added runs first.
    let mcp = Router::new()
        .route_service("/mcp", mcp)
        .layer(middleware::from_fn_with_state(
            Arc::clone(&options.sessions),
            session::remember,
        ))
        .layer(middleware::from_fn_with_state(
            protocol::BodyLimits {
                max: max_request_bytes,
                timeout: body_timeout,
            },
            protocol::screen_body,
        ))
        .layer(middleware::from_fn_with_state(
            options.auth.clone(),
            bearer::require_credentials,
        ));
    // Browser-based clients are what OAuth adds: they get CORS (for allowed origins only).
    let routes = match &options.auth {
        Auth::OAuth(oauth) => mcp
            .merge(
                auth::routes(Arc::clone(oauth)).layer(middleware::from_fn_with_state(
                    protocol::BodyLimits {
                        max: max_request_bytes,
                        timeout: body_timeout,
                    },
                    protocol::bounded_body,
                )),
            )
            .layer(middleware::from_fn(cors::answer)),
        _ => mcp,
    };
    routes
        .layer(middleware::from_fn_with_state(
            Arc::new(options.allowed.clone()),
            guard::check,
        ))
        .layer(middleware::map_response(move |response: Response| {
            metrics.count_refusal(&response);
            std::future::ready(response)
        }))
        .route("/healthz", get(|| async { "ok" }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Flags;

    fn config(vars: &[(&str, &str)]) -> Config {
        Config::resolve(&Flags::default(), |name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        })
        .unwrap()
    }

    fn resolve(vars: &[(&str, &str)], address: &str) -> Result<Options, String> {
        Options::resolve(&config(vars), address.parse().unwrap(), |name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        })
    }

    #[test]
    fn a_server_token_needs_a_client_secret() {
        let err = resolve(&[("accessToken", "tok")], "127.0.0.1:8080")
            .err()
            .unwrap();
        assert!(err.contains("INTERCOM_MCP_CLIENT_SECRET"), "{err}");
        let options = resolve(
            &[
                ("accessToken", "tok"),
                ("INTERCOM_MCP_CLIENT_SECRET", "s3cret"),
            ],
            "127.0.0.1:8080",
        )
        .unwrap();
        assert!(matches!(options.auth, Auth::Secret { .. }));
        assert!(
            resolve(
                &[("INTERCOM_MCP_CLIENT_SECRET", "s3cret")],
                "127.0.0.1:8080"
            )
            .is_err()
        );
        assert!(matches!(
            resolve(&[], "127.0.0.1:8080").unwrap().auth,
            Auth::ClientTokens
        ));
    }

    #[test]
    fn a_public_address_needs_explicit_hosts() {
        let err = resolve(&[], "0.0.0.0:8080").err().unwrap();
        assert!(err.contains("INTERCOM_MCP_ALLOWED_HOSTS"), "{err}");
        let options = resolve(
            &[("INTERCOM_MCP_ALLOWED_HOSTS", "mcp.example.com, mcp")],
            "0.0.0.0:8080",
        )
        .unwrap();
        assert_eq!(
            options.allowed.hosts,
            ["mcp.example.com", "mcp"].map(|host| guard::AllowedHost::parse(host).unwrap())
        );
        assert_eq!(
            resolve(&[], "[::1]:8080").unwrap().allowed.hosts,
            LOOPBACK_HOSTS.map(|host| guard::AllowedHost::parse(host).unwrap())
        );
        let err = resolve(
            &[("INTERCOM_MCP_ALLOWED_ORIGINS", "https://a.example/")],
            "127.0.0.1:8080",
        )
        .err()
        .unwrap();
        assert!(
            err.contains("`https://a.example/` is not scheme://host"),
            "{err}"
        );
    }
}
