//! Where a call's Intercom token comes from. Over stdio the server has one workspace's token
//! (rotated by notification). Over HTTP each request brings its own: every token is a tenant
//! with its own rate-limit view, in-flight cap and default admin, found again by a keyed hash
//! of the token. The token itself is used for that request only and never kept.

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::sync::{Arc, Mutex, OnceLock};

use crate::config::{Config, Limits, Secret, UntrustedMode};
use crate::intercom::{self, TokenCell};
use crate::metrics::Metrics;
use crate::policy::{Clock, Policy};
use crate::workspace::Context;
use crate::workspace::admin::DefaultAdmin;
use crate::workspace::directory::Directory;

/// What a request without credentials reads, on a server that takes each request's token (the
/// HTTP layer refuses those before they get here).
pub const NO_REQUEST_TOKEN: &str =
    "This request carries no Intercom token: send Authorization: Bearer <token>.";

/// The workspace one request acts on: the one shared context (stdio), or a context made for
/// this request's token (HTTP).
pub enum Workspace<'a> {
    Shared(&'a Context),
    Own(Box<Context>),
}

impl std::ops::Deref for Workspace<'_> {
    type Target = Context;

    fn deref(&self) -> &Context {
        match self {
            Workspace::Shared(context) => context,
            Workspace::Own(context) => context,
        }
    }
}

impl Credentials {
    /// The workspace a request acts on; `parts` are the HTTP request's, where there is one.
    /// `Err` says, for the model or the user, why no call can reach Intercom.
    pub fn workspace(&self, parts: Option<&http::request::Parts>) -> Result<Workspace<'_>, String> {
        match self {
            Credentials::Fixed { context, .. } => context.get().map(Workspace::Shared).map_err(|err| {
                format!("the server cannot make its HTTP client, so no call can reach Intercom: {err:#}")
            }),
            Credentials::PerRequest(tenants) => {
                match parts.and_then(|parts| parts.extensions.get::<RequestToken>()) {
                    Some(request_token) => {
                        Ok(Workspace::Own(Box::new(tenants.context(request_token))))
                    }
                    None => Err(NO_REQUEST_TOKEN.to_owned()),
                }
            }
        }
    }
}

/// The token an HTTP request acts with, put in the request's extensions by the HTTP layer
/// once it has checked the request's credentials; with OAuth, also the API base URL of the
/// region the token's workspace lives in. Every call of the request uses its one token cell,
/// which notes when Intercom refuses the token ([`RequestToken::refused_by_intercom`]).
#[derive(Clone)]
pub struct RequestToken {
    pub token: Secret,
    pub base_url: Option<String>,
    /// With OAuth, the client our access token was issued to (who acted, for the audit trail).
    pub client_id: Option<String>,
    cell: TokenCell,
}

impl RequestToken {
    pub fn new(token: Secret, base_url: Option<String>) -> Self {
        Self {
            cell: TokenCell::new(Some(token.clone())),
            token,
            base_url,
            client_id: None,
        }
    }

    /// The same, for an access token issued to `client_id`.
    pub fn issued_to(mut self, client_id: Option<String>) -> Self {
        self.client_id = client_id;
        self
    }

    /// Whether Intercom answered 401 to a call this request made with its token.
    pub fn refused_by_intercom(&self) -> bool {
        self.cell.is_refused()
    }
}

pub enum Credentials {
    /// One workspace: the configured token, or the latest token update.
    Fixed {
        context: LazyContext,
        token: TokenCell,
    },
    /// Whatever token each request brings.
    PerRequest(Tenants),
}

/// The one workspace's context, made at the first call that needs it. Making it builds the
/// HTTP client, which loads and parses the system's CA certificates: a session that only lists
/// tools never pays for that, and the server is up sooner.
pub struct LazyContext {
    made: OnceLock<Context>,
    make: Box<dyn Fn() -> anyhow::Result<Context> + Send + Sync>,
}

impl LazyContext {
    pub fn new(make: impl Fn() -> anyhow::Result<Context> + Send + Sync + 'static) -> Self {
        Self {
            made: OnceLock::new(),
            make: Box::new(make),
        }
    }

    /// The context; the error when it cannot be made (tried again at the next call).
    pub fn get(&self) -> anyhow::Result<&Context> {
        if let Some(context) = self.made.get() {
            return Ok(context);
        }
        let context = (self.make)()?;
        // Two first calls at once may both make one; the first stored is the one kept.
        Ok(self.made.get_or_init(|| context))
    }
}

/// Tenants seen so far, at most this many (then the table starts afresh): the state kept per
/// tenant is a rate-limit view and a cached admin id, cheap to lose.
const MAX_TENANTS: usize = 10_000;

pub struct Tenants {
    http: reqwest::Client,
    base_url: String,
    limits: Limits,
    clock: Arc<dyn Clock>,
    /// Every tenant's requests are counted here, in aggregate.
    metrics: Metrics,
    admin_id: Option<String>,
    dry_run: bool,
    untrusted: UntrustedMode,
    /// Random per process: a tenant's key says nothing about its token outside this process.
    hasher: RandomState,
    known: Mutex<HashMap<u64, Tenant>>,
}

#[derive(Clone)]
struct Tenant {
    policy: Policy,
    admin: Arc<DefaultAdmin>,
    directory: Arc<Directory>,
}

impl Tenants {
    pub fn new(config: &Config, clock: Arc<dyn Clock>, metrics: Metrics) -> anyhow::Result<Self> {
        Ok(Self {
            http: intercom::http_client(config)?,
            base_url: config.base_url.clone(),
            limits: config.limits.clone(),
            clock,
            metrics,
            admin_id: config.admin_id.clone(),
            dry_run: config.exposure.dry_run,
            untrusted: config.untrusted,
            hasher: RandomState::new(),
            known: Mutex::new(HashMap::new()),
        })
    }

    /// The context one request runs in: its own token (and region), its tenant's shared state.
    pub fn context(&self, request: &RequestToken) -> Context {
        let token = &request.token;
        let tenant = self.tenant(token);
        let client = intercom::client(
            request.base_url.as_deref().unwrap_or(&self.base_url),
            self.http.clone(),
            request.cell.clone(),
            tenant.policy,
        );
        Context::new(
            client,
            tenant.admin,
            tenant.directory,
            self.dry_run,
            self.untrusted,
        )
    }

    fn tenant(&self, token: &Secret) -> Tenant {
        let key = self.hasher.hash_one(token.expose());
        let mut known = self
            .known
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if known.len() >= MAX_TENANTS && !known.contains_key(&key) {
            known.clear();
        }
        known
            .entry(key)
            .or_insert_with(|| Tenant {
                policy: Policy::new(
                    self.limits.clone(),
                    Arc::clone(&self.clock),
                    self.metrics.clone(),
                ),
                // The admin cache is this tenant's; it needs no token of its own.
                admin: Arc::new(DefaultAdmin::new(
                    self.admin_id.clone(),
                    TokenCell::default(),
                )),
                directory: Arc::default(),
            })
            .clone()
    }
}
