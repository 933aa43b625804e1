//! The client-credentials exchange: `POST /v1/public/{project_id}/oauth2/token`.

use stytch_m2m_models::{Secret, TokenRequest, TokenResponse};

use crate::client::{Auth, Call, Client};
use crate::error::Error;
use crate::transport::Method;
use crate::validate::{self, Validate as _};
use crate::wire::encode_path_segment;

/// No scopes: with [`Client::token`], every scope of the client.
pub const NO_SCOPES: [&str; 0] = [];

const NO_PARAMS: &[(&str, &str)] = &[];

impl Client {
    /// Exchanges a client's credentials for an access token (OAuth2 `client_credentials`), as node and go send it:
    /// form-encoded, `scope` space-joined and omitted when `scopes` is empty, no project credentials. The access
    /// token in the response is a [`Secret`]. OAuth2-style error bodies become [`Error::Api`].
    ///
    /// Safe to retry (another token is harmless), so it follows the retry policy of reads.
    ///
    /// `scopes` is any iterable of string-likes (`["read:users"]`, `&vec_of_strings`); [`NO_SCOPES`] asks for every
    /// scope of the client.
    ///
    /// ```no_run
    /// # use stytch_m2m_core as stytch_m2m;
    /// # async fn run(client: stytch_m2m::Client) -> Result<(), stytch_m2m::Error> {
    /// use stytch_m2m::NO_SCOPES;
    /// use stytch_m2m::models::Secret;
    ///
    /// let secret = Secret::new(std::env::var("M2M_CLIENT_SECRET").unwrap());
    /// let token = client.token("m2m-client-test-…", &secret, ["read:users"]).await?;
    /// let every_scope = client.token("m2m-client-test-…", &secret, NO_SCOPES).await?;
    /// assert_eq!(token.token_type, "bearer");
    /// # let _ = every_scope; Ok(()) }
    /// ```
    pub async fn token<I>(
        &self,
        client_id: &str,
        client_secret: &Secret,
        scopes: I,
    ) -> Result<TokenResponse, Error>
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        self.token_with_params(client_id, client_secret, scopes, NO_PARAMS)
            .await
    }

    /// Like [`Client::token`], with extra parameters sent along (python's `extra`): an M2M JWT template reads them
    /// as `{{ request.x }}` to fill custom claims. A parameter may not repeat `grant_type`, `client_id`,
    /// `client_secret`, `scope` or `scopes`.
    ///
    /// ```no_run
    /// # use stytch_m2m_core as stytch_m2m;
    /// # async fn run(client: stytch_m2m::Client, secret: stytch_m2m::models::Secret) -> Result<(), stytch_m2m::Error> {
    /// let token = client
    ///     .token_with_params("m2m-client-test-…", &secret, &["read:users"], &[("tenant", "acme")])
    ///     .await?;
    /// # let _ = token; Ok(()) }
    /// ```
    pub async fn token_with_params<I, K: AsRef<str>, V: AsRef<str>>(
        &self,
        client_id: &str,
        client_secret: &Secret,
        scopes: I,
        params: &[(K, V)],
    ) -> Result<TokenResponse, Error>
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        let scopes: Vec<String> = scopes.into_iter().map(|s| s.as_ref().to_owned()).collect();
        const RESERVED: [&str; 5] = [
            "grant_type",
            "client_id",
            "client_secret",
            "scope",
            "scopes",
        ];
        if params
            .iter()
            .any(|(k, _)| RESERVED.contains(&k.as_ref()) || k.as_ref().is_empty())
        {
            return Err(crate::ValidationError::new(
                "params",
                "must be non-empty names other than grant_type, client_id, client_secret, scope and scopes",
                stytch_m2m_models::ErrorType::InvalidRequest,
            )
            .into());
        }
        validate::token_scopes(&scopes)?;
        let scope = (!scopes.is_empty()).then(|| scopes.join(" "));
        let request = TokenRequest::client_credentials(client_id, client_secret.clone(), scope);
        request.validate()?;
        let mut body =
            serde_urlencoded::to_string(&request).expect("a token request always form-encodes");
        if !params.is_empty() {
            let extra: Vec<(&str, &str)> = params
                .iter()
                .map(|(k, v)| (k.as_ref(), v.as_ref()))
                .collect();
            body.push('&');
            body.push_str(
                &serde_urlencoded::to_string(extra).expect("text pairs always form-encode"),
            );
        }
        let path = format!(
            "/v1/public/{}/oauth2/token",
            encode_path_segment(self.project_id())
        );
        let call = Call::empty("m2m.token", Method::Post, path)
            .with_body("application/x-www-form-urlencoded", body.into())
            .auth(Auth::None)
            .idempotent(true)
            .for_client(client_id);
        self.execute(call).await
    }
}
