//! How the environment and flags resolve into a configuration. Each setting's test has the
//! same shape (good values, then the error for a bad one): the duplicates check lists them.

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
    assert_eq!(resolve(&[]).unwrap().untrusted, super::UntrustedMode::Fence);
    assert_eq!(
        resolve(&[("INTERCOM_UNTRUSTED", " Lockdown ")])
            .unwrap()
            .untrusted,
        super::UntrustedMode::Lockdown
    );
    assert_eq!(
        resolve(&[("INTERCOM_UNTRUSTED", "off")]).unwrap_err(),
        ConfigError::Untrusted("off".to_owned())
    );
    assert_eq!(
        resolve(&[]).unwrap().confirm_writes,
        super::ConfirmWrites::CustomerVisible
    );
    assert_eq!(
        resolve(&[("INTERCOM_CONFIRM_WRITES", "all")])
            .unwrap()
            .confirm_writes,
        super::ConfirmWrites::All
    );
    assert!(resolve(&[("INTERCOM_CONFIRM_WRITES", "sometimes")]).is_err());
    assert_eq!(
        resolve(&[]).unwrap().unconfirmable,
        super::Unconfirmable::Send
    );
    assert_eq!(
        resolve(&[("INTERCOM_UNCONFIRMABLE", "refuse")])
            .unwrap()
            .unconfirmable,
        super::Unconfirmable::Refuse
    );
    assert_eq!(
        resolve(&[("INTERCOM_UNCONFIRMABLE", "ask")]).unwrap_err(),
        ConfigError::Unconfirmable("ask".to_owned())
    );
    assert_eq!(
        exposure.tools.unwrap(),
        ["intercomListTags", "intercomGetContact"]
    );
    assert!(resolve(&[("INTERCOM_READ_ONLY", "maybe")]).is_err());
}

/// A bundle's settings fill `INTERCOM_SANDBOX` with "true" or "false"; it reads like the
/// other switches, and the flag alone turns it on too.
#[test]
fn sandbox_switch() {
    assert!(!resolve(&[]).unwrap().sandbox);
    assert!(resolve(&[("INTERCOM_SANDBOX", "true")]).unwrap().sandbox);
    assert!(resolve(&[("INTERCOM_SANDBOX", " On ")]).unwrap().sandbox);
    assert!(!resolve(&[("INTERCOM_SANDBOX", "false")]).unwrap().sandbox);
    assert!(!resolve(&[("INTERCOM_SANDBOX", "")]).unwrap().sandbox);
    assert_eq!(
        resolve(&[("INTERCOM_SANDBOX", "sometimes")]).unwrap_err(),
        ConfigError::Switch("INTERCOM_SANDBOX", "sometimes".to_owned())
    );
    let flags = Flags {
        sandbox: true,
        ..Flags::default()
    };
    assert!(Config::resolve(&flags, |_| None).unwrap().sandbox);
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
fn the_connection_cap_comes_from_the_environment() {
    assert_eq!(resolve(&[]).unwrap().limits.max_connections, 4096);
    let limits = resolve(&[("INTERCOM_MAX_CONNECTIONS", "100")])
        .unwrap()
        .limits;
    assert_eq!(limits.max_connections, 100);
    let err = resolve(&[("INTERCOM_MAX_CONNECTIONS", "0")])
        .unwrap_err()
        .to_string();
    assert!(err.contains("INTERCOM_MAX_CONNECTIONS"), "{err}");
}

#[test]
fn the_audit_log_is_a_path_stderr_or_nothing() {
    assert_eq!(resolve(&[]).unwrap().audit_log, None);
    assert_eq!(
        resolve(&[("INTERCOM_MCP_AUDIT_LOG", " ")])
            .unwrap()
            .audit_log,
        None
    );
    assert_eq!(
        resolve(&[("INTERCOM_MCP_AUDIT_LOG", "-")])
            .unwrap()
            .audit_log,
        Some(AuditLog::Stderr)
    );
    assert_eq!(
        resolve(&[(
            "INTERCOM_MCP_AUDIT_LOG",
            "/var/log/intercom-mcp/audit.jsonl"
        )])
        .unwrap()
        .audit_log,
        Some(AuditLog::File("/var/log/intercom-mcp/audit.jsonl".into()))
    );
    let flags = Flags {
        audit_log: Some("/tmp/flag.jsonl".to_owned()),
        ..Flags::default()
    };
    let config = Config::resolve(&flags, |name| {
        (name == "INTERCOM_MCP_AUDIT_LOG").then(|| "/tmp/env.jsonl".to_owned())
    })
    .unwrap();
    assert_eq!(
        config.audit_log,
        Some(AuditLog::File("/tmp/flag.jsonl".into()))
    );
}
