//! Companies, page by page and one by one, and the workspace's tags.

use serde_json::json;

use super::*;

#[tokio::test]
async fn companies_and_tags_are_listed_and_read() -> anyhow::Result<()> {
    let sandbox = sandbox::start().await?;
    let server = server(&sandbox);

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
    for (tool, args) in [("intercomGetCompany", json!({"company_id": "nope"}))] {
        let error = call(&server, tool, args).await.unwrap_err();
        assert!(error.contains("HTTP 404"), "{tool}: {error}");
    }
    Ok(())
}
