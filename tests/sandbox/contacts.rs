//! Contacts through every contact tool, with notes and tags: writes show in later reads; the
//! cursor walks every contact once, in lists and searches.

use serde_json::json;

use super::*;

#[tokio::test]
async fn contacts_are_read_created_updated_noted_and_tagged() -> anyhow::Result<()> {
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

    // Unknown ids are Intercom's 404s.
    for (tool, args) in [
        (
            "intercomGetContact",
            json!({"contact_id": "000000000000000000000000"}),
        ),
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
