//! The settings that are one of a few named choices (`--confirm-writes`, `--untrusted`). They
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
