//! The search query language shared by the contact and conversation searches: the schema
//! refinements, and every rule Intercom enforces checked before anything is sent — nesting,
//! group size, which operators a field's type takes, arrays only with IN/NIN — with dates
//! accepted as ISO 8601 and sent as unix seconds.
//!
//! - `fields.rs`: the query model: operators, field types, and the fields each search knows.
//! - `checks.rs`: the rules a query must meet before it is sent, and the date conversion.
//! - `shape.rs`: the schema refinements the model reads.

mod checks;
mod fields;
mod shape;

pub use checks::adjust;
pub use fields::{CONTACT_FIELDS, CONVERSATION_FIELDS};
pub use shape::shape;
