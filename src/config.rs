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
#[derive(Args, Debug, Default, Clone)]
pub struct Flags {
    /// Intercom region: us, eu or au [env: intercomRegion, INTERCOM_REGION] [default: us]
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,
    /// API base URL, overriding the region's [env: INTERCOM_BASE_URL]
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// Per-request timeout in milliseconds [env: INTERCOM_API_TIMEOUT] [default: 30000]
    #[arg(long, value_name = "MS")]
    pub api_timeout: Option<u64>,
    /// Log level on stderr: error, warn, info, debug or trace [env: LOG_LEVEL] [default: info]
    #[arg(long, value_name = "LEVEL")]
    pub log_level: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Config {
    pub token: Option<Secret>,
    pub region: Region,
    pub base_url: String,
    pub timeout: Duration,
    pub log_level: String,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
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
}

const DEFAULT_TIMEOUT_MS: u64 = 30_000;
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
        let token = first(&TOKEN_VARS).and_then(|raw| Secret::parse(&raw));
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
            Some(url) if url.starts_with("http://") || url.starts_with("https://") => {
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
        Ok(Self {
            token,
            region,
            base_url,
            timeout: Duration::from_millis(timeout_ms),
            log_level,
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
            resolve(&[("accessToken", "Bearer   ")]).unwrap().token,
            None
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
            ("INTERCOM_BASE_URL", "http://127.0.0.1:9/"),
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
    fn a_secret_never_prints() {
        let secret = Secret::parse("tok_secret_value").unwrap();
        assert!(!format!("{secret:?} {secret}").contains("tok_secret_value"));
    }
}
