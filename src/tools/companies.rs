//! Company tools: list (page-numbered) and get.
//!
//! Each tool is its input type, its `Facts` and a `send()`: the same shape in every tool file,
//! on purpose, so that a tool reads whole where it stands (the duplicates check lists it).

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

use super::contacts::READ_SCOPE;
use super::ids::PathId;
use super::paging::bound_per_page;
use super::{Effect, Facts, Tool};
use crate::intercom::{Client, Sent};
use crate::output::Output;

#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
enum Order {
    Asc,
    Desc,
}

#[derive(Deserialize, JsonSchema)]
pub struct ListCompanies {
    page: Option<i64>,
    per_page: Option<i64>,
    order: Option<Order>,
}

impl Tool for ListCompanies {
    const FACTS: Facts = Facts {
        name: "intercomListCompanies",
        title: "List companies",
        description: "Pages through companies by page number; only the first 10,000 are reachable.",
        operation: "listAllCompanies",
        effect: Effect::Read,
        scope: READ_SCOPE,
        output: Output::NumberedPage("companies"),
        fields: &[("per_page", "Companies per page (default 15).")],
        view: None,
        record: None,
    };

    fn shape(schema: &mut Value) {
        bound_per_page(schema, None);
        if let Some(Value::Object(page)) = schema.pointer_mut("/properties/page") {
            page.insert("minimum".to_owned(), json!(1));
        }
    }

    async fn send(self, client: &Client) -> Sent {
        let mut request = client.list_all_companies();
        if let Some(page) = self.page {
            request = request.page(page);
        }
        if let Some(per_page) = self.per_page {
            request = request.per_page(per_page);
        }
        if let Some(order) = self.order {
            request = request.order(match order {
                Order::Asc => "asc",
                Order::Desc => "desc",
            });
        }
        request.send().await
    }
}

#[derive(Deserialize, JsonSchema)]
pub struct GetCompany {
    company_id: PathId,
}

impl Tool for GetCompany {
    const FACTS: Facts = Facts {
        name: "intercomGetCompany",
        title: "Get a company",
        description: "One company by Intercom id: plan, size, spend, users, tags, attributes.",
        operation: "RetrieveACompanyById",
        effect: Effect::Read,
        scope: READ_SCOPE,
        output: Output::Object,
        fields: &[],
        view: None,
        record: None,
    };

    async fn send(self, client: &Client) -> Sent {
        client
            .retrieve_a_company_by_id()
            .company_id(self.company_id.as_str())
            .send()
            .await
    }
}
