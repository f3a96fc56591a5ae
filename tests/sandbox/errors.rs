//! Errors in Intercom's shape with its statuses, straight over HTTP and through the server.

use serde_json::{Value, json};

use super::*;

#[tokio::test]
async fn errors_come_in_intercoms_shape_with_its_statuses() -> anyhow::Result<()> {
    let sandbox = sandbox::start().await?;
    let client = http();
    let url = |path: &str| format!("{}{path}", sandbox.base_url);
    let expect = |status: u16, code: &'static str| {
        move |response: (u16, Value)| {
            let (got, body) = response;
            assert_eq!(got, status, "{body}");
            assert_eq!(body["type"], "error.list", "{body}");
            assert_eq!(body["errors"][0]["code"], code, "{body}");
            assert!(body["errors"][0]["message"].is_string(), "{body}");
            assert_eq!(body["request_id"].as_str().unwrap().len(), 36, "{body}");
        }
    };
    // Every answer names its request in X-Request-Id; an error, the id of its body.
    async fn read(request: reqwest::RequestBuilder) -> (u16, Value) {
        let response = request.send().await.unwrap();
        let header = response.headers()["x-request-id"]
            .to_str()
            .unwrap()
            .to_owned();
        let (status, body): (u16, Value) =
            (response.status().as_u16(), response.json().await.unwrap());
        if status >= 400 {
            assert_eq!(body["request_id"], header.as_str(), "{body}");
        } else {
            assert_eq!(header.len(), 36, "{header}");
        }
        (status, body)
    }

    expect(401, "unauthorized")(read(client.get(url("/me"))).await);
    expect(401, "unauthorized")(read(client.get(url("/me")).bearer_auth("sandbox2")).await);
    expect(404, "not_found")(read(client.get(url("/segments")).bearer_auth(TOKEN)).await);
    assert_eq!(read(client.get(url("/me")).bearer_auth(TOKEN)).await.0, 200);
    expect(400, "parameter_invalid")(
        read(client.get(url("/contacts?per_page=0")).bearer_auth(TOKEN)).await,
    );
    expect(400, "parameter_invalid")(
        read(
            client
                .post(url("/contacts"))
                .bearer_auth(TOKEN)
                .header("content-type", "application/json")
                .body("{not json"),
        )
        .await,
    );
    expect(400, "parameter_invalid")(
        read(
            client
                .post(url("/contacts"))
                .bearer_auth(TOKEN)
                .json(&json!({"email": "x@example.com", "role": "visitor"})),
        )
        .await,
    );
    let reply = json!({"type": "admin", "admin_id": "1", "message_type": "comment", "body": "Hi"});
    expect(404, "admin_not_found")(
        read(
            client
                .post(url("/conversations/20415/reply"))
                .bearer_auth(TOKEN)
                .json(&reply),
        )
        .await,
    );
    let assign = json!({"message_type": "assignment", "type": "team", "admin_id": ADMIN_ID,
        "assignee_id": "99"});
    expect(404, "team_not_found")(
        read(
            client
                .post(url("/conversations/20415/parts"))
                .bearer_auth(TOKEN)
                .json(&assign),
        )
        .await,
    );
    expect(404, "company_not_found")(
        read(client.get(url("/companies/none")).bearer_auth(TOKEN)).await,
    );

    // Through the server: a token other than the sandbox's is Intercom's 401.
    let base_url = sandbox.base_url.clone();
    let config = Config::resolve(&Flags::default(), |name| match name {
        "accessToken" => Some("someone-elses-token".to_owned()),
        "INTERCOM_BASE_URL" => Some(base_url.clone()),
        _ => None,
    })?;
    let stranger = IntercomServer::new(&config)?;
    let error = call(&stranger, "intercomListTags", json!({}))
        .await
        .unwrap_err();
    assert!(
        error.contains("HTTP 401") && error.contains("error unauthorized"),
        "{error}"
    );
    Ok(())
}
