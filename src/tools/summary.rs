//! `intercom-mcp tools`: one line per tool, as JSON or an aligned table.

use serde_json::Value;

use super::{Effect, ServerTool};

/// One line of `intercom-mcp tools`.
#[derive(serde::Serialize)]
pub struct Summary {
    pub name: &'static str,
    pub title: &'static str,
    /// read, or write plus how it behaves.
    pub effect: String,
    pub operation: &'static str,
    pub permission: &'static str,
    pub schema_bytes: usize,
}

pub fn summary<'a>(tools: impl Iterator<Item = &'a ServerTool>) -> Vec<Summary> {
    tools
        .map(|tool| Summary {
            name: tool.facts.name,
            title: tool.facts.title,
            effect: match tool.facts.effect {
                Effect::Read => "read".to_owned(),
                Effect::Write {
                    destructive,
                    idempotent,
                } => format!(
                    "write{}{}",
                    if destructive { ", destructive" } else { "" },
                    if idempotent { ", idempotent" } else { "" }
                ),
            },
            operation: tool.facts.operation,
            permission: tool.facts.scope,
            schema_bytes: Value::Object(tool.input.schema.clone()).to_string().len(),
        })
        .collect()
}

/// A table column: its header, and how a row fills it.
type Column = (&'static str, fn(&Summary) -> String);

/// The summary as an aligned text table.
pub fn table(rows: &[Summary]) -> String {
    let width = |pick: fn(&Summary) -> String, header: &str| {
        rows.iter()
            .map(|row| pick(row).chars().count())
            .chain([header.len()])
            .max()
            .unwrap_or(0)
    };
    let columns: [Column; 4] = [
        ("tool", |row| row.name.to_owned()),
        ("effect", |row| row.effect.clone()),
        ("schema bytes", |row| row.schema_bytes.to_string()),
        ("permission", |row| row.permission.to_owned()),
    ];
    let widths: Vec<usize> = columns
        .iter()
        .map(|(header, pick)| width(*pick, header))
        .collect();
    let line = |cells: Vec<String>| {
        cells
            .iter()
            .zip(&widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_owned()
    };
    let mut out = vec![line(
        columns
            .iter()
            .map(|(header, _)| (*header).to_owned())
            .collect(),
    )];
    out.extend(
        rows.iter()
            .map(|row| line(columns.iter().map(|(_, pick)| pick(row)).collect())),
    );
    out.join("\n")
}
