//! What must open on any replica and be used only once: sealed blobs ([`seal`]: encrypted,
//! authenticated, bound to a kind and an audience) and the one-use store ([`store`]: in process,
//! or Redis shared by the replicas). Below the server, so both the authorization server
//! (`auth`) and the confirmations of customer-visible writes (`confirm`) use them.

pub mod seal;
pub mod store;
