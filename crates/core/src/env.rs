//! A client from the environment: `STYTCH_PROJECT_ID`, `STYTCH_SECRET`, `STYTCH_BASE_URL`.

use crate::client::Client;
use crate::error::Error;
use crate::transport::Transport;

impl Client {
    /// A client from the environment: `STYTCH_PROJECT_ID`, `STYTCH_SECRET` and, optionally, `STYTCH_BASE_URL`
    /// (else the environment of the project id's prefix), over `transport`. A missing variable is an
    /// [`Error::Config`] naming it.
    ///
    /// ```no_run
    /// # use stytch_m2m_core as stytch_m2m;
    /// # fn run(transport: impl stytch_m2m::transport::Transport + 'static) -> Result<(), stytch_m2m::Error> {
    /// let client = stytch_m2m::Client::from_env(transport)?;
    /// # let _ = client; Ok(()) }
    /// ```
    pub fn from_env(transport: impl Transport + 'static) -> Result<Self, Error> {
        Self::from_lookup(|name| std::env::var(name).ok(), transport)
    }

    /// [`Client::from_env`] with another source of variables.
    pub(crate) fn from_lookup(
        lookup: impl Fn(&str) -> Option<String>,
        transport: impl Transport + 'static,
    ) -> Result<Self, Error> {
        let required = |name: &'static str| {
            lookup(name).filter(|v| !v.is_empty()).ok_or_else(|| {
                Error::from(crate::error::ConfigError::new(
                    name,
                    "must be set in the environment",
                ))
            })
        };
        let mut builder = Self::builder(
            required("STYTCH_PROJECT_ID")?,
            required("STYTCH_SECRET")?,
            transport,
        );
        if let Some(base_url) = lookup("STYTCH_BASE_URL").filter(|v| !v.is_empty()) {
            builder = builder.base_url(base_url);
        }
        builder.build()
    }
}
