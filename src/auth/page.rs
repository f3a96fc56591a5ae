//! How the authorization server's HTML pages (our consent page, refusals) are rendered safely:
//! assets/consent.html and assets/consent.css, every piece of text escaped, under a CSP with no
//! script at all, the style allowed by hash, `frame-ancestors 'none'`, `base-uri 'none'`, and
//! nosniff, no-store and `DENY` framing headers.

use std::sync::LazyLock;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

const TEMPLATE: &str = include_str!("../../assets/consent.html");
const STYLE: &str = include_str!("../../assets/consent.css");
/// The style is inline, so the CSP allows it by hash rather than by `'unsafe-inline'`.
static STYLE_SOURCE: LazyLock<String> = LazyLock::new(|| {
    let digest = ring::digest::digest(&ring::digest::SHA256, STYLE.as_bytes());
    format!("'sha256-{}'", STANDARD.encode(digest.as_ref()))
});

/// An error shown to the user (never redirected: the client is not known good, or the user
/// has not approved it yet; RFC 9700 §4.11).
pub fn error_page(status: StatusCode, message: &str) -> Response {
    let body = format!(
        "<p class=\"brand\">Intercom MCP</p>\n<h1>This sign-in cannot go on</h1>\n<p class=\"error\">Sign-in refused: {}.</p>\n\
         <p class=\"note\">Nothing was shared. Start again from your MCP client.</p>",
        escape(message)
    );
    render(status, "Sign-in refused", &body, "'none'")
}

pub fn render(status: StatusCode, title: &str, body: &str, form_action: &str) -> Response {
    let html = TEMPLATE
        .replace("{{title}}", &escape(title))
        .replace("{{style}}", STYLE)
        .replace("{{body}}", body);
    let policy = format!(
        "default-src 'none'; style-src {}; img-src 'none'; form-action {form_action}; \
         frame-ancestors 'none'; base-uri 'none'",
        *STYLE_SOURCE
    );
    let mut response = (status, html).into_response();
    let headers = response.headers_mut();
    let pairs = [
        (header::CONTENT_TYPE, "text/html; charset=utf-8".to_owned()),
        (header::CONTENT_SECURITY_POLICY, policy),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
        (header::X_FRAME_OPTIONS, "DENY".to_owned()),
        // Not no-referrer: with it a form POST carries `Origin: null`, which the Origin guard refuses.
        (header::REFERRER_POLICY, "same-origin".to_owned()),
        (header::CACHE_CONTROL, "no-store".to_owned()),
    ];
    for (name, value) in pairs {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(name, value);
        }
    }
    response
}

/// HTML-escapes text for an element or a double-quoted attribute. Five replacements, written
/// here rather than pulled in as a crate or a template engine for one page.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_leaves_no_markup() {
        assert_eq!(
            escape(r#"<img src=x onerror='a()'>&"#),
            "&lt;img src=x onerror=&#39;a()&#39;&gt;&amp;"
        );
        assert_eq!(escape("\"q\""), "&quot;q&quot;");
    }
}
