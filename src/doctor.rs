//! `intercom-mcp doctor`: is the configuration right, does the token work, and in which
//! region? A token used against the wrong region gets 401, the most common setup failure, so
//! on 401 the other regions are tried and the one that accepts the token is named — but only
//! when the base URL is a region's: a token refused by a custom INTERCOM_BASE_URL (a proxy, a
//! mock, a gateway) is never sent to Intercom's own hosts. The token itself is never printed.

use std::sync::Arc;

use serde_json::{Value, json};

use crate::config::{Config, Region};
use crate::error::{Hints, ToolError};
use crate::intercom::{self, TokenCell};
use crate::policy::SystemClock;

/// What doctor found: lines for a person, and whether everything is in order.
pub struct Report {
    pub lines: Vec<String>,
    pub ok: bool,
}

/// The regions' API addresses; tests point them at mocks.
pub fn region_urls() -> Vec<(Region, String)> {
    Region::ALL
        .iter()
        .map(|region| (*region, region.base_url().to_owned()))
        .collect()
}

pub async fn run(config: &Config, regions: &[(Region, String)], executable: &str) -> Report {
    let mut lines = vec![format!(
        "configuration: region {}, API {}, timeout {} ms",
        config.region.name(),
        config.base_url,
        config.timeout.as_millis()
    )];
    if config.token.is_none() {
        lines.push("✗ no access token: set accessToken (or INTERCOM_ACCESS_TOKEN)".to_owned());
        return Report { lines, ok: false };
    }
    match me(config, &config.base_url).await {
        Ok(admin) => {
            describe(&admin, &mut lines);
            let region = config.region_in_use().unwrap_or(config.region);
            lines.push(format!("✓ the token works against {}", config.base_url));
            lines.push("Claude Desktop (claude_desktop_config.json):".to_owned());
            lines.push(snippet(executable, region));
            Report { lines, ok: true }
        }
        Err(ToolError::Api(error)) if error.status == 401 => {
            lines.push(format!("✗ {} refused the token (401)", config.base_url));
            if !regions.iter().any(|(_, url)| *url == config.base_url) {
                lines.push(
                    "✗ INTERCOM_BASE_URL (or --base-url) is set, so the token was not tried against \
                     Intercom's regional hosts: check the token, or unset the base URL and choose \
                     the region with intercomRegion"
                        .to_owned(),
                );
                return Report { lines, ok: false };
            }
            for (region, url) in regions.iter().filter(|(_, url)| *url != config.base_url) {
                if let Ok(admin) = me(config, url).await {
                    describe(&admin, &mut lines);
                    lines.push(format!(
                        "✗ the token belongs to region {name}: set intercomRegion={name} (or INTERCOM_REGION={name})",
                        name = region.name()
                    ));
                    lines.push(snippet(executable, *region));
                    return Report { lines, ok: false };
                }
            }
            lines.push(
                "✗ no region accepts the token: it is mistyped, revoked, or not an access token"
                    .to_owned(),
            );
            Report { lines, ok: false }
        }
        Err(error) => {
            let hints = Hints {
                region: config.region_in_use(),
                scope: "Read admins",
                repeatable: true,
            };
            lines.push(format!("✗ GET /me failed: {}", error.render(&hints)));
            Report { lines, ok: false }
        }
    }
}

async fn me(config: &Config, base_url: &str) -> Result<Value, ToolError> {
    let mut config = config.clone();
    config.base_url = base_url.to_owned();
    let client = intercom::connect(
        &config,
        TokenCell::new(config.token.clone()),
        Arc::new(SystemClock),
        // Nobody scrapes a one-off check.
        crate::metrics::Metrics::default(),
    )
    .map_err(|err| ToolError::Request(err.to_string()))?;
    // GET /me changes nothing: safe to send again after a transient failure.
    let client = intercom::retried(&client, true);
    crate::response::respond(client.identify_admin().send().await).await
}

fn describe(admin: &Value, lines: &mut Vec<String>) {
    let text = |pointer: &str| {
        admin
            .pointer(pointer)
            .and_then(Value::as_str)
            .unwrap_or("?")
            .to_owned()
    };
    lines.push(format!(
        "admin: {} <{}>, id {}",
        text("/name"),
        text("/email"),
        admin.pointer("/id").map_or("?".to_owned(), |id| id
            .as_str()
            .map_or_else(|| id.to_string(), str::to_owned))
    ));
    lines.push(format!(
        "workspace: {} (region {})",
        text("/app/name"),
        text("/app/region")
    ));
}

fn snippet(executable: &str, region: Region) -> String {
    let config = json!({"mcpServers": {"intercom": {
        "command": executable,
        "env": {"accessToken": "YOUR_INTERCOM_ACCESS_TOKEN", "intercomRegion": region.name()}
    }}});
    serde_json::to_string_pretty(&config).unwrap_or_default()
}
