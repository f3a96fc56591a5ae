//! The search language as the sandbox runs it: each operator means what Intercom says.

use serde_json::{Value, json};

use super::*;

#[tokio::test]
async fn search_operators_mean_what_intercom_says() -> anyhow::Result<()> {
    let sandbox = sandbox::start().await?;
    let server = server(&sandbox);
    let contacts = |query: Value| {
        let server = &server;
        async move { names(&ok(server, "intercomSearchContacts", json!({"query": query})).await) }
    };
    assert_eq!(
        contacts(json!({"field": "email", "operator": "$", "value": "@orchard-analytics.example"}))
            .await,
        set(&["Lucía Fernández", "Sofia Rossi"])
    );
    assert_eq!(
        contacts(json!({"field": "name", "operator": "^", "value": "jo"})).await,
        set(&["Jonas Weber"])
    );
    assert_eq!(
        contacts(json!({"field": "email", "operator": "~", "value": "BLUEFIN"})).await,
        set(&["Kwame Mensah", "Emily Carter"])
    );
    assert_eq!(
        contacts(json!({"field": "custom_attributes.seats", "operator": ">", "value": 12})).await,
        set(&["Kwame Mensah", "Emily Carter"])
    );
    assert_eq!(
        contacts(json!({"field": "custom_attributes.seats", "operator": ">=", "value": 12})).await,
        set(&["Priya Raman", "Jonas Weber", "Kwame Mensah", "Emily Carter"])
    );
    assert_eq!(
        contacts(
            json!({"field": "location.country", "operator": "IN", "value": ["Spain", "Italy"]})
        )
        .await,
        set(&["Lucía Fernández", "Sofia Rossi"])
    );
    assert_eq!(
        contacts(json!({"field": "role", "operator": "NIN", "value": ["user"]})).await,
        set(&["Hiro Tanaka", "(no name)"])
    );
    assert_eq!(
        contacts(json!({"field": "os", "operator": "!~", "value": "windows"}))
            .await
            .len(),
        6
    );
    // Dates by day: Hiro joined on 2025-05-06, so `>` that day starts the next morning.
    assert_eq!(
        contacts(json!({"field": "created_at", "operator": "=", "value": "2025-05-06"})).await,
        set(&["Hiro Tanaka"])
    );
    assert_eq!(
        contacts(json!({"field": "created_at", "operator": ">", "value": "2025-05-06T23:00:00Z"}))
            .await,
        set(&["(no name)"])
    );
    assert_eq!(
        contacts(json!({"field": "created_at", "operator": "<", "value": "2025-01-09"})).await,
        set(&["Priya Raman"])
    );
    let churn = tag_id(&server, "churn-risk").await;
    let vip = tag_id(&server, "vip").await;
    assert_eq!(
        contacts(json!({"operator": "AND", "value": [
            {"field": "role", "operator": "=", "value": "user"},
            {"operator": "OR", "value": [
                {"field": "tag_id", "operator": "=", "value": vip},
                {"field": "tag_id", "operator": "=", "value": churn}
            ]},
            {"field": "tag_id", "operator": "!=", "value": churn}
        ]}))
        .await,
        set(&["Priya Raman", "Kwame Mensah"])
    );

    let conversations = |query: Value| {
        let server = &server;
        async move {
            ids(
                &ok(
                    server,
                    "intercomSearchConversations",
                    json!({"query": query}),
                )
                .await,
                "conversations",
            )
            .into_iter()
            .collect::<BTreeSet<_>>()
        }
    };
    assert_eq!(
        conversations(json!({"field": "source.author.email", "operator": "=",
            "value": "priya.raman@kestrel-cycles.example"}))
        .await,
        set(&["20415"])
    );
    assert_eq!(
        conversations(
            json!({"field": "admin_assignee_id", "operator": "IN", "value": [7_300_102]})
        )
        .await,
        set(&["20416", "20418"])
    );
    assert_eq!(
        conversations(json!({"field": "source.body", "operator": "=", "value": "volume"})).await,
        set(&["20418"])
    );
    let lucia = contact_id(&server, "Lucía Fernández").await;
    assert_eq!(
        conversations(json!({"field": "contact_ids", "operator": "=", "value": lucia})).await,
        set(&["20417"])
    );
    assert_eq!(
        conversations(json!({"field": "tag_ids", "operator": "=", "value": churn})).await,
        set(&["20417"])
    );
    assert_eq!(
        conversations(
            json!({"field": "statistics.count_assignments", "operator": "<", "value": 1})
        )
        .await,
        set(&["20417"])
    );

    // What the server does not check, the sandbox refuses as Intercom would.
    let response = http()
        .post(format!("{}/contacts/search", sandbox.base_url))
        .bearer_auth(TOKEN)
        .json(&json!({"query": {"field": "email", "operator": "LIKE", "value": "x"}}))
        .send()
        .await?;
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await?;
    assert_eq!(body["errors"][0]["code"], "parameter_invalid");
    Ok(())
}
