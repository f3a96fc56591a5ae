//! Conversations through every conversation tool: read, replied to, closed and assigned, with
//! each write visible in later reads and searches.

use serde_json::json;

use super::*;

#[tokio::test]
async fn conversations_are_read_replied_closed_and_assigned() -> anyhow::Result<()> {
    let sandbox = sandbox::start().await?;
    let server = server(&sandbox);

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

    // Unknown ids are Intercom's 404s.
    for (tool, args) in [("intercomGetConversation", json!({"conversation_id": "1"}))] {
        let error = call(&server, tool, args).await.unwrap_err();
        assert!(error.contains("HTTP 404"), "{tool}: {error}");
    }
    Ok(())
}
