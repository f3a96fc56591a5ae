//! Our own consent page, shown before Intercom's, and the answer to it. The server reaches
//! Intercom with one client id for every client, so Intercom's page names only the operator's
//! app; without a page of ours, a link to `/authorize` for a client registered with an
//! attacker's redirect URI would send the victim's code to the attacker (the MCP security best
//! practices, "Confused Deputy Problem"). The page names the client as it registered (marked
//! unverified, or the host of its client ID metadata document), where it sends the user back,
//! and what it may do.
//!
//! The answer is a POST of the page's form: a sealed [`Pending`] request bound to a nonce that
//! this browser holds in a `SameSite=Strict` cookie (double submit), so a form forged elsewhere
//! — even one carrying a token the attacker fetched for themselves — is refused. An approval is
//! remembered per browser and per (client, redirect URI) in a sealed `SameSite=Lax` cookie: Lax,
//! because the next `/authorize` arrives as a top-level navigation from another site (the MCP
//! client), where a Strict cookie would not be sent. Both are `__Host-` cookies (Secure,
//! `Path=/`, no Domain): browsers keep Secure cookies on `http://localhost` and `127.0.0.1`
//! too, so loopback tests work as production does over https.
//!
//! The page is rendered by [`super::page`], with all client-supplied text escaped, under a CSP
//! whose `form-action` names only where the answer may go.

use std::sync::Arc;

use axum::extract::rejection::FormRejection;
use axum::extract::{Form, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

use super::OAuth;
use super::authorize::{redirect_back, to_intercom};
use super::grants::{self, Client, Flow};
use super::page::{error_page, escape, render};
use super::seal::Kind;

/// Where the page's form is posted.
pub const PATH: &str = "/authorize/consent";
const CSRF_COOKIE: &str = "__Host-intercom-mcp-csrf";
const APPROVAL_COOKIE: &str = "__Host-intercom-mcp-consent";
/// How long a browser remembers an approval.
pub const APPROVAL_TTL: u64 = 30 * 24 * 60 * 60;
/// The most approvals one cookie holds (the oldest go first), well under 4 KiB.
const MAX_APPROVALS: usize = 20;

/// The form's hidden field: the checked authorization request and the nonce of its cookie.
#[derive(Serialize, Deserialize)]
struct Pending {
    flow: Flow,
    nonce: String,
}

/// What a browser has approved: a digest of each (client id, redirect URI) and its expiry.
#[derive(Serialize, Deserialize, Default)]
struct Approvals {
    entries: Vec<(String, u64)>,
}

fn digest(client_id: &str, redirect_uri: &str) -> String {
    let mut context = ring::digest::Context::new(&ring::digest::SHA256);
    context.update(client_id.as_bytes());
    context.update(b"\n");
    context.update(redirect_uri.as_bytes());
    URL_SAFE_NO_PAD.encode(context.finish().as_ref())
}

/// The value of cookie `name` in the request, if any.
fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|line| line.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

fn approvals(oauth: &OAuth, headers: &HeaderMap) -> Approvals {
    let mut approvals: Approvals = cookie(headers, APPROVAL_COOKIE)
        .and_then(|sealed| oauth.sealer.open(Kind::Approval, sealed))
        .unwrap_or_default();
    let now = grants::now();
    approvals.entries.retain(|(_, exp)| *exp > now);
    approvals
}

/// Whether this browser approved `client_id` sending the user to `redirect_uri`.
pub fn approved(oauth: &OAuth, headers: &HeaderMap, client_id: &str, redirect_uri: &str) -> bool {
    let wanted = digest(client_id, redirect_uri);
    approvals(oauth, headers)
        .entries
        .iter()
        .any(|(known, _)| same(known.as_bytes(), wanted.as_bytes()))
}

/// Compares in time independent of where the inputs differ.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn set_cookie(name: &str, value: &str, same_site: &str, max_age: u64) -> String {
    format!("{name}={value}; Path=/; Secure; HttpOnly; SameSite={same_site}; Max-Age={max_age}")
}

/// The consent page for a checked request (`flow`) of `client`; `document` is the host of a
/// client ID metadata document's URL.
pub fn ask(
    oauth: &OAuth,
    headers: &HeaderMap,
    client: &Client,
    document: Option<&str>,
    flow: Flow,
) -> Response {
    // A nonce this browser already holds is reused, so two consent tabs both work.
    let nonce = match cookie(headers, CSRF_COOKIE).filter(|nonce| nonce.len() == 22) {
        Some(nonce)
            if nonce
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') =>
        {
            Ok(nonce.to_owned())
        }
        _ => oauth.sealer.random_id(),
    };
    let sources = form_targets(oauth, &flow.redirect_uri);
    let back = destination(&flow.redirect_uri);
    let sealed = nonce.and_then(|nonce| {
        let token = oauth.sealer.seal(
            Kind::Consent,
            &Pending {
                flow,
                nonce: nonce.clone(),
            },
        )?;
        Ok((token, nonce))
    });
    let Ok((token, nonce)) = sealed else {
        return error_page(
            StatusCode::INTERNAL_SERVER_ERROR,
            "the consent form could not be sealed",
        );
    };
    let name = client
        .name
        .as_deref()
        .filter(|name| !name.trim().is_empty());
    let shown_name = escape(name.unwrap_or("An unnamed client"));
    let who = match document {
        Some(host) => format!(
            "<dt>Published by</dt><dd><code>{}</code> <span class=\"tag ok\">verified URL</span></dd>",
            escape(host)
        ),
        None => {
            "<dt>Identity</dt><dd>registered itself here; its name is its own claim</dd>".to_owned()
        }
    };
    let body = format!(
        r#"<p class="brand">Intercom MCP</p>
<h1><span class="name">{shown_name}</span> <span class="tag">unverified</span> wants to use your Intercom workspace</h1>
<dl>
{who}
<dt>Sends you back to</dt><dd><code>{back}</code></dd>
</dl>
<h2>If you approve, it can, as you:</h2>
<ul>
<li>read conversations, contacts, companies and tags</li>
<li>reply to conversations, add notes, assign and close them</li>
<li>create, update and tag contacts</li>
</ul>
<p class="note">Approve only a client you started yourself. Next, Intercom asks you to sign in. This browser will not ask again for this client for 30 days.</p>
<form method="post" action="{PATH}">
<input type="hidden" name="token" value="{token}">
<div class="actions"><button type="submit" name="decision" value="deny">Deny</button><button type="submit" class="primary" name="decision" value="approve">Approve</button></div>
</form>"#,
        back = escape(&back),
        token = escape(&token),
    );
    let mut page = render(StatusCode::OK, "Approve access", &body, &sources);
    append_cookie(
        &mut page,
        &set_cookie(CSRF_COOKIE, &nonce, "Strict", grants::FLOW_TTL),
    );
    page
}

#[derive(Deserialize)]
pub struct Decision {
    token: String,
    decision: String,
}

/// The page's answer: deny goes back to the client with `access_denied` and reaches nothing
/// else; approve is remembered and goes on to Intercom.
pub async fn decide(
    State(oauth): State<Arc<OAuth>>,
    headers: HeaderMap,
    form: Result<Form<Decision>, FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        return error_page(StatusCode::BAD_REQUEST, "the consent form is incomplete");
    };
    // Browsers send Origin with every POST; only our own page may answer.
    let own = reqwest::Url::parse(&oauth.public_url).map(|url| url.origin().ascii_serialization());
    let origin_ok = headers.get(header::ORIGIN).is_none_or(|origin| {
        own.as_ref()
            .is_ok_and(|own| origin.as_bytes() == own.as_bytes())
    });
    let pending = oauth.sealer.open::<Pending>(Kind::Consent, &form.token);
    let Some(pending) = pending.filter(|_| origin_ok) else {
        return error_page(
            StatusCode::FORBIDDEN,
            "this consent form is not one this server showed",
        );
    };
    let nonce_ok = cookie(&headers, CSRF_COOKIE)
        .is_some_and(|nonce| same(nonce.as_bytes(), pending.nonce.as_bytes()));
    if !nonce_ok {
        return error_page(
            StatusCode::FORBIDDEN,
            "this answer did not come from the consent page shown in this browser \
             (or the browser did not keep its cookie: the server must be reached over https or on loopback)",
        );
    }
    let flow = pending.flow;
    if flow.exp <= grants::now() {
        return error_page(
            StatusCode::BAD_REQUEST,
            "the consent page expired: start again from your MCP client",
        );
    }
    let clear = set_cookie(CSRF_COOKIE, "", "Strict", 0);
    let mut answer = match form.decision.as_str() {
        "deny" => {
            tracing::info!("the user denied an OAuth client on the consent page");
            redirect_back(
                &oauth,
                &flow.redirect_uri,
                &[
                    ("error", "access_denied"),
                    ("error_description", "the user denied access"),
                ],
                flow.state.as_deref(),
            )
        }
        "approve" => {
            let mut approvals = approvals(&oauth, &headers);
            let wanted = digest(&flow.client_id, &flow.redirect_uri);
            approvals.entries.retain(|(known, _)| *known != wanted);
            approvals
                .entries
                .push((wanted, grants::now() + APPROVAL_TTL));
            let excess = approvals.entries.len().saturating_sub(MAX_APPROVALS);
            approvals.entries.drain(..excess);
            let mut answer = to_intercom(&oauth, &flow);
            if let Ok(sealed) = oauth.sealer.seal(Kind::Approval, &approvals) {
                append_cookie(
                    &mut answer,
                    &set_cookie(APPROVAL_COOKIE, &sealed, "Lax", APPROVAL_TTL),
                );
            }
            answer
        }
        _ => {
            return error_page(
                StatusCode::BAD_REQUEST,
                "the answer must be approve or deny",
            );
        }
    };
    append_cookie(&mut answer, &clear);
    // 302, as every redirect of the authorization endpoint: browsers follow it after a POST
    // with a GET (RFC 9110 §15.4.3), as they would a 303.
    answer
}

impl OAuth {
    /// The public URL as an origin (`scheme://host[:port]`): where the consent form is posted
    /// from, so the Origin guard lets it through.
    pub fn origin(&self) -> &str {
        &self.public_url
    }
}

/// Where the user is sent back, in words: a web host, this computer, or an app's scheme.
fn destination(redirect_uri: &str) -> String {
    match reqwest::Url::parse(redirect_uri) {
        Ok(url) if matches!(url.scheme(), "https" | "http") => {
            let host = url.host_str().unwrap_or_default();
            match host {
                "localhost" | "127.0.0.1" | "[::1]" => format!("{host} (an app on this computer)"),
                _ => host.to_owned(),
            }
        }
        Ok(url) => format!("{}: (an app on this device)", url.scheme()),
        Err(_) => redirect_uri.to_owned(),
    }
}

/// The CSP `form-action` sources: this server, Intercom's consent page (approve) and the
/// client's redirect URI (deny), since the browser checks the redirects a form answer causes.
fn form_targets(oauth: &OAuth, redirect_uri: &str) -> String {
    let source = |uri: &str| match reqwest::Url::parse(uri) {
        Ok(url) if matches!(url.scheme(), "https" | "http") => url.origin().ascii_serialization(),
        Ok(url) => format!("{}:", url.scheme()),
        Err(_) => String::new(),
    };
    format!(
        "'self' {} {}",
        source(&oauth.authorize_url),
        source(redirect_uri)
    )
}

fn append_cookie(response: &mut Response, cookie: &str) {
    if let Ok(value) = HeaderValue::from_str(cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn destinations_in_words() {
        assert_eq!(destination("https://claude.ai/cb"), "claude.ai");
        assert_eq!(
            destination("http://127.0.0.1:9/cb"),
            "127.0.0.1 (an app on this computer)"
        );
        assert_eq!(
            destination("com.example.app:/cb"),
            "com.example.app: (an app on this device)"
        );
    }

    #[test]
    fn cookies_are_read_by_exact_name() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; __Host-x=2; __Host-xy=3"),
        );
        assert_eq!(cookie(&headers, "__Host-x"), Some("2"));
        assert_eq!(cookie(&headers, "__Host-xy"), Some("3"));
        assert_eq!(cookie(&headers, "b"), None);
    }
}
