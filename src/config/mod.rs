//! Configuration: environment variables (the TypeScript server's names and `INTERCOM_*`) and
//! flags ([`flags`]) resolved into one validated [`Config`], with the errors that say what to
//! set; the token and its parsing live in [`secret`].

mod choices;
mod flags;
mod region;
mod secret;

use std::time::Duration;

pub use choices::{ConfirmWrites, Unconfirmable, UntrustedMode};
pub use flags::Flags;
pub use region::Region;
pub use secret::{Secret, is_b64token};

/// Environment variables read for the access token, in order of preference.
pub const TOKEN_VARS: [&str; 2] = ["accessToken", "INTERCOM_ACCESS_TOKEN"];
/// Environment variables read for the region, in order of preference.
pub const REGION_VARS: [&str; 2] = ["intercomRegion", "INTERCOM_REGION"];

#[derive(Clone, Debug)]
pub struct Config {
    pub token: Option<Secret>,
    pub region: Region,
    pub base_url: String,
    pub timeout: Duration,
    pub log_level: String,
    pub limits: Limits,
    /// The default admin for writes that act as one; `None`: the token's owner (GET /me).
    pub admin_id: Option<String>,
    pub exposure: Exposure,
    /// How customer-written text reaches the model.
    pub untrusted: UntrustedMode,
    /// Which writes the user confirms first (when the client can be asked).
    pub confirm_writes: ConfirmWrites,
    /// What becomes of such a write when the user cannot be asked.
    pub unconfirmable: Unconfirmable,
    /// Serve the embedded sample workspace instead of Intercom. A variable as well as a flag,
    /// because a Claude Desktop bundle's settings can only fill values, not add arguments.
    pub sandbox: bool,
    /// Where the audit trail of writes goes; `None`: no audit is written.
    pub audit_log: Option<AuditLog>,
}

/// Where `--audit-log` (`INTERCOM_MCP_AUDIT_LOG`) writes: a file, or stderr (`-`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AuditLog {
    File(std::path::PathBuf),
    Stderr,
}

impl AuditLog {
    /// `-` is stderr; anything else a path. Blank means unset.
    fn parse(text: &str) -> Option<Self> {
        match text.trim() {
            "" => None,
            "-" => Some(Self::Stderr),
            path => Some(Self::File(path.into())),
        }
    }
}

/// Which tools are offered, and whether writes really happen: safety switches.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Exposure {
    pub read_only: bool,
    pub dry_run: bool,
    /// Only these tools, when given.
    pub tools: Option<Vec<String>>,
}

/// Bounds on waiting, concurrency and sizes; see the README's Reliability section.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// A rate-limit wait longer than this is not waited out: the call fails saying when to retry.
    pub max_retry_wait: Duration,
    /// Attempts in all for a repeatable operation that meets a transient failure.
    pub attempts: usize,
    pub max_in_flight: usize,
    pub max_body_bytes: usize,
    /// One JSON-RPC message (and so one call's arguments) at most this large.
    pub max_request_bytes: usize,
    /// HTTP connections open at once; more wait to be accepted.
    pub max_connections: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_retry_wait: Duration::from_secs(60),
            attempts: 3,
            max_in_flight: 8,
            max_body_bytes: 16 * 1024 * 1024,
            max_request_bytes: 4 * 1024 * 1024,
            max_connections: 4096,
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    /// Says what is wrong without repeating any of the value.
    #[error(
        "the access token (accessToken / INTERCOM_ACCESS_TOKEN) is set but unusable: a token is one \
         word of letters, digits and - . _ ~ + / (then any = signs), optionally after `Bearer ` \
         (one space)"
    )]
    Token,
    #[error(
        "unknown Intercom region {0:?}: choose us, eu or au (intercomRegion / INTERCOM_REGION)"
    )]
    Region(String),
    #[error("INTERCOM_BASE_URL must start with http:// or https://, got {0:?}")]
    BaseUrl(String),
    #[error("INTERCOM_API_TIMEOUT must be a whole number of milliseconds above 0, got {0:?}")]
    Timeout(String),
    #[error("LOG_LEVEL must be one of error, warn, info, debug, trace, got {0:?}")]
    LogLevel(String),
    #[error("{0} must be a whole number above 0, got {1:?}")]
    Number(&'static str, String),
    #[error("{0} must be 1/true/yes/on or 0/false/no/off, got {1:?}")]
    Switch(&'static str, String),
    #[error("INTERCOM_UNTRUSTED (--untrusted) must be fence or lockdown, got {0:?}")]
    Untrusted(String),
    #[error(
        "INTERCOM_CONFIRM_WRITES (--confirm-writes) must be never, customer-visible or all, got {0:?}"
    )]
    ConfirmWrites(String),
    #[error("INTERCOM_UNCONFIRMABLE (--unconfirmable) must be send or refuse, got {0:?}")]
    Unconfirmable(String),
}

const DEFAULT_TIMEOUT_MS: u64 = 30_000;

impl Config {
    /// The region requests go to; `None` when INTERCOM_BASE_URL points elsewhere.
    pub fn region_in_use(&self) -> Option<Region> {
        (self.base_url == self.region.base_url()).then_some(self.region)
    }
}
const LOG_LEVELS: [&str; 5] = ["error", "warn", "info", "debug", "trace"];

impl Config {
    /// Flags win over the environment; `env` is a lookup so tests need not touch the process.
    pub fn resolve(
        flags: &Flags,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let first = |names: &[&str]| {
            names
                .iter()
                .find_map(|name| env(name).filter(|v| !v.trim().is_empty()))
        };
        let token = match first(&TOKEN_VARS) {
            None => None,
            Some(raw) => Some(Secret::parse(&raw).ok_or(ConfigError::Token)?),
        };
        let region = match flags.region.clone().or_else(|| first(&REGION_VARS)) {
            None => Region::Us,
            Some(text) => Region::parse(&text).ok_or(ConfigError::Region(text))?,
        };
        let base_url = match flags
            .base_url
            .clone()
            .or_else(|| first(&["INTERCOM_BASE_URL"]))
        {
            None => region.base_url().to_owned(),
            Some(url)
                if url.trim().starts_with("http://") || url.trim().starts_with("https://") =>
            {
                url.trim().trim_end_matches('/').to_owned()
            }
            Some(url) => return Err(ConfigError::BaseUrl(url)),
        };
        let timeout_ms = match flags.api_timeout {
            Some(ms) => ms,
            None => match first(&["INTERCOM_API_TIMEOUT"]) {
                None => DEFAULT_TIMEOUT_MS,
                Some(text) => text
                    .trim()
                    .parse()
                    .map_err(|_| ConfigError::Timeout(text))?,
            },
        };
        if timeout_ms == 0 {
            return Err(ConfigError::Timeout("0".to_owned()));
        }
        let log_level = flags
            .log_level
            .clone()
            .or_else(|| first(&["LOG_LEVEL"]))
            .unwrap_or_else(|| "info".to_owned())
            .trim()
            .to_ascii_lowercase();
        if !LOG_LEVELS.contains(&log_level.as_str()) {
            return Err(ConfigError::LogLevel(log_level));
        }
        let number =
            |flag: Option<u64>, name: &'static str, default: u64| -> Result<u64, ConfigError> {
                let value = match flag {
                    Some(value) => value,
                    None => match first(&[name]) {
                        None => default,
                        Some(text) => text
                            .trim()
                            .parse()
                            .map_err(|_| ConfigError::Number(name, text))?,
                    },
                };
                if value == 0 {
                    return Err(ConfigError::Number(name, "0".to_owned()));
                }
                Ok(value)
            };
        let switch = |name: &'static str| -> Result<bool, ConfigError> {
            match first(&[name]).map(|text| text.trim().to_ascii_lowercase()) {
                None => Ok(false),
                Some(text) if matches!(text.as_str(), "1" | "true" | "yes" | "on") => Ok(true),
                Some(text) if matches!(text.as_str(), "0" | "false" | "no" | "off") => Ok(false),
                Some(text) => Err(ConfigError::Switch(name, text)),
            }
        };
        let defaults = Limits::default();
        let as_usize = |value: u64| usize::try_from(value).unwrap_or(usize::MAX);
        let limits = Limits {
            max_retry_wait: Duration::from_secs(number(
                flags.max_retry_wait,
                "INTERCOM_MAX_RETRY_WAIT",
                defaults.max_retry_wait.as_secs(),
            )?),
            attempts: defaults.attempts,
            max_in_flight: as_usize(number(
                flags.max_in_flight,
                "INTERCOM_MAX_IN_FLIGHT",
                defaults.max_in_flight as u64,
            )?),
            max_body_bytes: as_usize(number(
                flags.max_body_bytes,
                "INTERCOM_MAX_BODY_BYTES",
                defaults.max_body_bytes as u64,
            )?),
            max_request_bytes: as_usize(number(
                flags.max_request_bytes,
                "INTERCOM_MAX_REQUEST_BYTES",
                defaults.max_request_bytes as u64,
            )?),
            max_connections: as_usize(number(
                flags.max_connections,
                "INTERCOM_MAX_CONNECTIONS",
                defaults.max_connections as u64,
            )?),
        };
        let untrusted = choice(flags.untrusted.clone(), first(&["INTERCOM_UNTRUSTED"]))
            .map_err(ConfigError::Untrusted)?;
        let confirm_writes = choice(
            flags.confirm_writes.clone(),
            first(&["INTERCOM_CONFIRM_WRITES"]),
        )
        .map_err(ConfigError::ConfirmWrites)?;
        let unconfirmable = choice(
            flags.unconfirmable.clone(),
            first(&["INTERCOM_UNCONFIRMABLE"]),
        )
        .map_err(ConfigError::Unconfirmable)?;
        let audit_log = flags
            .audit_log
            .clone()
            .or_else(|| first(&["INTERCOM_MCP_AUDIT_LOG"]))
            .and_then(|text| AuditLog::parse(&text));
        Ok(Self {
            audit_log,
            sandbox: flags.sandbox || switch("INTERCOM_SANDBOX")?,
            confirm_writes,
            unconfirmable,
            untrusted,
            token,
            region,
            base_url,
            timeout: Duration::from_millis(timeout_ms),
            log_level,
            limits,
            admin_id: flags
                .admin_id
                .clone()
                .or_else(|| first(&["INTERCOM_ADMIN_ID"]))
                .map(|id| id.trim().to_owned()),
            exposure: Exposure {
                read_only: flags.read_only || switch("INTERCOM_READ_ONLY")?,
                dry_run: flags.dry_run || switch("INTERCOM_DRY_RUN")?,
                tools: flags.tools.clone().or_else(|| {
                    first(&["INTERCOM_TOOLS"])
                        .map(|list| list.split(',').map(|name| name.trim().to_owned()).collect())
                }),
            },
        })
    }
}

/// One of an enum's values, from the flag or else the variable; its default when neither is
/// set; the text given when it names none.
fn choice<T: clap::ValueEnum + Default>(
    flag: Option<String>,
    variable: Option<String>,
) -> Result<T, String> {
    match flag.or(variable) {
        None => Ok(T::default()),
        Some(text) => T::from_str(text.trim(), true).map_err(|_| text),
    }
}

#[cfg(test)]
mod tests;
