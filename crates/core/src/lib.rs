//! The Stytch M2M client over a pluggable [`Transport`](transport::Transport).
//!
//! One call, end to end: `client.clients().create(req)` validates `req` (a field-named [`ValidationError`], nothing
//! sent), encodes an HTTP request as plain data, runs the retry loop with both timeouts around
//! [`Transport::send`](transport::Transport::send), and decodes the response into a generated model or into the [`Error`] taxonomy.
//!
//! Pick a transport from `stytch-m2m-http` (reqwest) or `stytch-m2m-mock` (in memory), or write one.

pub mod auth;
mod background;
mod builder;
mod client;
pub mod clients;
mod clock;
mod config;
mod decode;
mod env;
mod error;
mod headers;
pub mod metrics;
mod retry;
mod token;
pub use token::NO_SCOPES;
pub mod transport;
mod validate;
mod wire;

pub use builder::ClientBuilder;
pub use client::Client;
pub use clock::{Clock, SystemClock};
pub use config::{Environment, RetryPolicy, TimeoutPolicy};
pub use error::{ApiError, ConfigError, DecodeError, Error, RawResponse};
pub use stytch_m2m_models as models;
pub use validate::{Validate, ValidationError};
pub use wire::USER_AGENT;
