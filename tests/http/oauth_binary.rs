//! The real binary with `serve --http --oauth` at `LOG_LEVEL=trace`: the whole sign-in and a
//! tool call work, and no token, code or secret of the flow appears in what it logs. Also: a
//! missing OAuth setting stops start-up with a message naming it.

use std::time::Duration;

use tokio::io::AsyncReadExt;
use tokio::process::Child;

use crate::common;
use crate::common::oauth::{
    APP_SECRET, Base, CLIENT_REDIRECT, INTERCOM_CODE, Intercom, KEY, USER_TOKEN, browser,
    list_tags, pkce, redeem, register, sign_in,
};

pub struct Binary {
    pub child: Child,
    public_url: String,
}

impl Base for Binary {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.public_url)
    }
}

/// `vars` as the `(name, value)` pairs the binary helpers take.
fn pairs(vars: &[(String, String)]) -> Vec<(&str, &str)> {
    vars.iter()
        .map(|(name, value)| (name.as_str(), value.as_str()))
        .collect()
}

/// The binary on a free loopback port, once `/healthz` answers.
async fn start(intercom: &Intercom) -> Binary {
    let mut vars = intercom.env(KEY);
    vars.push(("LOG_LEVEL".into(), "trace".into()));
    start_with(&vars).await
}

/// The binary with exactly the environment `vars`, once `/healthz` answers.
pub async fn start_with(vars: &[(String, String)]) -> Binary {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let address = format!("127.0.0.1:{port}");
    let public_url = format!("http://{address}");
    let args = [
        "serve",
        "--http",
        &address,
        "--oauth",
        "--public-url",
        &public_url,
    ];
    let child = common::spawn(&args, &pairs(vars));
    let binary = Binary { child, public_url };
    for _ in 0..200 {
        if let Ok(answer) = browser().get(binary.url("/healthz")).send().await
            && answer.status() == 200
        {
            return binary;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("the server did not come up");
}

#[tokio::test]
async fn the_binary_signs_a_user_in_and_logs_no_secret() {
    let intercom = Intercom::start().await;
    intercom.serve_tags("vip", 1).await;
    let mut binary = start(&intercom).await;
    let client_id = register(&binary, CLIENT_REDIRECT).await;
    let (verifier, challenge) = pkce("binary-verifier");
    let code = sign_in(&binary, &client_id, &challenge).await;
    let (status, tokens) = redeem(&binary, &client_id, &code, &verifier).await;
    assert_eq!(status, 200, "{tokens}");
    let access = tokens["access_token"].as_str().unwrap();
    let refresh = tokens["refresh_token"].as_str().unwrap();
    assert!(list_tags(&binary, access).await.contains("vip"));

    binary.child.start_kill().unwrap();
    binary.child.wait().await.unwrap();
    let mut logs = String::new();
    binary
        .child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut logs)
        .await
        .unwrap();
    assert!(logs.contains("an Intercom sign-in succeeded"), "{logs}");
    for secret in [
        USER_TOKEN,
        INTERCOM_CODE,
        APP_SECRET,
        access,
        refresh,
        &code,
        &verifier,
        &client_id,
    ] {
        assert!(!logs.contains(secret), "a secret of the flow was logged");
    }
}

#[tokio::test]
async fn oauth_settings_that_are_missing_stop_start_up() {
    let intercom = Intercom::start().await;
    let all = intercom.env(KEY);
    let args = [
        "serve",
        "--http",
        "127.0.0.1:0",
        "--oauth",
        "--public-url",
        "https://mcp.example.com",
    ];
    for missing in [
        "INTERCOM_OAUTH_CLIENT_ID",
        "INTERCOM_OAUTH_CLIENT_SECRET",
        "INTERCOM_MCP_TOKEN_KEY",
    ] {
        let vars: Vec<_> = all
            .iter()
            .filter(|(name, _)| name != missing)
            .cloned()
            .collect();
        let output = common::binary(&args, &pairs(&vars));
        assert_eq!(output.status.code(), Some(2), "{missing}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(missing), "{missing}: {stderr}");
    }
    let mut vars = all.clone();
    vars.push(("accessToken".into(), "tok_server".into()));
    let output = common::binary(&args, &pairs(&vars));
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("unset accessToken"));
    let output = common::binary(&["serve", "--http", "127.0.0.1:0", "--oauth"], &pairs(&all));
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("INTERCOM_MCP_PUBLIC_URL"));
}

#[tokio::test]
async fn a_state_url_that_is_not_redis_stops_start_up_without_being_echoed() {
    let intercom = Intercom::start().await;
    let env = intercom.env(KEY);
    let all = pairs(&env);
    let serve = ["serve", "--http", "127.0.0.1:0", "--oauth", "--public-url"];
    let mut args = serve.to_vec();
    args.extend([
        "https://mcp.example.com",
        "--state-url",
        "http://:hunter2@cache",
    ]);
    let output = common::binary(&args, &all);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("INTERCOM_MCP_STATE_URL") && !stderr.contains("hunter2"),
        "{stderr}"
    );
    let mut vars = all.clone();
    vars.push(("INTERCOM_MCP_STATE_URL", "rediss://:hunter2@cache"));
    let output = common::binary(&[&serve[..], &["https://mcp.example.com"]].concat(), &vars);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("rediss://") && !stderr.contains("hunter2"),
        "{stderr}"
    );
}
