//! Configuration: environment variables (the TypeScript server's names and `INTERCOM_*`),
//! command-line flags, and the errors that say what to set.

use std::fmt;
use std::time::Duration;

use clap::Args;

/// Environment variables read for the access token, in order of preference.
pub const TOKEN_VARS: [&str; 2] = ["accessToken", "INTERCOM_ACCESS_TOKEN"];
/// Environment variables read for the region, in order of preference.
pub const REGION_VARS: [&str; 2] = ["intercomRegion", "INTERCOM_REGION"];

/// An Intercom access token. Its `Debug` and `Display` never show it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Accepts a bare token or `Bearer <token>`, with surrounding whitespace; `None` when
    /// nothing usable is left.
    pub fn parse(raw: &str) -> Option<Self> {
        let trimmed = raw.trim();
        let token = match trimmed.split_once(char::is_whitespace) {
            Some((scheme, rest)) if scheme.eq_ignore_ascii_case("bearer") => rest.trim(),
            _ if trimmed.eq_ignore_ascii_case("bearer") => "",
            _ => trimmed,
        };
        let usable = !token.is_empty() && token.chars().all(|c| c.is_ascii_graphic());
        usable.then(|| Self(token.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// Intercom's data-hosting regions; a token only works against its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Region {
    Us,
    Eu,
    Au,
}

impl Region {
    pub const ALL: [Region; 3] = [Region::Us, Region::Eu, Region::Au];

    pub fn base_url(self) -> &'static str {
        match self {
            Region::Us => "https://api.intercom.io",
            Region::Eu => "https://api.eu.intercom.io",
            Region::Au => "https://api.au.intercom.io",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Region::Us => "us",
            Region::Eu => "eu",
            Region::Au => "au",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|region| region.name().eq_ignore_ascii_case(text.trim()))
    }
}

/// Flags; each falls back to its environment variable(s), read in [`Config::resolve`].
/// The token has no flag on purpose: a command line is visible to every user of the machine.
// One doc line, one `#[arg]` and one field a flag: the shape clap's derive asks for.
#[derive(Args, Debug, Default, Clone)]
pub struct Flags {
    /// Intercom region: us, eu or au [env: intercomRegion, INTERCOM_REGION] [default: us]
    #[arg(long, global = true, value_name = "REGION")]
    pub region: Option<String>,
    /// API base URL, overriding the region's [env: INTERCOM_BASE_URL]
    #[arg(long, global = true, value_name = "URL")]
    pub base_url: Option<String>,
    /// Per-request timeout in milliseconds [env: INTERCOM_API_TIMEOUT] [default: 30000]
    #[arg(long, global = true, value_name = "MS")]
    pub api_timeout: Option<u64>,
    /// Log level on stderr: error, warn, info, debug or trace [env: LOG_LEVEL] [default: info]
    #[arg(long, global = true, value_name = "LEVEL")]
    pub log_level: Option<String>,
    /// Longest wait for a rate-limit window, in seconds [env: INTERCOM_MAX_RETRY_WAIT] [default: 60]
    #[arg(long, global = true, value_name = "SECONDS")]
    pub max_retry_wait: Option<u64>,
    /// Requests to Intercom in flight at once [env: INTERCOM_MAX_IN_FLIGHT] [default: 8]
    #[arg(long, global = true, value_name = "N")]
    pub max_in_flight: Option<u64>,
    /// Largest response body read, in bytes [env: INTERCOM_MAX_BODY_BYTES] [default: 16777216]
    #[arg(long, global = true, value_name = "BYTES")]
    pub max_body_bytes: Option<u64>,
    /// Largest JSON-RPC message accepted, in bytes [env: INTERCOM_MAX_REQUEST_BYTES] [default: 4194304]
    #[arg(long, global = true, value_name = "BYTES")]
    pub max_request_bytes: Option<u64>,
    /// Admin that replies, closes, assigns and notes act as when a call names none
    /// [env: INTERCOM_ADMIN_ID] [default: the admin who owns the token]
    #[arg(long, global = true, value_name = "ID")]
    pub admin_id: Option<String>,
    /// Expose only the 9 read tools [env: INTERCOM_READ_ONLY]
    #[arg(long, global = true)]
    pub read_only: bool,
    /// Write tools return the request they would send, and send nothing [env: INTERCOM_DRY_RUN]
    #[arg(long, global = true)]
    pub dry_run: bool,
    /// Expose only these tools, comma-separated [env: INTERCOM_TOOLS]
    #[arg(long, global = true, value_name = "NAMES", value_delimiter = ',')]
    pub tools: Option<Vec<String>>,
}

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
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_retry_wait: Duration::from_secs(60),
            attempts: 3,
            max_in_flight: 8,
            max_body_bytes: 16 * 1024 * 1024,
            max_request_bytes: 4 * 1024 * 1024,
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    /// Says what is wrong without repeating any of the value.
    #[error(
        "the access token (accessToken / INTERCOM_ACCESS_TOKEN) is set but unusable: a token is one \
         word of visible ASCII characters, optionally after `Bearer `"
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
        };
        Ok(Self {
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn resolve(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).into(), (*v).into()))
            .collect();
        Config::resolve(&Flags::default(), |name| vars.get(name).cloned())
    }

    #[test]
    fn defaults_without_any_variable() {
        let config = resolve(&[]).unwrap();
        assert_eq!(config.token, None);
        assert_eq!(config.region, Region::Us);
        assert_eq!(config.base_url, "https://api.intercom.io");
        assert_eq!(config.timeout, Duration::from_millis(30_000));
        assert_eq!(config.log_level, "info");
    }

    #[test]
    fn token_from_either_name_with_bearer_and_whitespace_tolerated() {
        let config = resolve(&[("accessToken", "  Bearer tok_123 \n")]).unwrap();
        assert_eq!(config.token.unwrap().expose(), "tok_123");
        let config = resolve(&[("INTERCOM_ACCESS_TOKEN", "tok_456")]).unwrap();
        assert_eq!(config.token.unwrap().expose(), "tok_456");
        let config = resolve(&[
            ("accessToken", "first"),
            ("INTERCOM_ACCESS_TOKEN", "second"),
        ])
        .unwrap();
        assert_eq!(config.token.unwrap().expose(), "first");
        assert_eq!(
            resolve(&[("accessToken", "Bearer   ")]).unwrap_err(),
            ConfigError::Token
        );
        let err = resolve(&[("accessToken", "tok with spaces")])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("unusable") && !err.contains("tok with spaces"),
            "{err}"
        );
        assert_eq!(
            resolve(&[("accessToken", "   ")]).unwrap().token,
            None,
            "blank means unset"
        );
    }

    #[test]
    fn regions_and_an_unknown_one_listing_the_choices() {
        let config = resolve(&[("intercomRegion", "EU")]).unwrap();
        assert_eq!(config.base_url, "https://api.eu.intercom.io");
        let config = resolve(&[("INTERCOM_REGION", "au")]).unwrap();
        assert_eq!(config.base_url, "https://api.au.intercom.io");
        let err = resolve(&[("INTERCOM_REGION", "mars")])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("us, eu or au") && err.contains("mars"),
            "{err}"
        );
    }

    #[test]
    fn base_url_override_timeout_and_log_level() {
        let config = resolve(&[
            ("INTERCOM_BASE_URL", " http://127.0.0.1:9/ "),
            ("INTERCOM_API_TIMEOUT", "1500"),
            ("LOG_LEVEL", "TRACE"),
        ])
        .unwrap();
        assert_eq!(config.base_url, "http://127.0.0.1:9");
        assert_eq!(config.timeout, Duration::from_millis(1500));
        assert_eq!(config.log_level, "trace");
        assert!(resolve(&[("INTERCOM_API_TIMEOUT", "soon")]).is_err());
        assert!(resolve(&[("INTERCOM_BASE_URL", "api.intercom.io")]).is_err());
        assert!(resolve(&[("LOG_LEVEL", "loud")]).is_err());
    }

    #[test]
    fn safety_switches() {
        assert_eq!(resolve(&[]).unwrap().exposure, Exposure::default());
        let exposure = resolve(&[
            ("INTERCOM_READ_ONLY", "1"),
            ("INTERCOM_DRY_RUN", "true"),
            ("INTERCOM_TOOLS", "intercomListTags, intercomGetContact"),
        ])
        .unwrap()
        .exposure;
        assert!(exposure.read_only && exposure.dry_run);
        assert_eq!(
            exposure.tools.unwrap(),
            ["intercomListTags", "intercomGetContact"]
        );
        assert!(resolve(&[("INTERCOM_READ_ONLY", "maybe")]).is_err());
    }

    #[test]
    fn limits_from_the_environment() {
        assert_eq!(resolve(&[]).unwrap().limits, Limits::default());
        let limits = resolve(&[
            ("INTERCOM_MAX_RETRY_WAIT", "5"),
            ("INTERCOM_MAX_IN_FLIGHT", "2"),
            ("INTERCOM_MAX_BODY_BYTES", "1024"),
            ("INTERCOM_MAX_REQUEST_BYTES", "2048"),
        ])
        .unwrap()
        .limits;
        assert_eq!(limits.max_retry_wait, Duration::from_secs(5));
        assert_eq!(
            (
                limits.max_in_flight,
                limits.max_body_bytes,
                limits.max_request_bytes
            ),
            (2, 1024, 2048)
        );
        let err = resolve(&[("INTERCOM_MAX_IN_FLIGHT", "0")])
            .unwrap_err()
            .to_string();
        assert!(err.contains("INTERCOM_MAX_IN_FLIGHT"), "{err}");
    }

    #[test]
    fn a_secret_never_prints() {
        let secret = Secret::parse("tok_secret_value").unwrap();
        assert!(!format!("{secret:?} {secret}").contains("tok_secret_value"));
    }
}
