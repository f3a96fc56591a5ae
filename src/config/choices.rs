//! The settings that are one of a few named choices (`--confirm-writes`, `--unconfirmable`,
//! `--untrusted`). They
//! live here, at the bottom, so every layer that acts on a setting reads it down, not sideways.

/// Which writes ask the user first, when the client can be asked (`--confirm-writes`,
/// `INTERCOM_CONFIRM_WRITES`); `crate::confirm` asks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ConfirmWrites {
    Never,
    #[default]
    CustomerVisible,
    All,
}

/// What becomes of a write `--confirm-writes` says needs confirmation when the user cannot be
/// asked (a client without elicitation, a 2025 client over HTTP, the `call` command):
/// `--unconfirmable`, `INTERCOM_UNCONFIRMABLE`; `crate::server` acts on it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Unconfirmable {
    /// Sent, and the result says the user was not asked.
    #[default]
    Send,
    /// Not sent; the result says why and what would allow it.
    Refuse,
}

/// How customer-written text reaches the model (`--untrusted`, `INTERCOM_UNTRUSTED`);
/// `crate::untrusted` applies it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum UntrustedMode {
    /// Shown, between markers that say a customer wrote it.
    #[default]
    Fence,
    /// Message bodies by customers withheld (their length shown); other customer fields fenced.
    Lockdown,
}
