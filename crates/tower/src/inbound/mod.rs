//! [`RequireM2m`]: a tower layer that lets a request through only with a valid M2M access token.

mod credentials;
pub mod grpc;
mod log;
mod refusal;
mod resource;

use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_util::future::BoxFuture;
use http::{Request, Response};
use stytch_m2m_core::auth::{AuthenticateOptions, TokenVerifier};
use tower_layer::Layer;
use tower_service::Service;

pub use refusal::Refusal;
pub use resource::ProtectedResource;

use credentials::Credentials;

type Responder = dyn Fn(&Refusal) -> Response<Bytes> + Send + Sync;

#[derive(Clone)]
struct Config {
    options: AuthenticateOptions,
    optional: bool,
    realm: String,
    responder: Option<Arc<Responder>>,
    resource: Option<Arc<ProtectedResource>>,
}

/// Requires a valid M2M access token (`Authorization: Bearer …`) on every request, checks the scopes this layer
/// requires, and puts the [`AuthenticatedToken`](stytch_m2m_core::auth::AuthenticatedToken) into the request's extensions. Generic over the request and
/// response bodies, so it serves axum, hyper and tonic services alike.
///
/// Refusals follow RFC 6750 §3 (see [`Refusal`]): 401 without an error code when there are no Bearer
/// credentials, 400 `invalid_request` for a malformed one, 401 `invalid_token`, 403 `insufficient_scope` naming
/// the required scopes, and 503 with `Retry-After` when no signing key can be had. The body repeats the facts as
/// JSON; [`responder`](Self::responder) replaces the whole answer. One `tracing` event (target
/// `stytch_m2m_tower`) per refusal, with the cause and, when known, the caller's `client_id`; never the token.
///
/// Per route with axum:
///
/// ```
/// # mod stytch_m2m { pub use stytch_m2m_core::*; pub use stytch_m2m_tower as middleware; }
/// use axum::{Router, routing::get};
/// use stytch_m2m::auth::AuthenticateOptions;
/// use stytch_m2m::middleware::RequireM2m;
/// # fn app(verifier: stytch_m2m::auth::TokenVerifier) -> Router {
/// Router::new()
///     .route("/invoices", get(|| async { "invoices" }))
///     .route_layer(RequireM2m::new(verifier.clone()).options(AuthenticateOptions::new().required_scopes(["read:invoices"])))
///     .route("/health", get(|| async { "ok" })) // added after route_layer: open
/// # }
/// ```
///
/// With tower-http's CORS layer, put CORS *outside* (added after, with axum's `layer`), so that preflight
/// `OPTIONS` requests, which carry no credentials, are answered before authentication:
///
/// ```
/// # mod stytch_m2m { pub use stytch_m2m_core::*; pub use stytch_m2m_tower as middleware; }
/// use axum::{Router, routing::get};
/// use stytch_m2m::auth::AuthenticateOptions;
/// use stytch_m2m::middleware::RequireM2m;
/// use tower_http::cors::CorsLayer;
/// # fn app(verifier: stytch_m2m::auth::TokenVerifier) -> Router {
/// Router::new()
///     .route("/invoices", get(|| async { "invoices" }))
///     .layer(RequireM2m::new(verifier).options(AuthenticateOptions::new().required_scopes(["read:invoices"])))
///     .layer(CorsLayer::permissive()) // outermost: answers preflights itself
/// # }
/// ```
#[derive(Clone)]
#[must_use = "a setting has no effect until it is used"]
pub struct RequireM2m {
    verifier: TokenVerifier,
    config: Arc<Config>,
}

impl std::fmt::Debug for RequireM2m {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RequireM2m")
            .field("verifier", &self.verifier)
            .field("options", &self.config.options)
            .field("optional", &self.config.optional)
            .field("realm", &self.config.realm)
            .finish_non_exhaustive()
    }
}

impl RequireM2m {
    /// Requires a valid token of the verifier's project; no scope yet. The realm is `api`.
    pub fn new(verifier: TokenVerifier) -> Self {
        Self {
            verifier,
            config: Arc::new(Config {
                options: AuthenticateOptions::new(),
                optional: false,
                realm: "api".into(),
                responder: None,
                resource: None,
            }),
        }
    }

    fn config(&mut self) -> &mut Config {
        Arc::make_mut(&mut self.config)
    }

    /// What each token must satisfy: required scopes (Stytch's authorization rules: `read:*` grants
    /// `read:invoices`), maximum token age, clock tolerance, or a custom authorization function. The one way to
    /// require anything of a token, on the layer as in [`TokenVerifier::authenticate_token`]; a token lacking
    /// scopes is answered 403 `insufficient_scope` naming them and logged with its `client_id`.
    ///
    /// ```
    /// # mod stytch_m2m { pub use stytch_m2m_core::*; pub use stytch_m2m_tower as middleware; }
    /// use stytch_m2m::auth::AuthenticateOptions;
    /// use stytch_m2m::middleware::RequireM2m;
    /// # fn layer(verifier: stytch_m2m::auth::TokenVerifier) -> RequireM2m {
    /// RequireM2m::new(verifier).options(AuthenticateOptions::new().required_scopes(["read:invoices"]))
    /// # }
    /// ```
    pub fn options(mut self, options: AuthenticateOptions) -> Self {
        self.config().options = options;
        self
    }

    /// Lets requests without Bearer credentials through, with no token in their extensions (the handler sees
    /// `None`); a Bearer token that is present must still be valid.
    pub fn optional(mut self) -> Self {
        self.config().optional = true;
        self
    }

    /// The realm named in `WWW-Authenticate` (default `api`).
    pub fn realm(mut self, realm: impl Into<String>) -> Self {
        self.config().realm = realm.into();
        self
    }

    /// Describes the protected resource (RFC 9728): the layer serves its metadata document at
    /// [`ProtectedResource::metadata_path`] (no token needed) and names it in every `WWW-Authenticate`
    /// challenge (`resource_metadata="…"`), so that a client, an MCP client say, finds the authorization server
    /// from a 401 alone. See [`ProtectedResource`].
    ///
    /// ```
    /// # mod stytch_m2m { pub use stytch_m2m_core::*; pub use stytch_m2m_tower as middleware; }
    /// use stytch_m2m::auth::AuthenticateOptions;
    /// use stytch_m2m::middleware::{ProtectedResource, RequireM2m};
    /// # fn layer(verifier: stytch_m2m::auth::TokenVerifier) -> Result<RequireM2m, stytch_m2m::ConfigError> {
    /// let resource = ProtectedResource::new("https://mcp.example.com/mcp")?
    ///     .authorization_server("https://login.example.com")
    ///     .scopes_supported(["mcp:tools"]);
    /// Ok(RequireM2m::new(verifier)
    ///     .options(AuthenticateOptions::new().required_scopes(["mcp:tools"]))
    ///     .protected_resource(resource))
    /// # }
    /// ```
    pub fn protected_resource(mut self, resource: ProtectedResource) -> Self {
        self.config().resource = Some(Arc::new(resource));
        self
    }

    /// Answers refusals with this function instead of the default RFC 6750 answer
    /// ([`Refusal::default_response`]).
    pub fn responder(
        mut self,
        respond: impl Fn(&Refusal) -> Response<Bytes> + Send + Sync + 'static,
    ) -> Self {
        self.config().responder = Some(Arc::new(respond));
        self
    }
}

impl<S> Layer<S> for RequireM2m {
    type Service = RequireM2mService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        RequireM2mService {
            inner,
            verifier: self.verifier.clone(),
            config: self.config.clone(),
        }
    }
}

/// The service of [`RequireM2m`].
#[derive(Clone)]
pub struct RequireM2mService<S> {
    inner: S,
    verifier: TokenVerifier,
    config: Arc<Config>,
}

impl<S> std::fmt::Debug for RequireM2mService<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RequireM2mService")
            .field("options", &self.config.options)
            .finish_non_exhaustive()
    }
}

type Answer<B, E> = Result<Response<B>, E>;

/// Put into a request that an optional [`RequireM2m`] let through without credentials: the layer's realm, for a
/// handler that requires a token after all.
#[derive(Clone, Debug)]
pub(crate) struct PassedWithoutToken(pub(crate) Arc<str>);

type Decided<F, B, E> = futures_util::future::Either<
    futures_util::future::Either<F, futures_util::future::Ready<Answer<B, E>>>,
    BoxFuture<'static, Answer<B, E>>,
>;

pin_project_lite::pin_project! {
    /// The future of [`RequireM2mService`]: the inner service's own future when the token was decided without
    /// waiting (a cached token or key), a ready refusal, or, when the verifier had to wait (a JWKS fetch), a boxed
    /// future. Opaque: its parts are not API.
    pub struct ResponseFuture<F, B, E> {
        #[pin]
        inner: Decided<F, B, E>,
    }
}

impl<F, B, E> std::future::Future for ResponseFuture<F, B, E>
where
    F: std::future::Future<Output = Answer<B, E>>,
{
    type Output = Answer<B, E>;

    fn poll(self: std::pin::Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.project().inner.poll(cx)
    }
}

impl<F, B, E> std::fmt::Debug for ResponseFuture<F, B, E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResponseFuture").finish_non_exhaustive()
    }
}

/// The response body must be buildable from the refusal's bytes (`axum::body::Body`, `http_body_util::Full<Bytes>`
/// and most bodies are); the inner service's responses pass through untouched.
impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for RequireM2mService<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>> + Clone + Send + 'static,
    S::Future: Send,
    ReqBody: Send + 'static,
    ResBody: From<Bytes> + Send + 'static,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future, ResBody, S::Error>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<ReqBody>) -> Self::Future {
        use futures_util::FutureExt as _;
        use futures_util::future::{Either as Or, ready};
        // Decided at once when possible (a cached token, or a new one whose key is cached): the service made
        // ready is called directly, with no clone and no allocation.
        if let Some(resource) = &self.config.resource
            && request.method() == http::Method::GET
            && request.uri().path() == resource.metadata_path()
        {
            return ResponseFuture {
                inner: Or::Left(Or::Right(ready(Ok(metadata_response(resource))))),
            };
        }
        let grpc = grpc::is_grpc(request.headers());
        let decided = admit(&self.verifier, &self.config, &mut request).now_or_never();
        let inner = match decided {
            Some(Ok(())) => Or::Left(Or::Left(self.inner.call(request))),
            Some(Err(refusal)) => {
                Or::Left(Or::Right(ready(Ok(refuse(&self.config, &refusal, grpc)))))
            }
            None => {
                // The verifier must wait (a JWKS fetch it started or joined): the clone that was made ready serves
                // this request, after the wait.
                let clone = self.inner.clone();
                let mut inner = std::mem::replace(&mut self.inner, clone);
                let (verifier, config) = (self.verifier.clone(), self.config.clone());
                Or::Right(Box::pin(async move {
                    match admit(&verifier, &config, &mut request).await {
                        Ok(()) => inner.call(request).await,
                        Err(refusal) => Ok(refuse(&config, &refusal, grpc)),
                    }
                }) as BoxFuture<'static, _>)
            }
        };
        ResponseFuture { inner }
    }
}

/// Logs a refusal and answers it: in gRPC's terms for a gRPC call, else as RFC 6750 says (or the responder).
fn refuse<B: From<Bytes>>(config: &Config, refusal: &Refusal, grpc: bool) -> Response<B> {
    log::refusal(refusal, grpc);
    let response = match &config.responder {
        _ if grpc => refusal.grpc_response(),
        Some(respond) => respond(refusal),
        None => refusal.default_response_with(
            &config.realm,
            config
                .resource
                .as_deref()
                .map(ProtectedResource::metadata_url),
        ),
    };
    response.map(B::from)
}

/// Authenticates and authorizes a request; on success its token is in the extensions.
async fn admit<B>(
    verifier: &TokenVerifier,
    config: &Config,
    request: &mut Request<B>,
) -> Result<(), Refusal> {
    let token = match credentials::credentials(request.headers()) {
        Credentials::Bearer(token) => token,
        Credentials::None | Credentials::OtherScheme if config.optional => {
            // A handler that still requires a token answers with this layer's realm.
            request
                .extensions_mut()
                .insert(PassedWithoutToken(config.realm.as_str().into()));
            return Ok(());
        }
        Credentials::None | Credentials::OtherScheme => return Err(Refusal::MissingCredentials),
        Credentials::Malformed(why) => return Err(Refusal::InvalidRequest(why)),
    };
    let authenticated = match verifier.authenticate_token(token, &config.options).await {
        Ok(authenticated) => authenticated,
        Err(refused) => {
            return Err(match credentials::malformed(token) {
                Some(why) => Refusal::InvalidRequest(why),
                None => Refusal::from_auth_error(refused),
            });
        }
    };
    request.extensions_mut().insert(authenticated);
    Ok(())
}

/// The RFC 9728 document, as JSON.
fn metadata_response<B: From<Bytes>>(resource: &ProtectedResource) -> Response<B> {
    let mut response = Response::new(B::from(Bytes::from(resource.document().to_string())));
    let headers = response.headers_mut();
    headers.insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    headers.insert(
        http::header::CACHE_CONTROL,
        http::HeaderValue::from_static("max-age=300"),
    );
    response
}
