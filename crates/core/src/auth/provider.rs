//! [`TokenProvider`]: access tokens cached per (client, scopes), refreshed ahead of expiry, with single flight.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::FutureExt as _;
use futures_util::future::{BoxFuture, Shared};
use stytch_m2m_models::Secret;
use tokio::time::Instant;

use crate::{Client, Error};

type Exchange = Shared<BoxFuture<'static, Result<Cached, Arc<Error>>>>;

#[derive(Clone, Debug)]
struct Cached {
    token: Secret,
    refresh_at: Instant,
    expires_at: Instant,
}

#[derive(Default)]
struct Slot {
    cached: Option<Cached>,
    inflight: Option<(u64, Exchange)>,
}

struct Inner {
    client: Client,
    client_id: String,
    secret: Secret,
    /// Milliseconds before expiry at which a token is refreshed.
    refresh_margin_ms: AtomicU64,
    slots: Mutex<HashMap<Vec<String>, Arc<Mutex<Slot>>>>,
    exchanges: AtomicU64,
    next_flight: AtomicU64,
}

/// Hands out access tokens of one M2M client, exchanging its credentials only when needed.
///
/// - One cached token per set of scopes; reused until `refresh_margin` before it expires (default 5 minutes of
///   Stytch's hour), then refreshed.
/// - Single flight: however many tasks ask at once, one exchange is made and every waiter gets its result.
/// - A failed exchange is reported to every waiter and is not cached: the next call tries again. While the cached
///   token is still valid (the refresh window), callers get it rather than the error.
///
/// ```no_run
/// # async fn run(client: stytch_m2m_core::Client) -> Result<(), stytch_m2m_core::Error> {
/// use stytch_m2m_core::auth::TokenProvider;
///
/// let provider = TokenProvider::new(client, "m2m-client-test-…", std::env::var("M2M_SECRET").unwrap());
/// let token = provider.token(&["read:users"]).await?; // exchanged once, then cached
/// let header = format!("Bearer {}", token.expose_secret());
/// # let _ = header; Ok(()) }
/// ```
#[derive(Clone)]
pub struct TokenProvider {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for TokenProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenProvider")
            .field("client_id", &self.inner.client_id)
            .field("secret", &self.inner.secret)
            .field("refresh_margin", &self.refresh_margin())
            .finish_non_exhaustive()
    }
}

impl TokenProvider {
    /// A provider for this M2M client's credentials.
    pub fn new(
        client: Client,
        client_id: impl Into<String>,
        client_secret: impl Into<Secret>,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                client,
                client_id: client_id.into(),
                secret: client_secret.into(),
                refresh_margin_ms: AtomicU64::new(300_000),
                slots: Mutex::default(),
                exchanges: AtomicU64::new(0),
                next_flight: AtomicU64::new(0),
            }),
        }
    }

    /// Refreshes tokens this long before they expire (default 5 minutes). Applies to every clone, for tokens
    /// fetched from now on.
    pub fn with_refresh_margin(self, margin: Duration) -> Self {
        let ms = u64::try_from(margin.as_millis()).unwrap_or(u64::MAX);
        self.inner.refresh_margin_ms.store(ms, Ordering::SeqCst);
        self
    }

    /// The refresh margin.
    pub fn refresh_margin(&self) -> Duration {
        Duration::from_millis(self.inner.refresh_margin_ms.load(Ordering::SeqCst))
    }

    /// How many exchanges this provider has started.
    pub fn exchanges(&self) -> u64 {
        self.inner.exchanges.load(Ordering::SeqCst)
    }

    /// An access token with these scopes (empty: every scope of the client).
    pub async fn token<S: AsRef<str>>(&self, scopes: &[S]) -> Result<Secret, Error> {
        let mut key: Vec<String> = scopes.iter().map(|s| s.as_ref().to_owned()).collect();
        key.sort();
        key.dedup();
        let slot = self
            .inner
            .slots
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(key.clone())
            .or_default()
            .clone();
        let (flight, exchange) = {
            let mut state = slot.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(cached) = &state.cached
                && Instant::now() < cached.refresh_at
            {
                return Ok(cached.token.clone());
            }
            match &state.inflight {
                Some((flight, exchange)) => (*flight, exchange.clone()),
                None => {
                    let flight = self.inner.next_flight.fetch_add(1, Ordering::SeqCst);
                    let exchange = self.exchange(key).boxed().shared();
                    state.inflight = Some((flight, exchange.clone()));
                    (flight, exchange)
                }
            }
        };
        let result = exchange.await;
        let mut state = slot.lock().unwrap_or_else(|e| e.into_inner());
        if state.inflight.as_ref().is_some_and(|(f, _)| *f == flight) {
            state.inflight = None;
            if let Ok(fresh) = &result {
                state.cached = Some(fresh.clone());
            }
        }
        match result {
            Ok(fresh) => Ok(fresh.token),
            Err(error) => match &state.cached {
                Some(still_valid) if Instant::now() < still_valid.expires_at => {
                    tracing::warn!(error = %error, "token refresh failed; the cached token is still valid");
                    Ok(still_valid.token.clone())
                }
                _ => Err(Error::Shared(error)),
            },
        }
    }

    fn exchange(
        &self,
        scopes: Vec<String>,
    ) -> impl std::future::Future<Output = Result<Cached, Arc<Error>>> + Send + 'static {
        let inner = self.inner.clone();
        async move {
            inner.exchanges.fetch_add(1, Ordering::SeqCst);
            let started = Instant::now();
            let response = inner
                .client
                .token(&inner.client_id, &inner.secret, &scopes)
                .await
                .map_err(Arc::new)?;
            let lifetime = Duration::from_secs(u64::from(response.expires_in));
            let expires_at = started + lifetime;
            let margin = Duration::from_millis(inner.refresh_margin_ms.load(Ordering::SeqCst));
            let refresh_at = if lifetime > margin {
                expires_at - margin
            } else {
                started + lifetime / 2
            };
            Ok(Cached {
                token: response.access_token,
                refresh_at,
                expires_at,
            })
        }
    }
}
