//! The bundle's `manifest.json` (MCPB manifest 0.3, see the module above): identity and links
//! from Cargo.toml, the tools from the binary, and the settings Claude Desktop asks for, each
//! filling one of the environment variables the server reads (src/config).

use serde_json::{Value, json};

use super::tools::Tool;
use super::{Package, Platform};

/// Each setting: its key, the variable it fills, and its entry in `user_config`.
fn settings() -> [(&'static str, &'static str, Value); 5] {
    [
        (
            "access_token",
            // The first name the server reads, so nothing inherited takes precedence.
            "accessToken",
            json!({
                "type": "string",
                "title": "Intercom access token",
                "description": "From your Intercom app in the Developer Hub (Authentication). \
                    Leave it empty to start anyway (the tools then say what to set), or turn on \
                    the sample workspace below.",
                "sensitive": true,
                "required": false,
                "default": "",
            }),
        ),
        (
            "region",
            "intercomRegion",
            json!({
                "type": "string",
                "title": "Intercom region",
                "description": "Where your workspace is hosted: us, eu or au.",
                "required": false,
                "default": "us",
            }),
        ),
        (
            "read_only",
            "INTERCOM_READ_ONLY",
            json!({
                "type": "boolean",
                "title": "Read only",
                "description": "Offer only the tools that read; nothing can be changed in Intercom.",
                "required": false,
                "default": false,
            }),
        ),
        (
            "dry_run",
            "INTERCOM_DRY_RUN",
            json!({
                "type": "boolean",
                "title": "Dry run",
                "description": "Write tools show the request they would send, and send nothing.",
                "required": false,
                "default": false,
            }),
        ),
        (
            "sandbox",
            "INTERCOM_SANDBOX",
            json!({
                "type": "boolean",
                "title": "Sample workspace",
                "description": "Try it without an Intercom account: a built-in sample workspace \
                    that keeps your changes until Claude Desktop restarts; nothing reaches \
                    Intercom, and the token is not used.",
                "required": false,
                "default": false,
            }),
        ),
    ]
}

pub fn manifest(package: &Package, platform: Platform, tools: &[Tool]) -> Value {
    let repository = &package.repository;
    let settings = settings();
    let env: serde_json::Map<String, Value> = settings
        .iter()
        .map(|(key, variable, _)| {
            (
                (*variable).to_owned(),
                json!(format!("${{user_config.{key}}}")),
            )
        })
        .collect();
    let user_config: serde_json::Map<String, Value> = settings
        .into_iter()
        .map(|(key, _, entry)| (key.to_owned(), entry))
        .collect();
    let executable = platform.executable();
    json!({
        "manifest_version": "0.3",
        "name": "intercom-mcp",
        "display_name": "Intercom",
        "version": package.version,
        "description": package.description,
        "long_description": "Lets Claude work with your Intercom workspace: find and update \
            contacts, read, reply to, assign and close conversations, look up companies, tag \
            contacts and add notes. A native program; \
            it talks to Intercom's REST API and nothing else.",
        "author": { "name": "The intercom-mcp contributors", "url": repository },
        "repository": { "type": "git", "url": repository },
        "homepage": repository,
        "documentation": format!("{repository}#readme"),
        "support": format!("{repository}/issues"),
        "icon": "icon.png",
        "server": {
            "type": "binary",
            "entry_point": format!("server/{executable}"),
            "mcp_config": {
                "command": format!("${{__dirname}}/server/{executable}"),
                "args": [],
                "env": env,
            },
        },
        "tools": tools
            .iter()
            .map(|tool| json!({ "name": tool.name, "description": tool.description }))
            .collect::<Vec<_>>(),
        "keywords": ["intercom", "customer support", "crm", "conversations"],
        "license": package.license,
        // Ours (what the server does with the data) and Intercom's (the service it calls).
        "privacy_policies": [
            format!("{repository}/blob/main/docs/privacy.md"),
            "https://www.intercom.com/legal/privacy",
        ],
        "compatibility": {
            // The app versions the specification's binary example names.
            "claude_desktop": ">=0.10.0",
            // One bundle carries one platform's binary.
            "platforms": [platform.mcpb()],
        },
        "user_config": user_config,
    })
}
