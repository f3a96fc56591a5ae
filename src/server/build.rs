//! How a server is built: one workspace over stdio (the configured token, rotated by token
//! updates), or many over HTTP (each request's own token), with the tools, confirmations,
//! metrics and audit trail every call of [`IntercomServer::call_in`] shares.

use std::sync::Arc;

use crate::audit::Audit;
use crate::config::Config;
use crate::confirm::{self, round::Rounds};
use crate::credentials::{Credentials, LazyContext, Tenants};
use crate::intercom::{self, TokenCell};
use crate::logging::ClientLog;
use crate::metrics::Metrics;
use crate::policy::{Clock, SystemClock};
use crate::tools;
use crate::workspace::Context;
use crate::workspace::admin::DefaultAdmin;

use super::{IntercomServer, State, handler};

impl IntercomServer {
    /// One workspace, over stdio: the configured token, rotated by token updates.
    pub fn new(config: &Config) -> anyhow::Result<Self> {
        Self::with_clock(config, Arc::new(SystemClock))
    }

    /// As [`IntercomServer::new`], with the clock the request policy waits on (tests record
    /// waits instead of sleeping).
    pub fn with_clock(config: &Config, clock: Arc<dyn Clock>) -> anyhow::Result<Self> {
        let token = TokenCell::new(config.token.clone());
        let metrics = Metrics::default();
        let context = LazyContext::new({
            let (config, token, clock) = (config.clone(), token.clone(), Arc::clone(&clock));
            let metrics = metrics.clone();
            move || {
                let (clock, metrics) = (Arc::clone(&clock), metrics.clone());
                let client = intercom::connect(&config, token.clone(), clock, metrics)?;
                let admin = Arc::new(DefaultAdmin::new(config.admin_id.clone(), token.clone()));
                Ok(Context::new(
                    client,
                    admin,
                    Arc::default(),
                    config.exposure.dry_run,
                    config.untrusted,
                ))
            }
        });
        let rounds = Rounds::in_process().map_err(anyhow::Error::msg)?;
        let credentials = Credentials::Fixed { context, token };
        Self::build(config, credentials, rounds, clock, metrics)
    }

    /// Many workspaces, over HTTP: each request's own token (see [`crate::credentials`]);
    /// confirmations open only on this process (see [`IntercomServer::per_request_with`]).
    pub fn per_request(config: &Config, clock: Arc<dyn Clock>) -> anyhow::Result<Self> {
        let rounds = Rounds::in_process().map_err(anyhow::Error::msg)?;
        Self::per_request_with(config, clock, rounds)
    }

    /// As [`IntercomServer::per_request`], with the key and store every replica shares for
    /// confirmations' request states.
    pub fn per_request_with(
        config: &Config,
        clock: Arc<dyn Clock>,
        rounds: Rounds,
    ) -> anyhow::Result<Self> {
        let metrics = Metrics::default();
        let tenants = Tenants::new(config, Arc::clone(&clock), metrics.clone())?;
        let credentials = Credentials::PerRequest(tenants);
        Self::build(config, credentials, rounds, clock, metrics)
    }

    fn build(
        config: &Config,
        credentials: Credentials,
        rounds: Rounds,
        clock: Arc<dyn Clock>,
        metrics: Metrics,
    ) -> anyhow::Result<Self> {
        let tools = tools::select(&config.exposure).map_err(anyhow::Error::msg)?;
        let log = match &credentials {
            Credentials::Fixed { .. } => ClientLog::session(),
            Credentials::PerRequest(_) => ClientLog::stateless(),
        };
        let state = State {
            log,
            tools,
            credentials,
            region: config.region_in_use(),
            confirm_writes: config.confirm_writes,
            unconfirmable: config.unconfirmable,
            rounds,
            clock,
            asking: confirm::Gauge::default(),
            running: confirm::Gauge::default(),
            metrics,
            audit: Audit::open(config.audit_log.as_ref()),
            instructions: format!(
                "{} {}",
                handler::INSTRUCTIONS,
                crate::untrusted::explained(config.untrusted)
            ),
        };
        Ok(Self {
            state: Arc::new(state),
        })
    }
}
