//! Our consent page from a test browser's side: the page's form token and cookies, and the
//! POST of its answer. Cookies are carried by hand, as `name=value` headers (reqwest is built
//! without a cookie store), so each test says which browser holds what.

use super::oauth::{Base, browser, pkce};

/// The consent page for the client and redirect URI of `params` (with a good PKCE challenge of
/// its own), approved; the approval cookie (`name=value`), or `None` when no page is shown.
pub async fn approve(replica: &impl Base, params: &[(&str, &str)]) -> Option<String> {
    let (_, challenge) = pkce("consent");
    let mut good: Vec<(&str, &str)> = params
        .iter()
        .filter(|(name, _)| matches!(*name, "client_id" | "redirect_uri"))
        .copied()
        .collect();
    good.extend([
        ("response_type", "code"),
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
    ]);
    let page = browser()
        .get(replica.url("/authorize"))
        .query(&good)
        .send()
        .await
        .unwrap();
    if page.status() != 200 {
        return None;
    }
    let csrf = cookie(&page, CSRF_COOKIE)?;
    let token = form_token(&page.text().await.unwrap())?;
    let answer = decide(replica, &token, Some(&csrf), "approve").await;
    assert_eq!(answer.status(), 302);
    cookie(&answer, APPROVAL_COOKIE)
}

pub const CSRF_COOKIE: &str = "__Host-intercom-mcp-csrf";
pub const APPROVAL_COOKIE: &str = "__Host-intercom-mcp-consent";

/// The `Set-Cookie` of `response` for cookie `name`, whole (attributes included).
pub fn set_cookie(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|value| value.to_str().unwrap().to_owned())
        .find(|line| line.starts_with(&format!("{name}=")))
}

/// Cookie `name` as the `Set-Cookie` of `response` sets it: `name=value`, for a `Cookie` header.
pub fn cookie(response: &reqwest::Response, name: &str) -> Option<String> {
    set_cookie(response, name).map(|line| line.split(';').next().unwrap().to_owned())
}

/// The consent page's hidden form token.
pub fn form_token(html: &str) -> Option<String> {
    let start = html.find(r#"name="token" value=""#)? + r#"name="token" value=""#.len();
    let length = html.get(start..)?.find('"')?;
    html.get(start..start + length).map(str::to_owned)
}

/// POSTs the consent page's answer (`approve` or `deny`) with `token`, and `cookie` as the
/// browser's cookies; the answer, not followed.
pub async fn decide(
    replica: &impl Base,
    token: &str,
    cookie: Option<&str>,
    decision: &str,
) -> reqwest::Response {
    let mut request = browser()
        .post(replica.url("/authorize/consent"))
        .form(&[("token", token), ("decision", decision)]);
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    request.send().await.unwrap()
}
