//! Authorization of M2M access tokens.

pub mod scopes;
