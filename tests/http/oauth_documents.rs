//! Client ID metadata documents: a client whose `client_id` is the URL of its metadata signs in
//! without registering, and our consent page names its verified host; documents that do not
//! describe that client are refused.

use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

use crate::common;
use crate::common::oauth::{
    CLIENT_REDIRECT, Intercom, KEY, Replica, authorize_s256, list_tags, pkce, redeem, sign_in,
};

/// Serves `document` at `name` on the mock; the URL.
async fn publish(intercom: &Intercom, name: &str, document: Value) -> String {
    Mock::given(method("GET"))
        .and(path(format!("/{name}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(document))
        .mount(&intercom.oauth)
        .await;
    format!("{}/{name}", intercom.oauth.uri())
}

#[tokio::test]
async fn a_client_named_by_its_metadata_url_signs_in_and_calls_a_tool() {
    let intercom = Intercom::start().await;
    intercom.serve_tags("from-a-document", 1).await;
    let replica = Replica::start(&intercom, KEY, None).await;
    let url = format!("{}/clients/app.json", intercom.oauth.uri());
    publish(
        &intercom,
        "clients/app.json",
        json!({"client_id": url, "client_name": "App", "redirect_uris": [CLIENT_REDIRECT]}),
    )
    .await;
    let metadata: Value = common::oauth::browser()
        .get(replica.url("/.well-known/oauth-authorization-server"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(metadata["client_id_metadata_document_supported"], true);
    let (verifier, challenge) = pkce("document-verifier");
    let code = sign_in(&replica, &url, &challenge).await;
    let (status, tokens) = redeem(&replica, &url, &code, &verifier).await;
    assert_eq!(status, 200, "{tokens}");
    let access = tokens["access_token"].as_str().unwrap();
    assert!(
        list_tags(&replica, access)
            .await
            .contains("from-a-document")
    );
}

#[tokio::test]
async fn documents_that_do_not_describe_the_client_are_refused() {
    let intercom = Intercom::start().await;
    let replica = Replica::start(&intercom, KEY, None).await;
    let base = intercom.oauth.uri();
    let other = publish(
        &intercom,
        "other.json",
        json!({"client_id": "https://elsewhere.example/app.json", "redirect_uris": [CLIENT_REDIRECT]}),
    )
    .await;
    let confidential_url = format!("{base}/confidential.json");
    let confidential = publish(
        &intercom,
        "confidential.json",
        json!({"client_id": confidential_url, "redirect_uris": [CLIENT_REDIRECT],
               "token_endpoint_auth_method": "client_secret_basic"}),
    )
    .await;
    let wrong_redirect_url = format!("{base}/wrong.json");
    let wrong_redirect = publish(
        &intercom,
        "wrong.json",
        json!({"client_id": wrong_redirect_url, "redirect_uris": ["https://app.example/cb"]}),
    )
    .await;
    let (_, challenge) = pkce("refused");
    for (client_id, why) in [
        (other, "names another client_id"),
        (confidential, "public clients only"),
        (format!("{base}/missing.json"), "HTTP 404"),
        (format!("{base}/"), "with a path"),
        (format!("{base}/a/../app.json"), "dot segments"),
        (format!("{base}/app.json#x"), "fragment"),
        (wrong_redirect, "not one this client registered"),
    ] {
        let answer = authorize_s256(&replica, &client_id, &challenge, &[]).await;
        assert_eq!(answer.status(), 400, "{client_id}");
        let text = answer.text().await.unwrap();
        assert!(text.contains(why), "{client_id}: {text}");
    }
}

#[tokio::test]
async fn the_consent_page_names_a_documents_verified_host_and_its_unverified_name() {
    let intercom = Intercom::start().await;
    let replica = Replica::start(&intercom, KEY, None).await;
    let url = format!("{}/clients/look-alike.json", intercom.oauth.uri());
    publish(
        &intercom,
        "clients/look-alike.json",
        json!({"client_id": url, "client_name": "Claude <official>", "redirect_uris": [CLIENT_REDIRECT]}),
    )
    .await;
    let (_, challenge) = pkce("document-consent");
    let answer = common::oauth::browser()
        .get(replica.url("/authorize"))
        .query(&[
            ("response_type", "code"),
            ("client_id", url.as_str()),
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    let html = answer.text().await.unwrap();
    let host = reqwest::Url::parse(&url)
        .unwrap()
        .host_str()
        .unwrap()
        .to_owned();
    assert!(
        html.contains(&format!(
            r#"<code>{host}</code> <span class="tag ok">verified URL</span>"#
        )),
        "{html}"
    );
    assert!(html.contains("Claude &lt;official&gt;</span> <span class=\"tag\">unverified</span>"));
    // Only the document was fetched: nothing went to Intercom's consent page.
    let requests = intercom.oauth.received_requests().await.unwrap();
    assert!(
        requests
            .iter()
            .all(|request| request.url.path() != "/oauth")
    );
}
