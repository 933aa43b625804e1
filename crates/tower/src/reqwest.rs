//! [`AttachM2mToken`] as a `reqwest-middleware` middleware.

use http::Extensions;
use http::header::AUTHORIZATION;
use reqwest_middleware::{Middleware, Next, Result};

use crate::AttachM2mToken;
use crate::outbound::bearer;

/// Adds `Authorization: Bearer <token>` to every request of a `reqwest_middleware::ClientWithMiddleware`; on a
/// 401, invalidates the token and sends the request once more with a new one when its body can be cloned (forced
/// refreshes bounded as in the tower layer).
///
/// ```no_run
/// # mod stytch_m2m { pub use stytch_m2m_core::*; pub use stytch_m2m_tower as middleware; }
/// # fn run(provider: stytch_m2m::auth::TokenProvider) {
/// use stytch_m2m::middleware::AttachM2mToken;
///
/// let client = reqwest_middleware::ClientBuilder::new(reqwest::Client::new())
///     .with(AttachM2mToken::new(provider, ["read:invoices"]))
///     .build();
/// # let _ = client; }
/// ```
#[async_trait::async_trait]
impl Middleware for AttachM2mToken {
    async fn handle(
        &self,
        mut request: reqwest::Request,
        extensions: &mut Extensions,
        next: Next<'_>,
    ) -> Result<reqwest::Response> {
        let token = self.attach(&mut request).await?;
        let replay = request.try_clone();
        let response = next.clone().run(request, extensions).await?;
        if response.status() != http::StatusCode::UNAUTHORIZED {
            return Ok(response);
        }
        if !self.refused(&token) {
            return Ok(response);
        }
        let Some(mut again) = replay else {
            return Ok(response);
        };
        self.attach(&mut again).await?;
        next.run(again, extensions).await
    }
}

impl AttachM2mToken {
    /// Puts the current token on `request`; returns it.
    async fn attach(
        &self,
        request: &mut reqwest::Request,
    ) -> Result<stytch_m2m_core::models::Secret> {
        let token = self
            .token()
            .await
            .map_err(reqwest_middleware::Error::middleware)?;
        let value = bearer(&token)
            .map_err(|e| reqwest_middleware::Error::middleware(std::io::Error::other(e)))?;
        request.headers_mut().insert(AUTHORIZATION, value);
        Ok(token)
    }
}
