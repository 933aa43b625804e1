//! [`AttachM2mToken`]: a tower layer that puts a fresh M2M access token on every outgoing request.

use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::header::AUTHORIZATION;
use http::{HeaderValue, Request, Response, StatusCode};
use stytch_m2m_core::auth::TokenProvider;
use stytch_m2m_core::models::Secret;
use tower_layer::Layer;
use tower_service::Service;

/// The error of the outbound service (the inner service's, or the token provider's): a boxed error, as
/// `tower::BoxError` is.
type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A request body that may be sent again (after a 401 and a new token).
pub trait ReplayBody: Sized {
    /// A copy to send again, or `None` when the body cannot be replayed (a stream).
    fn try_replay(&self) -> Option<Self>;
}

macro_rules! replay_by_clone {
    ($($body:ty),*) => {$(
        impl ReplayBody for $body {
            fn try_replay(&self) -> Option<Self> {
                Some(self.clone())
            }
        }
    )*};
}

replay_by_clone!(
    (),
    String,
    Vec<u8>,
    Bytes,
    http_body_util::Full<Bytes>,
    http_body_util::Empty<Bytes>
);

/// Adds `Authorization: Bearer <token>` to every outgoing `http::Request`, from a [`TokenProvider`] for a
/// configured set of scopes (cached, refreshed ahead of expiry, one exchange at a time).
///
/// When the downstream service answers 401 (or, to a gRPC call, `grpc-status` 16 `UNAUTHENTICATED` in a
/// trailers-only answer), the token is invalidated, a new one is obtained, and the request is sent once more if its
/// body can be replayed ([`ReplayBody`]); otherwise the refusal is returned (the next request gets the new token).
/// A gRPC body (a stream) is never replayed. With the `tonic` feature, the layer wraps a tonic `Channel`. Forced refreshes are bounded per set of scopes (one per
/// `ProviderPolicy::forced_refresh_interval`, default 60 s): a downstream that refuses every token gets its 401
/// passed through, with one warning, instead of a token exchange per request.
///
/// ```
/// # mod stytch_m2m { pub use stytch_m2m_core::*; pub use stytch_m2m_tower as middleware; }
/// use stytch_m2m::auth::TokenProvider;
/// use stytch_m2m::middleware::AttachM2mToken;
/// use tower::ServiceBuilder;
///
/// # fn wrap<S>(provider: TokenProvider, http_client: S) {
/// let client = ServiceBuilder::new()
///     .layer(AttachM2mToken::new(provider, ["read:invoices"]))
///     .service(http_client);
/// # let _ = client; }
/// ```
#[derive(Clone, Debug)]
#[must_use = "a setting has no effect until it is used"]
pub struct AttachM2mToken {
    provider: TokenProvider,
    scopes: Arc<[String]>,
}

impl AttachM2mToken {
    /// Attaches tokens of `provider` with these scopes (none: every scope of the client).
    pub fn new<I: IntoIterator<Item = S>, S: Into<String>>(
        provider: TokenProvider,
        scopes: I,
    ) -> Self {
        Self {
            provider,
            scopes: scopes.into_iter().map(Into::into).collect(),
        }
    }

    /// The token to attach now.
    pub(crate) async fn token(&self) -> Result<Secret, stytch_m2m_core::Error> {
        self.provider.token(self.scopes.iter()).await
    }

    /// The downstream service refused `token`: drop it so the next call gets a new one. `false` when the
    /// forced-refresh bound holds: the 401 is then the answer.
    pub(crate) fn refused(&self, token: &Secret) -> bool {
        self.provider.invalidate(self.scopes.iter(), token)
    }
}

/// `Bearer <token>`, marked sensitive (never logged by hyper, never indexed by HPACK).
pub(crate) fn bearer(token: &Secret) -> Result<HeaderValue, BoxError> {
    let mut value = HeaderValue::from_str(&format!("Bearer {}", token.expose_secret()))
        .map_err(|_| "the access token is not a valid header value")?;
    value.set_sensitive(true);
    Ok(value)
}

impl<S> Layer<S> for AttachM2mToken {
    type Service = AttachM2mTokenService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        AttachM2mTokenService {
            inner,
            attach: self.clone(),
        }
    }
}

/// The service of [`AttachM2mToken`].
#[derive(Clone, Debug)]
pub struct AttachM2mTokenService<S> {
    inner: S,
    attach: AttachM2mToken,
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for AttachM2mTokenService<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>> + Clone + Send + 'static,
    S::Future: Send,
    S::Error: Into<BoxError>,
    ReqBody: ReplayBody + Send + 'static,
    ResBody: Send + 'static,
{
    type Response = Response<ResBody>;
    type Error = BoxError;
    type Future = std::pin::Pin<
        Box<dyn std::future::Future<Output = Result<Self::Response, Self::Error>> + Send>,
    >;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, mut request: Request<ReqBody>) -> Self::Future {
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let attach = self.attach.clone();
        Box::pin(async move {
            let token = attach.token().await?;
            request.headers_mut().insert(AUTHORIZATION, bearer(&token)?);
            let replay = replay(&request);
            let response = inner.call(request).await.map_err(Into::into)?;
            if !refused(&response) {
                return Ok(response);
            }
            if !attach.refused(&token) {
                return Ok(response);
            }
            let Some(mut again) = replay else {
                return Ok(response);
            };
            drop(response);
            let fresh = attach.token().await?;
            again.headers_mut().insert(AUTHORIZATION, bearer(&fresh)?);
            futures_util::future::poll_fn(|cx| inner.poll_ready(cx))
                .await
                .map_err(Into::into)?;
            inner.call(again).await.map_err(Into::into)
        })
    }
}

/// Whether the downstream refused the token: HTTP 401, or a gRPC trailers-only answer with `grpc-status` 16
/// (`UNAUTHENTICATED`), as [`RequireM2m`](crate::RequireM2m) answers a gRPC call.
fn refused<B>(response: &Response<B>) -> bool {
    response.status() == StatusCode::UNAUTHORIZED
        || (response.status() == StatusCode::OK
            && response
                .headers()
                .get("grpc-status")
                .is_some_and(|status| status.as_bytes() == b"16"))
}

/// A copy of the request to send again, when its body can be replayed.
fn replay<B: ReplayBody>(request: &Request<B>) -> Option<Request<B>> {
    let body = request.body().try_replay()?;
    let mut again = Request::new(body);
    *again.method_mut() = request.method().clone();
    *again.uri_mut() = request.uri().clone();
    *again.version_mut() = request.version();
    *again.headers_mut() = request.headers().clone();
    *again.extensions_mut() = request.extensions().clone();
    Some(again)
}
