//! Host and Origin checks against DNS rebinding and cross-site requests: each header is parsed
//! into scheme, host and port and compared as a whole with the allowed entries, never by
//! prefix or substring. A look-alike (`localhost.evil.example`, `localhost.`, userinfo, an
//! unusual IP spelling) is simply a different authority, and refused.
//!
//! The rules (README, "Remote: Streamable HTTP"): host names compare case-insensitively and
//! must be plain DNS names; IP literals compare as addresses (`[::1]` and `[0:0::1]` are the
//! same). An allowed host without a port allows any port; with one, only that port. An allowed
//! origin names its scheme and host, and either a port, `:*` for any, or nothing for the
//! scheme's default port (RFC 6454 §4: `https://a.example` is `https://a.example:443`).
//! A request without an Origin (every non-browser client) passes the Origin check.

use std::net::IpAddr;
use std::sync::Arc;

use axum::Extension;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::metrics::Refusal;

/// What a request's Host and Origin are checked against.
#[derive(Clone, Debug)]
pub struct Allowed {
    pub hosts: Vec<AllowedHost>,
    pub origins: Vec<AllowedOrigin>,
}

/// Refuses (403) a request whose Host or Origin is not allowed, before anything else sees it.
pub async fn check(State(allowed): State<Arc<Allowed>>, request: Request, next: Next) -> Response {
    let headers = request.headers();
    // HTTP/1.1 requires Host; HTTP/2 carries it as the URI's authority.
    let host = match headers.get(header::HOST) {
        Some(value) => value.to_str().ok().map(str::to_owned),
        None => request
            .uri()
            .authority()
            .map(|authority| authority.as_str().to_owned()),
    };
    if !host.is_some_and(|host| host_allowed(&host, &allowed.hosts)) {
        tracing::warn!("refused a request whose Host is not allowed (INTERCOM_MCP_ALLOWED_HOSTS)");
        return (
            StatusCode::FORBIDDEN,
            Extension(Refusal::Host),
            "Forbidden: this Host is not allowed (INTERCOM_MCP_ALLOWED_HOSTS)",
        )
            .into_response();
    }
    let origins: Vec<_> = headers.get_all(header::ORIGIN).iter().collect();
    let origin_ok = match origins.as_slice() {
        [] => true,
        [origin] => origin
            .to_str()
            .is_ok_and(|origin| origin_allowed(origin, &allowed.origins)),
        _ => false,
    };
    if !origin_ok {
        tracing::warn!(
            "refused a request whose Origin is not allowed (INTERCOM_MCP_ALLOWED_ORIGINS)"
        );
        return (
            StatusCode::FORBIDDEN,
            Extension(Refusal::Origin),
            "Forbidden: this Origin is not allowed (INTERCOM_MCP_ALLOWED_ORIGINS)",
        )
            .into_response();
    }
    next.run(request).await
}

/// A host as compared: a lower-case DNS name, or an IP address.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Host {
    Name(String),
    Ip(IpAddr),
}

/// Which ports an allowed entry admits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ports {
    Any,
    Only(u16),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AllowedHost {
    host: Host,
    ports: Ports,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AllowedOrigin {
    scheme: Scheme,
    host: Host,
    ports: Ports,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Scheme {
    Http,
    Https,
}

impl Scheme {
    fn parse(text: &str) -> Option<Self> {
        match text.to_ascii_lowercase().as_str() {
            "http" => Some(Self::Http),
            "https" => Some(Self::Https),
            _ => None,
        }
    }

    fn default_port(self) -> u16 {
        match self {
            Self::Http => 80,
            Self::Https => 443,
        }
    }
}

/// A host as it may appear in a Host header or an origin: a DNS name of letters, digits,
/// hyphens and dots (no empty label, so no trailing dot), an IPv4 address, or an IPv6
/// address in brackets.
fn parse_host(text: &str) -> Option<Host> {
    if let Some(inner) = text.strip_prefix('[') {
        let v6 = inner
            .strip_suffix(']')?
            .parse::<std::net::Ipv6Addr>()
            .ok()?;
        return Some(Host::Ip(IpAddr::V6(v6)));
    }
    if let Ok(v4) = text.parse::<std::net::Ipv4Addr>() {
        return Some(Host::Ip(IpAddr::V4(v4)));
    }
    let plain = text.split('.').all(|label| {
        !label.is_empty()
            && label.len() <= 63
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
    });
    // A name of digits and dots only is an IP spelling the parser above did not take
    // (`127.1`, `2130706433`): never the same as an allowed entry.
    let numeric = text.bytes().all(|b| b.is_ascii_digit() || b == b'.');
    (plain && !numeric && text.len() <= 253).then(|| Host::Name(text.to_ascii_lowercase()))
}

/// `host[:port]`, the port 1–65535 in plain digits.
fn split_port(authority: &str) -> Option<(&str, Option<u16>)> {
    let (host, port) = match authority.rfind(':') {
        // A colon inside IPv6 brackets is not a port separator.
        Some(at) if !authority.get(at..)?.contains(']') => {
            (authority.get(..at)?, Some(authority.get(at + 1..)?))
        }
        _ => (authority, None),
    };
    let port = match port {
        None => None,
        Some(digits) if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) => {
            Some(digits.parse::<u16>().ok().filter(|port| *port != 0)?)
        }
        Some(_) => return None,
    };
    Some((host, port))
}

impl Ports {
    fn admit(self, port: u16) -> bool {
        match self {
            Ports::Any => true,
            Ports::Only(only) => only == port,
        }
    }
}

impl AllowedHost {
    /// An entry of INTERCOM_MCP_ALLOWED_HOSTS: `name`, `name:port`, an IP, `[v6]:port`.
    pub fn parse(entry: &str) -> Option<Self> {
        let entry = entry.trim();
        // A bare IPv6 address (`::1`) is an entry people write; in a Host it has brackets.
        if let Ok(ip) = entry.parse::<std::net::Ipv6Addr>() {
            return Some(Self {
                host: Host::Ip(IpAddr::V6(ip)),
                ports: Ports::Any,
            });
        }
        let (host, port) = split_port(entry)?;
        Some(Self {
            host: parse_host(host)?,
            ports: port.map_or(Ports::Any, Ports::Only),
        })
    }
}

impl AllowedOrigin {
    /// An entry of INTERCOM_MCP_ALLOWED_ORIGINS: `scheme://host`, `scheme://host:port` or
    /// `scheme://host:*`.
    pub fn parse(entry: &str) -> Option<Self> {
        let (scheme, rest) = entry.trim().split_once("://")?;
        let scheme = Scheme::parse(scheme)?;
        let (authority, ports) = match rest.strip_suffix(":*") {
            Some(authority) => (authority, Some(Ports::Any)),
            None => (rest, None),
        };
        let (host, port) = split_port(authority)?;
        if ports.is_some() && port.is_some() {
            return None;
        }
        Some(Self {
            scheme,
            host: parse_host(host)?,
            ports: ports.unwrap_or(Ports::Only(port.unwrap_or(scheme.default_port()))),
        })
    }
}

/// Whether a Host header's value names an allowed host.
pub fn host_allowed(header: &str, allowed: &[AllowedHost]) -> bool {
    let Some((host, port)) = split_port(header) else {
        return false;
    };
    let Some(host) = parse_host(host) else {
        return false;
    };
    // No port in Host means the scheme's default; an entry with a port wants it spelled out.
    allowed.iter().any(|entry| {
        entry.host == host
            && match (entry.ports, port) {
                (Ports::Any, _) => true,
                (Ports::Only(only), Some(port)) => only == port,
                (Ports::Only(_), None) => false,
            }
    })
}

/// Whether an Origin header's value (`scheme://host[:port]`, nothing more) is allowed.
pub fn origin_allowed(header: &str, allowed: &[AllowedOrigin]) -> bool {
    let Some((scheme, authority)) = header.split_once("://") else {
        return false;
    };
    let Some(scheme) = Scheme::parse(scheme) else {
        return false;
    };
    let Some((host, port)) = split_port(authority) else {
        return false;
    };
    let Some(host) = parse_host(host) else {
        return false;
    };
    let port = port.unwrap_or(scheme.default_port());
    allowed
        .iter()
        .any(|entry| entry.scheme == scheme && entry.host == host && entry.ports.admit(port))
}

// Each rule is tested as tables of accepted and refused values; the loops over them share
// one shape on purpose (the duplicates check lists them).
#[cfg(test)]
mod tests {
    use super::*;

    fn hosts(entries: &[&str]) -> Vec<AllowedHost> {
        entries
            .iter()
            .map(|entry| AllowedHost::parse(entry).unwrap())
            .collect()
    }

    fn origins(entries: &[&str]) -> Vec<AllowedOrigin> {
        entries
            .iter()
            .map(|entry| AllowedOrigin::parse(entry).unwrap())
            .collect()
    }

    #[test]
    fn hosts_match_whole_names_and_ports() {
        let allowed = hosts(&[
            "mcp.example.com",
            "localhost",
            "127.0.0.1",
            "[::1]",
            "api.example.com:8443",
        ]);
        for ok in [
            "mcp.example.com",
            "mcp.example.com:443",
            "MCP.Example.COM",
            "localhost:8080",
            "127.0.0.1:3000",
            "[::1]:8080",
            "[0:0:0:0:0:0:0:1]:8080",
            "api.example.com:8443",
        ] {
            assert!(host_allowed(ok, &allowed), "{ok}");
        }
        for look_alike in [
            "mcp.example.com.evil.net",
            "mcp.example.com.",
            "evilmcp.example.com",
            "mcp-example.com",
            "localhost.",
            "localhost.evil.net:8080",
            "user@localhost:8080",
            "localhost:8080@evil.net",
            "localhost:",
            "localhost:0",
            "localhost:99999",
            "localhost:+80",
            "127.0.0.1.nip.io",
            "127.1",
            "2130706433",
            "[::1].evil.net",
            "[::2]",
            "::1",
            "api.example.com",
            "api.example.com:443",
            "",
            "local host",
            "localhost/path",
            "%6cocalhost",
        ] {
            assert!(!host_allowed(look_alike, &allowed), "{look_alike}");
        }
    }

    #[test]
    fn origins_match_scheme_host_and_port_as_a_whole() {
        let allowed = origins(&[
            "https://app.example.com",
            "http://localhost:*",
            "http://[::1]:*",
            "https://admin.example.com:8443",
        ]);
        for ok in [
            "https://app.example.com",
            "https://app.example.com:443",
            "HTTPS://APP.EXAMPLE.COM",
            "http://localhost:5173",
            "http://localhost",
            "http://[::1]:3000",
            "https://admin.example.com:8443",
        ] {
            assert!(origin_allowed(ok, &allowed), "{ok}");
        }
        for look_alike in [
            "https://app.example.com.evil.net",
            "https://app.example.comevil.net",
            "https://app.example.com.",
            "https://app.example.com:8443",
            "http://app.example.com",
            "https://app.example.com/",
            "https://app.example.com/path",
            "https://app.example.com@evil.net",
            "https://user@app.example.com",
            "https://evil.net#app.example.com",
            "http://localhost.evil.net:5173",
            "https://localhost:5173",
            "http://127.0.0.1:5173",
            "http://[::1].evil.net",
            "https://admin.example.com",
            "null",
            "file://",
            "app.example.com",
            "",
        ] {
            assert!(!origin_allowed(look_alike, &allowed), "{look_alike}");
        }
    }

    #[test]
    fn malformed_entries_are_refused_at_start_up() {
        for entry in ["", "evil.net/", "host:port", "*.example.com", "a..b"] {
            assert_eq!(AllowedHost::parse(entry), None, "{entry}");
        }
        for entry in [
            "example.com",
            "ftp://example.com",
            "https://example.com:443:*",
            "https://example.com/",
            "https://",
        ] {
            assert_eq!(AllowedOrigin::parse(entry), None, "{entry}");
        }
    }
}
