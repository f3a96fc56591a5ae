//! The generated Intercom client (built by build.rs from `openapi/intercom-2.11.json`) and the
//! one place every request passes through: auth, version and user-agent headers, logging.

mod token;

use std::time::{Duration, Instant};

use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderName, HeaderValue, USER_AGENT};

use crate::config::{Config, Secret};
use crate::metrics::Metrics;
use crate::policy::{Clock, Policy};

/// Generated, do not edit: regenerate with `cargo xtask regen` and rebuild.
#[allow(
    clippy::all,
    clippy::pedantic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    dead_code,
    unused_imports,
    unused_mut
)]
mod generated {
    include!(concat!(env!("OUT_DIR"), "/intercom_client.rs"));
}

pub use generated::{Client, types};

// `path_template`: each operation's path template, from the same document (build.rs).
include!(concat!(env!("OUT_DIR"), "/operation_paths.rs"));
pub use token::TokenCell;

/// What every generated `send()` returns once 2xx bodies are untyped and errors undeclared.
pub type Sent =
    Result<progenitor_client::ResponseValue<serde_json::Value>, progenitor_client::Error<()>>;

pub const API_VERSION: &str = "2.11";
pub const USER_AGENT_VALUE: &str = concat!("intercom-mcp/", env!("CARGO_PKG_VERSION"));
/// What a call says when no token is configured; also the text the model reads.
pub const NO_TOKEN: &str = "No Intercom access token is configured. Set accessToken (or \
    INTERCOM_ACCESS_TOKEN) in the server's environment, or send notifications/token/update.";

/// The state the request hooks need, carried inside the generated client.
#[derive(Clone, Debug)]
pub struct Upstream {
    pub token: TokenCell,
    pub policy: Policy,
    /// Describe each request instead of sending it (`--dry-run`, for the write tools).
    pub dry_run: bool,
    /// Body fields sent as an explicit `null` (a cleared value): the generated types leave
    /// every `None` out, so they cannot say "clear" by themselves.
    pub nulls: Vec<String>,
    /// A request may be sent again after a transient failure: the sender knows whether its
    /// operation is safe to repeat ([`retried`]). Off by default: sent once is the safe side.
    pub repeatable: bool,
}

/// The client whose requests are sent again after a transient failure when `repeatable`, and
/// at most once otherwise. Borrowed when `client` already is that one.
pub fn retried(client: &Client, repeatable: bool) -> std::borrow::Cow<'_, Client> {
    if client.inner.repeatable == repeatable {
        return std::borrow::Cow::Borrowed(client);
    }
    let mut twin = client.clone();
    twin.inner.repeatable = repeatable;
    std::borrow::Cow::Owned(twin)
}

/// The same client, but one that sends nothing: each request comes back as a description of
/// itself (method, path, query, body).
pub fn dry_run_twin(client: &Client) -> Client {
    let mut twin = client.clone();
    twin.inner.dry_run = true;
    twin
}

/// The same client, but one whose request bodies also carry `fields` as `null`.
pub fn sending_nulls(client: &Client, fields: Vec<String>) -> Client {
    let mut twin = client.clone();
    twin.inner.nulls = fields;
    twin
}

/// Adds the explicit nulls to a JSON object body.
fn add_nulls(request: &mut reqwest::Request, fields: &[String]) {
    let body = request.body().and_then(reqwest::Body::as_bytes);
    let Some(Ok(serde_json::Value::Object(mut body))) = body.map(serde_json::from_slice) else {
        return;
    };
    for field in fields {
        body.insert(field.clone(), serde_json::Value::Null);
    }
    *request.body_mut() = Some(serde_json::Value::Object(body).to_string().into());
}

/// What a dry run answers instead of sending `request`.
fn describe(request: &reqwest::Request) -> reqwest::Response {
    let body = request
        .body()
        .and_then(reqwest::Body::as_bytes)
        .unwrap_or_default();
    let body = serde_json::from_slice::<serde_json::Value>(body)
        .unwrap_or_else(|_| serde_json::Value::String(String::from_utf8_lossy(body).into_owned()));
    let description = serde_json::json!({
        "dry_run": "nothing was sent; this is the request the call would send",
        "method": request.method().as_str(),
        "path": request.url().path(),
        "query": request.url().query(),
        "body": body,
    });
    let mut response = http::Response::new(description.to_string());
    response.headers_mut().insert(
        reqwest::header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    reqwest::Response::from(response)
}

/// The HTTP client every request shares (one connection pool), with the configured deadlines.
pub fn http_client(config: &Config) -> anyhow::Result<reqwest::Client> {
    // reqwest is built without a default TLS provider; ring is smaller and quicker to build.
    let _already_installed = rustls::crypto::ring::default_provider().install_default();
    Ok(reqwest::Client::builder()
        // Intercom's API never redirects; following one would re-send a write, body and token
        // included, to whatever host the answer names. A 3xx is reported instead (error.rs).
        .redirect(reqwest::redirect::Policy::none())
        // reqwest's own retry layer resends only HTTP/2 and HTTP/3 refusals; this build speaks
        // HTTP/1.1, so it never retries, yet it copied every request in case it would
        // (policy/ does the retrying that is safe).
        .retry(reqwest::retry::never().max_retries_per_request(0))
        .timeout(config.timeout)
        .connect_timeout(config.timeout.min(Duration::from_secs(10)))
        .build()?)
}

/// A generated client that sends with `token` under `policy`. Cheap: the connection pool and
/// the policy's state are shared, not copied.
pub fn client(base_url: &str, http: reqwest::Client, token: TokenCell, policy: Policy) -> Client {
    Client::new_with_client(
        base_url,
        http,
        Upstream {
            token,
            policy,
            dry_run: false,
            nulls: Vec::new(),
            repeatable: false,
        },
    )
}

/// One client for one workspace (stdio): built once, shared by every tool; its requests are
/// counted in `metrics`.
pub fn connect(
    config: &Config,
    token: TokenCell,
    clock: std::sync::Arc<dyn Clock>,
    metrics: Metrics,
) -> anyhow::Result<Client> {
    let policy = Policy::new(config.limits.clone(), clock, metrics);
    Ok(client(
        &config.base_url,
        http_client(config)?,
        token,
        policy,
    ))
}

impl ClientHooks<Upstream> for Client {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        _info: &OperationInfo,
    ) -> Result<(), progenitor_client::Error<E>> {
        if !self.inner().nulls.is_empty() {
            add_nulls(request, &self.inner().nulls);
        }
        // A dry run sends nothing, so it needs no token (and its description shows none).
        if self.inner().dry_run {
            return Ok(());
        }
        let Some(auth) = self.inner().token.header() else {
            return Err(progenitor_client::Error::Custom(NO_TOKEN.to_owned()));
        };
        self.inner()
            .policy
            .hold()
            .await
            .map_err(progenitor_client::Error::Custom)?;
        let headers = request.headers_mut();
        // progenitor adds `api-version`; Intercom reads `Intercom-Version`.
        headers.remove("api-version");
        headers.insert(AUTHORIZATION, auth);
        headers.insert(
            HeaderName::from_static("intercom-version"),
            HeaderValue::from_static(API_VERSION),
        );
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        headers.insert(USER_AGENT, HeaderValue::from_static(USER_AGENT_VALUE));
        Ok(())
    }

    async fn exec(
        &self,
        request: reqwest::Request,
        info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        if self.inner().dry_run {
            tracing::info!(operation = info.operation_id, "dry run: not sent");
            return Ok(describe(&request));
        }
        let (method, url) = (request.method().clone(), request.url().clone());
        // The token this request carries (a rotation may change the cell's meanwhile); read
        // out of the header only when an error answer has to be cleaned of it.
        let sent = request.headers().get(AUTHORIZATION).cloned();
        let sent_token = || {
            sent.as_ref()
                .and_then(|value| value.to_str().ok())
                .and_then(Secret::from_bearer)
        };
        let span = crate::traces::Outgoing::start(
            info.operation_id,
            path_template(info.operation_id),
            &request,
        );
        let started = Instant::now();
        let result = self
            .inner()
            .policy
            .execute(
                self.client(),
                request,
                info.operation_id,
                self.inner().repeatable,
            )
            .await;
        let elapsed_ms = started.elapsed().as_millis();
        if let (Ok(response), Some(sent)) = (&result, &sent)
            && response.status() == reqwest::StatusCode::UNAUTHORIZED
        {
            self.inner().token.refused_with(sent);
        }
        // What an error answer says is upstream text that may echo the token: redacted here,
        // before any result, doctor line or log line is made from it.
        let result = match result {
            Ok(response) if !response.status().is_success() => match sent_token() {
                Some(token) => {
                    // The sandbox's token is public: a sentence naming it stays readable.
                    let public = [crate::sandbox::TOKEN];
                    Ok(crate::redact::scrub(response, token.expose(), &public, url.clone()).await)
                }
                None => Ok(response),
            },
            result => result,
        };
        span.end(&result);
        let path = url.path();
        match &result {
            Ok(response) => tracing::debug!(
                operation = info.operation_id, %method, path, status = response.status().as_u16(), elapsed_ms, "intercom"
            ),
            Err(err) => tracing::warn!(
                operation = info.operation_id, %method, path, elapsed_ms, error = %err, "intercom request failed"
            ),
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::operations::OPERATIONS;

    /// A trace names an Intercom request by its path's template, found by the operation id
    /// the generated client reports.
    #[test]
    fn each_operation_has_its_path_template() {
        assert_eq!(path_template("show_contact"), "/contacts/{contact_id}");
        assert_eq!(
            path_template("retrieve_a_company_by_id"),
            "/companies/{company_id}"
        );
        assert_eq!(path_template("create_note"), "/contacts/{contact_id}/notes");
        assert_eq!(path_template("identify_admin"), "/me");
        assert_eq!(path_template("invented"), "");
        // The ids the generated client reports (its `OperationInfo`), one per operation.
        let reported = [
            "attach_tag_to_contact",
            "create_contact",
            "create_note",
            "identify_admin",
            "list_admins",
            "list_all_companies",
            "list_contacts",
            "list_conversations",
            "list_tags",
            "list_teams",
            "manage_conversation",
            "reply_conversation",
            "retrieve_a_company_by_id",
            "retrieve_conversation",
            "search_contacts",
            "search_conversations",
            "show_contact",
            "update_contact",
        ];
        assert_eq!(reported.len(), OPERATIONS.len());
        for id in reported {
            assert!(path_template(id).starts_with('/'), "{id}");
        }
    }

    /// Each allowlisted operation paired with the generated method that sends it: this only
    /// compiles when every method exists, and the test fails when a pair is missing.
    #[test]
    fn the_generated_client_has_a_method_for_every_allowlisted_operation() {
        let config = Config::resolve(&crate::config::Flags::default(), |_| None).unwrap();
        let clock = std::sync::Arc::new(crate::policy::SystemClock);
        let client = connect(&config, TokenCell::default(), clock, Metrics::default()).unwrap();
        type Build = fn(&Client);
        let methods: Vec<(&str, Build)> = vec![
            ("ListContacts", |c| {
                let _ = c.list_contacts();
            }),
            ("SearchContacts", |c| {
                let _ = c.search_contacts();
            }),
            ("ShowContact", |c| {
                let _ = c.show_contact();
            }),
            ("CreateContact", |c| {
                let _ = c.create_contact();
            }),
            ("UpdateContact", |c| {
                let _ = c.update_contact();
            }),
            ("createNote", |c| {
                let _ = c.create_note();
            }),
            ("listConversations", |c| {
                let _ = c.list_conversations();
            }),
            ("searchConversations", |c| {
                let _ = c.search_conversations();
            }),
            ("retrieveConversation", |c| {
                let _ = c.retrieve_conversation();
            }),
            ("replyConversation", |c| {
                let _ = c.reply_conversation();
            }),
            ("manageConversation", |c| {
                let _ = c.manage_conversation();
            }),
            ("listAllCompanies", |c| {
                let _ = c.list_all_companies();
            }),
            ("RetrieveACompanyById", |c| {
                let _ = c.retrieve_a_company_by_id();
            }),
            ("listTags", |c| {
                let _ = c.list_tags();
            }),
            ("attachTagToContact", |c| {
                let _ = c.attach_tag_to_contact();
            }),
            ("identifyAdmin", |c| {
                let _ = c.identify_admin();
            }),
            ("listAdmins", |c| {
                let _ = c.list_admins();
            }),
            ("listTeams", |c| {
                let _ = c.list_teams();
            }),
        ];
        let mut paired: Vec<&str> = methods
            .iter()
            .map(|(id, build)| {
                build(&client);
                *id
            })
            .collect();
        let mut expected = OPERATIONS.to_vec();
        paired.sort_unstable();
        expected.sort_unstable();
        assert_eq!(paired, expected);
    }
}
