//! Work the client runs on its own: an exponential, jittered [`backoff`] and a [`flight`] (one task whose end is
//! always recorded, however it ends). The JWKS source, the token provider and the retry loop share them.

pub(crate) mod backoff;
pub(crate) mod flight;
