//! The access token and bearer credentials: what a token may look like (RFC 6750), the one
//! strict reading of an `Authorization` header, and a type that never prints its content.

use std::fmt;

const BEARER: &str = "Bearer";

/// RFC 6750 §2.1: `b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="`.
/// Intercom's tokens are of this form; anything else cannot be a token to send.
pub fn is_b64token(text: &str) -> bool {
    let body = text.trim_end_matches('=');
    !body.is_empty()
        && body
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~+/".contains(&b))
}

/// An Intercom access token. Its `Debug` and `Display` never show it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// A configured token (environment, token update): a bare token, or the same
    /// `Bearer <token>` form an `Authorization` header has ([`Secret::from_bearer`]), with
    /// surrounding whitespace trimmed. `None` when it is neither.
    pub fn parse(raw: &str) -> Option<Self> {
        let trimmed = raw.trim();
        if trimmed.contains(|c: char| c.is_ascii_whitespace()) {
            return Self::from_bearer(trimmed);
        }
        // `Bearer` alone is a header missing its token, not a token.
        (is_b64token(trimmed) && !trimmed.eq_ignore_ascii_case(BEARER))
            .then(|| Self(trimmed.to_owned()))
    }

    /// An `Authorization` header's credentials, strictly as RFC 6750 §2.1 has them
    /// (`"Bearer" 1*SP b64token`, <https://www.rfc-editor.org/rfc/rfc6750#section-2.1>): the
    /// scheme `Bearer` (in any case: RFC 9110 §11.1 makes schemes case-insensitive), one or
    /// more spaces, then one `b64token`. Whitespace around the whole is trimmed; anything else
    /// (another scheme, a tab, a comma, a quote, a second word) is `None`.
    pub fn from_bearer(header: &str) -> Option<Self> {
        let (scheme, token) = header.trim().split_at_checked(BEARER.len())?;
        let token = token.strip_prefix(' ')?.trim_start_matches(' ');
        (scheme.eq_ignore_ascii_case(BEARER) && is_b64token(token)).then(|| Self(token.to_owned()))
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

// Each rule is tested as tables of accepted and refused values; the loops over them share
// one shape on purpose (the duplicates check lists them).
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_never_prints() {
        let secret = Secret::parse("tok_secret_value").unwrap();
        assert!(!format!("{secret:?} {secret}").contains("tok_secret_value"));
    }

    #[test]
    fn bearer_credentials_are_the_scheme_spaces_and_a_b64token() {
        let bearer = |text: &str| Secret::from_bearer(text).map(|s| s.expose().to_owned());
        assert_eq!(
            bearer("Bearer dG9rOmFiYw=="),
            Some("dG9rOmFiYw==".to_owned())
        );
        assert_eq!(
            bearer("  bearer a-b.c_d~e+f/g \r\n"),
            Some("a-b.c_d~e+f/g".to_owned())
        );
        assert_eq!(bearer("BEARER tok"), Some("tok".to_owned()));
        assert_eq!(bearer("Bearer   tok"), Some("tok".to_owned()));
        for refused in [
            "",
            "Bearer",
            "Bearer ",
            "Bearer   ",
            "Bearer \ttok",
            "Bearer\ttok",
            "Bearertok",
            "Basic dG9r",
            "Bearer tok extra",
            "Bearer tok,other",
            "Bearer \"tok\"",
            "Bearer =tok",
            "Bearer ===",
            "Bearer tok=x",
            "Bearer tök",
            "Bearer tok;",
            "tok",
        ] {
            assert_eq!(bearer(refused), None, "{refused:?}");
        }
    }

    #[test]
    fn a_configured_token_is_a_b64token_bare_or_after_bearer() {
        let parse = |text: &str| Secret::parse(text).map(|s| s.expose().to_owned());
        assert_eq!(parse(" tok_123\n"), Some("tok_123".to_owned()));
        assert_eq!(parse("Bearer tok_123"), Some("tok_123".to_owned()));
        assert_eq!(parse("bearer  tok_123"), Some("tok_123".to_owned()));
        for refused in [
            "Bearer",
            "bearer \ttok",
            "tok 123",
            "tok\u{200b}",
            "tok\"",
            "<tok>",
        ] {
            assert_eq!(parse(refused), None, "{refused:?}");
        }
    }
}
