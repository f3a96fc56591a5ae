//! The bundle's manifest and the registry entry, from fixed package facts.

use std::path::PathBuf;

use serde_json::Value;

use super::tools::Tool;
use super::{Package, Platform, manifest, server_json};

fn package() -> Package {
    Package {
        version: "1.2.3".to_owned(),
        description: "An MCP server for Intercom".to_owned(),
        license: "MIT".to_owned(),
        repository: "https://github.com/Acme/intercom-mcp".to_owned(),
        owner: "Acme".to_owned(),
        root: PathBuf::from("."),
        target_dir: PathBuf::from("target"),
    }
}

fn tools() -> Vec<Tool> {
    ["intercomListTags", "intercomTagContact"]
        .map(|name| Tool {
            name: name.to_owned(),
            description: format!("{name} does one thing."),
        })
        .into()
}

#[test]
fn every_setting_fills_a_variable_the_server_reads() {
    let manifest = manifest::manifest(&package(), Platform::new("linux", "x86_64"), &tools());
    let config = include_str!("../../../src/config/mod.rs");
    let env = manifest["server"]["mcp_config"]["env"].as_object().unwrap();
    let settings = manifest["user_config"].as_object().unwrap();
    assert_eq!(env.len(), settings.len());
    for (variable, value) in env {
        assert!(
            config.contains(&format!("\"{variable}\"")),
            "src/config never reads {variable}"
        );
        let key = value
            .as_str()
            .and_then(|value| value.strip_prefix("${user_config."))
            .and_then(|value| value.strip_suffix('}'))
            .unwrap();
        let setting = &settings[key];
        // Without a default, an unset setting would reach the server as the literal placeholder.
        assert!(setting.get("default").is_some(), "{key} has no default");
        assert_eq!(setting["required"], false, "{key}");
    }
    assert_eq!(settings["access_token"]["sensitive"], true);
    assert_eq!(settings["access_token"]["default"], "");
}

#[test]
fn the_manifest_runs_the_platforms_binary_from_the_bundle() {
    let linux = manifest::manifest(&package(), Platform::new("linux", "aarch64"), &tools());
    assert_eq!(linux["manifest_version"], "0.3");
    assert_eq!(linux["server"]["type"], "binary");
    assert_eq!(linux["server"]["entry_point"], "server/intercom-mcp");
    assert_eq!(
        linux["server"]["mcp_config"]["command"],
        "${__dirname}/server/intercom-mcp"
    );
    assert_eq!(
        linux["compatibility"]["platforms"],
        serde_json::json!(["linux"])
    );
    assert_eq!(linux["tools"][1]["name"], "intercomTagContact");
    assert_eq!(
        linux["tools"][1]["description"],
        "intercomTagContact does one thing."
    );
    assert_eq!(
        linux["privacy_policies"][0],
        "https://github.com/Acme/intercom-mcp/blob/main/docs/privacy.md"
    );
    let windows = manifest::manifest(&package(), Platform::new("windows", "x86_64"), &tools());
    assert_eq!(windows["server"]["entry_point"], "server/intercom-mcp.exe");
    assert_eq!(
        windows["compatibility"]["platforms"],
        serde_json::json!(["win32"])
    );
}

#[test]
fn targets_name_their_platform() {
    let of = |triple| Platform::of_target(triple).unwrap();
    assert_eq!(
        of("x86_64-unknown-linux-gnu"),
        Platform::new("linux", "x86_64")
    );
    assert_eq!(
        of("aarch64-unknown-linux-musl"),
        Platform::new("linux", "aarch64")
    );
    assert_eq!(
        of("aarch64-apple-darwin"),
        Platform::new("macos", "aarch64")
    );
    assert_eq!(
        of("x86_64-pc-windows-msvc"),
        Platform::new("windows", "x86_64")
    );
    assert!(Platform::of_target("riscv64gc-unknown-linux-gnu").is_err());
    assert_eq!(
        Platform::new("macos", "aarch64").file_name("1.2.3"),
        "intercom-mcp-1.2.3-macos-aarch64.mcpb"
    );
}

#[test]
fn the_registry_entry_names_the_image_and_each_bundle() {
    let entry = server_json::server_json(&package(), None).unwrap();
    assert_eq!(entry["name"], "io.github.Acme/intercom-mcp");
    assert_eq!(entry["version"], "1.2.3");
    assert!(entry.get("remotes").is_none());
    let packages = entry["packages"].as_array().unwrap();
    assert_eq!(packages[0]["registryType"], "oci");
    assert_eq!(packages[0]["identifier"], "ghcr.io/acme/intercom-mcp:1.2.3");
    let bundles: Vec<&Value> = packages[1..].iter().collect();
    assert_eq!(bundles.len(), Platform::RELEASED.len());
    assert_eq!(
        bundles[0]["identifier"],
        "https://github.com/Acme/intercom-mcp/releases/download/v1.2.3/intercom-mcp-1.2.3-linux-x86_64.mcpb"
    );
    assert!(
        bundles
            .iter()
            .all(|bundle| bundle["fileSha256"] == "0".repeat(64))
    );
}

#[test]
fn a_release_fills_each_bundles_digest_and_misses_none() {
    let dir = std::env::temp_dir().join(format!("xtask-digests-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for platform in Platform::RELEASED {
        std::fs::write(dir.join(platform.file_name("1.2.3")), b"abc").unwrap();
    }
    let entry = server_json::server_json(&package(), Some(&dir)).unwrap();
    // SHA-256 of "abc" (FIPS 180-2, appendix B.1).
    let abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    assert!(
        entry["packages"].as_array().unwrap()[1..]
            .iter()
            .all(|bundle| bundle["fileSha256"] == abc)
    );
    std::fs::remove_file(dir.join(Platform::RELEASED[4].file_name("1.2.3"))).unwrap();
    assert!(server_json::server_json(&package(), Some(&dir)).is_err());
    std::fs::remove_dir_all(&dir).ok();
}
