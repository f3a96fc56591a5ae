//! The sandbox workspace: every tool through the real server and generated client against it,
//! with writes visible in later reads; paging; the search language; and each answer's fields
//! checked against the response schemas of Intercom's published document.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::collections::BTreeSet;

use intercom_mcp::config::{Config, Flags};
use intercom_mcp::sandbox::{self, ADMIN_ID, Sandbox, TOKEN};
use intercom_mcp::server::IntercomServer;
use serde_json::{Map, Value, json};

/// A server whose Intercom is the sandbox, with the sandbox's token.
fn server(sandbox: &Sandbox) -> IntercomServer {
    let base_url = sandbox.base_url.clone();
    let config = Config::resolve(&Flags::default(), |name| match name {
        "accessToken" => Some(TOKEN.to_owned()),
        "INTERCOM_BASE_URL" => Some(base_url.clone()),
        _ => None,
    })
    .unwrap();
    IntercomServer::new(&config).unwrap()
}

/// Calls a tool; `Ok` with the answer as JSON, `Err` with the error text.
async fn call(server: &IntercomServer, tool: &str, args: Value) -> Result<Value, String> {
    let Value::Object(args) = args else {
        panic!("arguments must be an object")
    };
    let result = server
        .call(tool, Some(args))
        .await
        .unwrap_or_else(|| panic!("no tool {tool}"));
    let text = result.content[0].as_text().unwrap().text.clone();
    if result.is_error == Some(true) {
        return Err(text);
    }
    Ok(serde_json::from_str(&text).unwrap_or_else(|err| panic!("{tool}: {err}: {text}")))
}

async fn ok(server: &IntercomServer, tool: &str, args: Value) -> Value {
    call(server, tool, args)
        .await
        .unwrap_or_else(|err| panic!("{tool} failed: {err}"))
}

/// The `id` of each item under `key` (absent: none).
fn ids(answer: &Value, key: &str) -> Vec<String> {
    answer[key]
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|item| item["id"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

fn names(answer: &Value) -> BTreeSet<String> {
    answer["contacts"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|item| item["name"].as_str().unwrap_or("(no name)").to_owned())
                .collect()
        })
        .unwrap_or_default()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|item| (*item).to_owned()).collect()
}

/// The contact's id, found by name.
async fn contact_id(server: &IntercomServer, name: &str) -> String {
    let found = ok(
        server,
        "intercomSearchContacts",
        json!({"query": {"field": "name", "operator": "=", "value": name}}),
    )
    .await;
    ids(&found, "contacts")
        .pop()
        .unwrap_or_else(|| panic!("no {name}"))
}

async fn tag_id(server: &IntercomServer, name: &str) -> String {
    let tags = ok(server, "intercomListTags", json!({})).await;
    tags.as_array()
        .unwrap()
        .iter()
        .find(|tag| tag["name"] == name)
        .unwrap_or_else(|| panic!("no tag {name}: {tags}"))["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn last_part(conversation: &Value) -> &Value {
    conversation["timeline"].as_array().unwrap().last().unwrap()
}

#[tokio::test]
async fn every_tool_works_and_writes_show_in_later_reads() -> anyhow::Result<()> {
    let sandbox = sandbox::start().await?;
    let server = server(&sandbox);

    // Contacts: list, get, search.
    let listed = ok(&server, "intercomListContacts", json!({})).await;
    assert_eq!(listed["has_more"], false);
    assert_eq!(ids(&listed, "contacts").len(), 8, "{listed}");
    let priya = contact_id(&server, "Priya Raman").await;
    let contact = ok(&server, "intercomGetContact", json!({"contact_id": priya})).await;
    assert_eq!(contact["email"], "priya.raman@kestrel-cycles.example");
    assert_eq!(contact["location"]["city"], "London");
    assert_eq!(contact["custom_attributes"]["seats"], 12);
    assert_eq!(contact["tags"].as_array().unwrap().len(), 2, "{contact}");
    assert_eq!(contact["created_at"], "2025-01-06T09:00:00Z");

    // Create, then find by search; a second create with that email conflicts.
    let created = ok(
        &server,
        "intercomCreateContact",
        json!({"email": "wren.okafor@example.com", "name": "Wren Okafor", "role": "lead",
            "custom_attributes": {"source": "trade fair"}}),
    )
    .await;
    let wren = created["id"].as_str().unwrap().to_owned();
    assert_eq!(created["role"], "lead");
    assert_eq!(created["email_domain"], "example.com");
    let found = ok(
        &server,
        "intercomSearchContacts",
        json!({"query": {"field": "email", "operator": "=", "value": "wren.okafor@example.com"}}),
    )
    .await;
    assert_eq!(ids(&found, "contacts"), vec![wren.clone()]);
    let again = call(
        &server,
        "intercomCreateContact",
        json!({"email": "wren.okafor@example.com"}),
    )
    .await
    .unwrap_err();
    assert!(
        again.contains("HTTP 409") && again.contains("error conflict"),
        "{again}"
    );

    // Update: changed fields stay, the others too.
    let updated = ok(
        &server,
        "intercomUpdateContact",
        json!({"contact_id": wren, "name": "Wren O. Okafor", "custom_attributes": {"budget": "high"}}),
    )
    .await;
    assert_eq!(updated["name"], "Wren O. Okafor");
    assert_eq!(updated["custom_attributes"]["source"], "trade fair");
    assert_eq!(updated["custom_attributes"]["budget"], "high");

    // A note, by the token's admin when none is named; the contact then lists it.
    let note = ok(
        &server,
        "intercomAddNote",
        json!({"contact_id": wren, "body": "Met at the trade fair; wants a demo."}),
    )
    .await;
    assert_eq!(note["author"]["id"], ADMIN_ID);
    assert_eq!(note["body"], "Met at the trade fair; wants a demo.");
    let read = ok(&server, "intercomGetContact", json!({"contact_id": wren})).await;
    assert_eq!(read["notes"], json!([{"id": note["id"]}]), "{read}");

    // Tags: listed, attached, then shown on the contact and found by tag_id.
    let vip = tag_id(&server, "vip").await;
    let tagged = ok(
        &server,
        "intercomTagContact",
        json!({"contact_id": wren, "id": vip}),
    )
    .await;
    assert_eq!(tagged["name"], "vip");
    let read = ok(&server, "intercomGetContact", json!({"contact_id": wren})).await;
    assert_eq!(read["tags"], json!([{"id": vip}]), "{read}");
    let vips = ok(
        &server,
        "intercomSearchContacts",
        json!({"query": {"field": "tag_id", "operator": "=", "value": vip}}),
    )
    .await;
    assert!(ids(&vips, "contacts").contains(&wren), "{vips}");

    // Conversations: list, search, get.
    let conversations = ok(&server, "intercomListConversations", json!({})).await;
    assert_eq!(ids(&conversations, "conversations").len(), 4);
    let open = ok(
        &server,
        "intercomSearchConversations",
        json!({"query": {"field": "state", "operator": "=", "value": "open"}}),
    )
    .await;
    assert_eq!(
        ids(&open, "conversations")
            .into_iter()
            .collect::<BTreeSet<_>>(),
        set(&["20415", "20417"])
    );
    let billing = ok(
        &server,
        "intercomGetConversation",
        json!({"conversation_id": "20415"}),
    )
    .await;
    let kinds: Vec<&str> = billing["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|part| part["part_type"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["source", "assignment", "note", "comment", "comment"]
    );
    assert!(
        billing["timeline"][3]["body"]
            .as_str()
            .unwrap()
            .contains("https://billing.pebblepine.example/refunds/7731")
    );
    let plain = ok(
        &server,
        "intercomGetConversation",
        json!({"conversation_id": "20415", "display_as": "plaintext", "raw": true}),
    )
    .await;
    assert!(
        !plain["source"]["body"].as_str().unwrap().contains('<'),
        "{plain}"
    );

    // Reply and note: new parts, the customer's wait ends.
    let replied = ok(
        &server,
        "intercomReplyConversation",
        json!({"conversation_id": "20417", "message_type": "comment",
            "body": "Hi Lucía, we have sped up the dashboards this week; could we show you?"}),
    )
    .await;
    assert_eq!(last_part(&replied)["part_type"], "comment");
    assert_eq!(last_part(&replied)["author"]["id"], ADMIN_ID);
    ok(
        &server,
        "intercomReplyConversation",
        json!({"conversation_id": "20417", "message_type": "note", "body": "Offered a walkthrough."}),
    )
    .await;
    let read = ok(
        &server,
        "intercomGetConversation",
        json!({"conversation_id": "20417"}),
    )
    .await;
    let timeline = read["timeline"].as_array().unwrap();
    assert_eq!(timeline.len(), 4, "{read}");
    assert_eq!(timeline[2]["part_type"], "comment");
    assert_eq!(timeline[3]["part_type"], "note");
    assert_eq!(timeline[3]["body"], "Offered a walkthrough.");
    assert!(read.get("waiting_since").is_none(), "{read}");
    assert_eq!(read["read"], true);

    // Close: closed, not open, a close part with its message.
    let closed = ok(
        &server,
        "intercomCloseConversation",
        json!({"conversation_id": "20417", "body": "Closing; the account team follows up."}),
    )
    .await;
    assert_eq!(closed["state"], "closed");
    let read = ok(
        &server,
        "intercomGetConversation",
        json!({"conversation_id": "20417"}),
    )
    .await;
    assert_eq!(read["state"], "closed");
    assert!(read.get("open").is_none(), "open is false: {read}");
    assert_eq!(last_part(&read)["part_type"], "close");
    assert_eq!(
        last_part(&read)["body"],
        "Closing; the account team follows up."
    );
    let still_open = ok(
        &server,
        "intercomSearchConversations",
        json!({"query": {"field": "open", "operator": "=", "value": true}}),
    )
    .await;
    assert!(!ids(&still_open, "conversations").contains(&"20417".to_owned()));

    // Assign to the team, then unassign the admin with "0".
    ok(
        &server,
        "intercomAssignConversation",
        json!({"conversation_id": "20418", "type": "team", "assignee_id": "5200001"}),
    )
    .await;
    let unassigned = ok(
        &server,
        "intercomAssignConversation",
        json!({"conversation_id": "20418", "type": "admin", "assignee_id": "0",
            "body": "Back to the queue."}),
    )
    .await;
    assert_eq!(unassigned["team_assignee_id"], 5_200_001, "{unassigned}");
    assert!(
        unassigned.get("admin_assignee_id").is_none(),
        "{unassigned}"
    );
    let read = ok(
        &server,
        "intercomGetConversation",
        json!({"conversation_id": "20418"}),
    )
    .await;
    let timeline = read["timeline"].as_array().unwrap();
    let assignment = &timeline[timeline.len() - 2];
    assert_eq!(assignment["part_type"], "assignment");
    assert_eq!(
        assignment["assigned_to"],
        json!({"type": "team", "id": "5200001"})
    );
    assert_eq!(last_part(&read)["body"], "Back to the queue.");
    let teams = ok(
        &server,
        "intercomSearchConversations",
        json!({"query": {"field": "team_assignee_id", "operator": "=", "value": 5_200_001}}),
    )
    .await;
    assert_eq!(
        ids(&teams, "conversations")
            .into_iter()
            .collect::<BTreeSet<_>>(),
        set(&["20415", "20418"])
    );

    // Companies and tags.
    let companies = ok(&server, "intercomListCompanies", json!({"per_page": 2})).await;
    assert_eq!(companies["has_more"], true);
    assert_eq!(companies["next_page"], 2);
    assert_eq!(companies["total_count"], 3);
    let first = ids(&companies, "companies");
    let rest = ok(
        &server,
        "intercomListCompanies",
        json!({"page": 2, "per_page": 2}),
    )
    .await;
    assert_eq!(rest["has_more"], false);
    let company = ok(
        &server,
        "intercomGetCompany",
        json!({"company_id": first[0]}),
    )
    .await;
    assert_eq!(
        company["name"], "Bluefin Logistics",
        "most recently active first"
    );
    assert_eq!(company["plan"]["name"], "Enterprise");
    let tags = ok(&server, "intercomListTags", json!({})).await;
    assert_eq!(tags.as_array().unwrap().len(), 4);

    // Unknown ids are Intercom's 404s.
    for (tool, args) in [
        (
            "intercomGetContact",
            json!({"contact_id": "000000000000000000000000"}),
        ),
        ("intercomGetConversation", json!({"conversation_id": "1"})),
        ("intercomGetCompany", json!({"company_id": "nope"})),
        ("intercomTagContact", json!({"contact_id": wren, "id": "1"})),
    ] {
        let error = call(&server, tool, args).await.unwrap_err();
        assert!(error.contains("HTTP 404"), "{tool}: {error}");
    }
    Ok(())
}

#[tokio::test]
async fn next_cursor_walks_every_contact_once() -> anyhow::Result<()> {
    let sandbox = sandbox::start().await?;
    let server = server(&sandbox);
    let mut seen = Vec::new();
    let mut args = json!({"per_page": 3});
    let mut pages = 0;
    loop {
        let page = ok(&server, "intercomListContacts", args.clone()).await;
        pages += 1;
        seen.extend(ids(&page, "contacts"));
        if page["has_more"] == false {
            break;
        }
        assert_eq!(page["total_count"], 8);
        args["starting_after"] = page["next_cursor"].clone();
        assert!(pages < 10, "the walk does not end");
    }
    assert_eq!(pages, 3);
    let all = ids(
        &ok(&server, "intercomListContacts", json!({"per_page": 150})).await,
        "contacts",
    );
    assert_eq!(seen, all);

    // Searches page the same way, with the cursor in `pagination`.
    let query = json!({"field": "role", "operator": "=", "value": "user"});
    let first = ok(
        &server,
        "intercomSearchContacts",
        json!({"query": query, "pagination": {"per_page": 4}}),
    )
    .await;
    assert_eq!(first["has_more"], true);
    let second = ok(
        &server,
        "intercomSearchContacts",
        json!({"query": query, "pagination": {"per_page": 4, "starting_after": first["next_cursor"]}}),
    )
    .await;
    assert_eq!(second["has_more"], false);
    assert_eq!(
        ids(&first, "contacts").len() + ids(&second, "contacts").len(),
        6
    );

    // A cursor the sandbox never gave is a 400.
    let error = call(
        &server,
        "intercomListContacts",
        json!({"starting_after": "bm90IGEgY3Vyc29y"}),
    )
    .await
    .unwrap_err();
    assert!(
        error.contains("HTTP 400") && error.contains("parameter_invalid"),
        "{error}"
    );
    Ok(())
}

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
    async fn read(request: reqwest::RequestBuilder) -> (u16, Value) {
        let response = request.send().await.unwrap();
        (response.status().as_u16(), response.json().await.unwrap())
    }

    expect(401, "unauthorized")(read(client.get(url("/me"))).await);
    expect(401, "unauthorized")(read(client.get(url("/me")).bearer_auth("sandbox2")).await);
    expect(404, "not_found")(read(client.get(url("/admins")).bearer_auth(TOKEN)).await);
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

// ---- The sandbox's answers against the upstream document's response schemas ----

/// Fields real Intercom returns that the document's schemas leave out (facts:
/// "fields the document does not list"), by schema and field. Nothing else is let through.
const UNDECLARED: &[(&str, &str)] = &[
    // A contact's tags, notes and social profiles are list wrappers with `type: list` in
    // every real answer (and the document's own examples); their schemas omit `type`.
    ("contact_tags", "type"),
    ("contact_notes", "type"),
    ("contact_social_profiles", "type"),
    // Real locations carry both codes; the schema stops at country, region and city.
    ("contact_location", "country_code"),
    ("contact_location", "continent_code"),
    // `topics` is in the conversation schemas' `required` list but not in their properties;
    // `ticket` (null unless the conversation is a ticket) is in every real conversation.
    ("conversation", "topics"),
    ("conversation", "ticket"),
    ("conversation_list_item", "topics"),
    ("conversation_list_item", "ticket"),
];

/// Fields real Intercom returns as null though the document does not mark them nullable
/// (facts: "nulls where it says non-null"); the document's own examples show these nulls.
const NULLS: &[(&str, &str)] = &[
    ("conversation", "first_contact_reply"),
    ("conversation", "conversation_rating"),
    ("conversation_list_item", "first_contact_reply"),
    ("conversation_list_item", "conversation_rating"),
];

struct Checker<'a> {
    document: &'a Value,
    problems: Vec<String>,
}

static NULL: Value = Value::Null;

/// Follows `$ref`s; returns the schema and the component name it came from, if any.
fn resolve<'s>(document: &'s Value, mut schema: &'s Value) -> (&'s Value, Option<&'s str>) {
    let mut name = None;
    while let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let component = reference.trim_start_matches("#/components/schemas/");
        name = Some(component);
        match document["components"]["schemas"].get(component) {
            Some(target) => schema = target,
            // A reference the document never defines (custom_attributes): any object.
            None => return (&NULL, name),
        }
    }
    (schema, name)
}

/// The declared properties, merged over allOf/oneOf/anyOf; `None` for a free-form object.
fn properties(document: &Value, schema: &Value) -> Option<Map<String, Value>> {
    let (schema, _) = resolve(document, schema);
    let mut merged: Option<Map<String, Value>> =
        schema.get("properties").and_then(Value::as_object).cloned();
    for combinator in ["allOf", "oneOf", "anyOf"] {
        for part in schema[combinator].as_array().into_iter().flatten() {
            if let Some(more) = properties(document, part) {
                merged.get_or_insert_with(Map::new).extend(more);
            }
        }
    }
    merged
}

/// The declared `type` of a schema (through `$ref` and allOf), and whether it is nullable.
fn declared_type(document: &Value, schema: &Value) -> (Option<String>, bool) {
    let nullable = schema["nullable"] == true;
    let (resolved, _) = resolve(document, schema);
    let mut kind = resolved["type"].as_str().map(str::to_owned);
    if kind.is_none() {
        for part in resolved["allOf"].as_array().into_iter().flatten() {
            kind = kind.or(declared_type(document, part).0);
        }
    }
    (kind, nullable || resolved["nullable"] == true)
}

impl Checker<'_> {
    /// Checks `value` against `schema`: every field declared, each of the declared type,
    /// `type` fields among the declared values; then, while `depth` allows, one level down.
    fn check(&mut self, at: &str, value: &Value, schema: &Value, depth: usize) {
        let document = self.document;
        let (resolved, name) = resolve(document, schema);
        if let Value::Array(items) = value {
            let item_schema = resolved.get("items").cloned().unwrap_or(Value::Null);
            for (index, item) in items.iter().enumerate() {
                self.check(&format!("{at}[{index}]"), item, &item_schema, depth);
            }
            return;
        }
        let Value::Object(fields) = value else { return };
        let Some(declared) = properties(document, schema) else {
            return;
        };
        let name = name.unwrap_or("(inline)").to_owned();
        for (key, field) in fields {
            let here = format!("{at}.{key}");
            let Some(field_schema) = declared.get(key) else {
                if !UNDECLARED.contains(&(name.as_str(), key.as_str())) {
                    self.problems
                        .push(format!("{here}: not declared in `{name}`"));
                }
                continue;
            };
            let (kind, nullable) = declared_type(document, field_schema);
            let fits = match (kind.as_deref(), field) {
                (_, Value::Null) => nullable || NULLS.contains(&(name.as_str(), key.as_str())),
                (None, _) => true,
                (Some("string"), Value::String(_))
                | (Some("boolean"), Value::Bool(_))
                | (Some("object"), Value::Object(_))
                | (Some("array"), Value::Array(_)) => true,
                (Some("integer"), Value::Number(number)) => number.is_i64() || number.is_u64(),
                (Some("number"), Value::Number(_)) => true,
                _ => false,
            };
            if !fits {
                self.problems.push(format!(
                    "{here}: {field} does not fit the declared type {kind:?} in `{name}`"
                ));
            }
            if key == "type" {
                let (resolved_field, _) = resolve(document, field_schema);
                let allowed = match (&resolved_field["enum"], &resolved_field["default"]) {
                    (Value::Array(values), _) => Some(values.clone()),
                    (_, Value::String(default)) => Some(vec![json!(default)]),
                    _ => None,
                };
                if let Some(allowed) = allowed
                    && !allowed.contains(field)
                {
                    self.problems.push(format!(
                        "{here}: {field} is not among {allowed:?} in `{name}`"
                    ));
                }
            }
            if depth > 0 && !field.is_null() {
                self.check(&here, field, field_schema, depth - 1);
            }
        }
    }
}

/// The 200 response schema of `method path` in the document.
fn response_schema(document: &Value, method: &str, path: &str) -> Value {
    let operation = &document["paths"][path][method];
    assert!(operation.is_object(), "no {method} {path} in the document");
    operation["responses"]["200"]["content"]["application/json"]["schema"].clone()
}

fn http() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}

#[tokio::test]
async fn answers_fit_the_documents_response_schemas() -> anyhow::Result<()> {
    let Some(document) = common::upstream() else {
        return Ok(());
    };
    let sandbox = sandbox::start().await?;
    let client = http();
    let base = sandbox.base_url.clone();
    let send = |method: &str, path: &str, body: Option<Value>| {
        let mut request = client.request(
            method.to_ascii_uppercase().parse().unwrap(),
            format!("{base}{path}"),
        );
        request = request
            .bearer_auth(TOKEN)
            .header("Intercom-Version", "2.11");
        if let Some(body) = body {
            request = request.json(&body);
        }
        async move {
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            (status, response.json::<Value>().await.unwrap())
        }
    };
    let (_, contacts) = send("get", "/contacts?per_page=3", None).await;
    let contact = contacts["data"][0]["id"].as_str().unwrap().to_owned();
    let (_, companies) = send("post", "/companies/list?per_page=2", None).await;
    let company = companies["data"][0]["id"].as_str().unwrap().to_owned();
    let (_, tags) = send("get", "/tags", None).await;
    let tag = tags["data"][0]["id"].as_str().unwrap().to_owned();
    let search = json!({"query": {"operator": "AND", "value": [
        {"field": "created_at", "operator": ">", "value": 1_700_000_000},
        {"field": "role", "operator": "=", "value": "user"}
    ]}, "pagination": {"per_page": 2}});
    let conversation_search = json!({"query": {"field": "open", "operator": "=", "value": true},
        "pagination": {"per_page": 1}});

    // (document path, method, request path, body): the 16 operations and GET /me.
    let calls: Vec<(&str, &str, String, Option<Value>)> = vec![
        ("/me", "get", "/me".into(), None),
        ("/contacts", "get", "/contacts?per_page=3".into(), None),
        (
            "/contacts/search",
            "post",
            "/contacts/search".into(),
            Some(search),
        ),
        (
            "/contacts/{contact_id}",
            "get",
            format!("/contacts/{contact}"),
            None,
        ),
        (
            "/contacts",
            "post",
            "/contacts".into(),
            Some(
                json!({"email": "ines.duarte@example.org", "name": "Inês Duarte", "phone": "+351210000999"}),
            ),
        ),
        (
            "/contacts/{contact_id}",
            "put",
            format!("/contacts/{contact}"),
            Some(
                json!({"name": "Priya R.", "avatar": "https://static.example.com/p.png", "owner_id": 7_300_102}),
            ),
        ),
        (
            "/contacts/{contact_id}/notes",
            "post",
            format!("/contacts/{contact}/notes"),
            Some(
                json!({"body": "<p>Asked about the <b>annual</b> plan.</p>", "admin_id": ADMIN_ID}),
            ),
        ),
        (
            "/contacts/{contact_id}/tags",
            "post",
            format!("/contacts/{contact}/tags"),
            Some(json!({"id": tag})),
        ),
        (
            "/conversations",
            "get",
            "/conversations?per_page=2".into(),
            None,
        ),
        (
            "/conversations/search",
            "post",
            "/conversations/search".into(),
            Some(conversation_search),
        ),
        (
            "/conversations/{conversation_id}",
            "get",
            "/conversations/20416".into(),
            None,
        ),
        (
            "/conversations/{conversation_id}",
            "get",
            "/conversations/20415?display_as=plaintext".into(),
            None,
        ),
        (
            "/conversations/{conversation_id}/reply",
            "post",
            "/conversations/20417/reply".into(),
            Some(
                json!({"type": "admin", "admin_id": ADMIN_ID, "message_type": "comment", "body": "On it."}),
            ),
        ),
        (
            "/conversations/{conversation_id}/reply",
            "post",
            "/conversations/last/reply".into(),
            Some(
                json!({"type": "user", "email": "hiro.tanaka@example.net", "body": "Any news on the quote?"}),
            ),
        ),
        (
            "/conversations/{conversation_id}/parts",
            "post",
            "/conversations/20417/parts".into(),
            Some(json!({"message_type": "close", "type": "admin", "admin_id": ADMIN_ID})),
        ),
        (
            "/conversations/{conversation_id}/parts",
            "post",
            "/conversations/20418/parts".into(),
            Some(
                json!({"message_type": "assignment", "type": "admin", "admin_id": ADMIN_ID,
                "assignee_id": ADMIN_ID, "body": "Taking this one."}),
            ),
        ),
        (
            "/companies/list",
            "post",
            "/companies/list?per_page=2".into(),
            None,
        ),
        (
            "/companies/{company_id}",
            "get",
            format!("/companies/{company}"),
            None,
        ),
        ("/tags", "get", "/tags".into(), None),
    ];
    let mut checker = Checker {
        document: &document,
        problems: Vec::new(),
    };
    // Every record of the sample workspace (src/sandbox/workspace.json), read whole before
    // any write: the data itself is checked against the document, not only a few answers.
    let (_, every_contact) = send("get", "/contacts?per_page=150", None).await;
    let (_, every_conversation) = send("get", "/conversations?per_page=150", None).await;
    let (_, every_company) = send("post", "/companies/list?per_page=150", None).await;
    let records = [
        (
            "/contacts/{contact_id}",
            "/contacts",
            &every_contact["data"],
        ),
        (
            "/conversations/{conversation_id}",
            "/conversations",
            &every_conversation["conversations"],
        ),
        (
            "/companies/{company_id}",
            "/companies",
            &every_company["data"],
        ),
    ];
    for (template, prefix, list) in records {
        let list = list.as_array().unwrap();
        assert!(!list.is_empty(), "no records under {prefix}");
        for record in list {
            let path = format!("{prefix}/{}", record["id"].as_str().unwrap());
            let (status, answer) = send("get", &path, None).await;
            assert_eq!(status, 200, "{path}: {answer}");
            let schema = response_schema(&document, "get", template);
            checker.check(&format!("get {path}"), &answer, &schema, 1);
        }
    }
    for (template, method, path, body) in calls {
        let (status, answer) = send(method, &path, body).await;
        assert_eq!(status, 200, "{method} {path}: {answer}");
        let schema = response_schema(&document, method, template);
        checker.check(&format!("{method} {path}"), &answer, &schema, 1);
    }

    // Errors have the document's error shape.
    let error_schema = json!({"$ref": "#/components/schemas/error"});
    let (status, not_found) = send("get", "/contacts/nobody", None).await;
    assert_eq!(status, 404);
    assert_eq!(not_found["errors"][0]["code"], "not_found");
    checker.check("404", &not_found, &error_schema, 1);
    let unauthorized = client
        .get(format!("{base}/me"))
        .bearer_auth("not-the-sandbox-token")
        .send()
        .await?;
    assert_eq!(unauthorized.status(), 401);
    let unauthorized: Value = unauthorized.json().await?;
    assert_eq!(unauthorized["errors"][0]["code"], "unauthorized");
    checker.check("401", &unauthorized, &error_schema, 1);
    let (status, conflict) = send(
        "post",
        "/contacts",
        Some(json!({"email": "INES.DUARTE@example.org"})),
    )
    .await;
    assert_eq!(status, 409);
    assert_eq!(conflict["errors"][0]["code"], "conflict");
    checker.check("409", &conflict, &error_schema, 1);
    let (status, invalid) = send("post", "/contacts", Some(json!({"name": "Only a name"}))).await;
    assert_eq!(status, 400);
    checker.check("400", &invalid, &error_schema, 1);

    assert!(
        checker.problems.is_empty(),
        "the sandbox answers fields the document does not declare:\n{}",
        checker.problems.join("\n")
    );
    Ok(())
}

#[tokio::test]
async fn the_checker_catches_what_it_should() {
    let Some(document) = common::upstream() else {
        return;
    };
    let mut checker = Checker {
        document: &document,
        problems: Vec::new(),
    };
    let schema = json!({"$ref": "#/components/schemas/contact_list"});
    let answer = json!({"type": "list", "data": [{"type": "contact", "id": 5, "nickname": "x",
        "location": {"type": "place"}}], "total_count": 1, "surprise": true});
    checker.check("answer", &answer, &schema, 1);
    let problems = checker.problems.join("\n");
    assert!(
        problems.contains("answer.surprise: not declared"),
        "{problems}"
    );
    assert!(
        problems.contains("answer.data[0].nickname: not declared"),
        "{problems}"
    );
    assert!(
        problems.contains("answer.data[0].id: 5 does not fit"),
        "{problems}"
    );
    assert_eq!(checker.problems.len(), 3, "{problems}");
}
