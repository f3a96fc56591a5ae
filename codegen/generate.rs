//! The one progenitor invocation: build.rs generates the client with it, and
//! `cargo xtask regen` runs it as its last check, so both always agree on the settings.

use std::panic::{AssertUnwindSafe, catch_unwind};

use progenitor::{GenerationSettings, Generator, HooksMode, InterfaceStyle, TagStyle};

/// Generates the client for `document` (an OpenAPI 3.0 document) as formatted Rust source.
/// progenitor and typify panic on some constructs; a panic comes back as an error message.
pub fn generate(document: &serde_json::Value) -> Result<String, String> {
    let spec: openapiv3::OpenAPI = serde_json::from_value(document.clone())
        .map_err(|err| format!("not an OpenAPI 3.0 document: {err}"))?;
    let inner_type: proc_macro2::TokenStream = "crate::intercom::Upstream"
        .parse()
        .map_err(|err| format!("inner type: {err}"))?;
    let mut settings = GenerationSettings::new();
    settings
        .with_interface(InterfaceStyle::Builder)
        .with_tag(TagStyle::Merged)
        // Auth, headers, retries and logging live in the crate's own `ClientHooks` impl.
        .with_hooks(HooksMode::Expected)
        .with_inner_type(inner_type)
        .with_derive("schemars::JsonSchema");
    let silent = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        Generator::new(&settings).generate_tokens(&spec)
    }));
    std::panic::set_hook(silent);
    let tokens = match outcome {
        Ok(Ok(tokens)) => tokens,
        Ok(Err(err)) => return Err(format!("progenitor: {err}")),
        Err(panic) => {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|text| (*text).to_owned()))
                .unwrap_or_else(|| "no message".to_owned());
            return Err(format!("progenitor panicked: {message}"));
        }
    };
    let file: syn::File =
        syn::parse2(tokens).map_err(|err| format!("generated code does not parse: {err}"))?;
    Ok(prettyplease::unparse(&file))
}
