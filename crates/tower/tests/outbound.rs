//! The outbound layer and the reqwest middleware against a real downstream server: tokens are attached, and a
//! downstream 401 causes exactly one new exchange and one retry (when the body can be replayed).

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use bytes::Bytes;
use http_body_util::{BodyExt as _, Full};
use stytch_m2m_core::auth::{AuthenticateOptions, TokenProvider};
use stytch_m2m_core::models::CreateRequest;
use stytch_m2m_mock::MockStytch;
use stytch_m2m_tower::{AttachM2mToken, ReplayBody};
use tower::{Service, ServiceBuilder, ServiceExt as _};

/// A downstream service that verifies tokens and refuses the first request with 401 (as if its token had been
/// revoked), recording the requests it gets. (Tokens minted in the same second by the mock are byte-identical, so
/// the refusal is by request, not by token.)
#[derive(Clone, Default)]
struct Downstream {
    refused: Arc<Mutex<HashSet<String>>>, // the refused token
    requests: Arc<Mutex<Vec<(String, Bytes)>>>,
}

async fn handle(
    State((d, mock)): State<(Downstream, MockStytch)>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let token = headers["authorization"]
        .to_str()
        .unwrap()
        .strip_prefix("Bearer ")
        .unwrap()
        .to_owned();
    d.requests.lock().unwrap().push((token.clone(), body));
    if mock
        .verifier()
        .authenticate_token(
            &token,
            &AuthenticateOptions::new().required_scopes(["write:invoices"]),
        )
        .await
        .is_err()
    {
        return StatusCode::FORBIDDEN;
    }
    let mut refused = d.refused.lock().unwrap();
    if refused.is_empty() {
        refused.insert(token);
        return StatusCode::UNAUTHORIZED;
    }
    StatusCode::CREATED
}

/// Serves `router` on 127.0.0.1:0 and seeds a client of `mock` with `write:invoices`: the `/invoices` URL and a
/// provider of that client's tokens.
async fn serve(mock: &MockStytch, router: Router) -> (String, TokenProvider) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/invoices", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    let m = mock
        .seed_client(CreateRequest::new(["write:invoices"]))
        .unwrap();
    (
        url,
        TokenProvider::new(mock.client(), m.client_id, m.client_secret),
    )
}

async fn setup() -> (MockStytch, Downstream, String, TokenProvider) {
    let mock = MockStytch::new();
    let downstream = Downstream::default();
    let router = Router::new()
        .route("/invoices", post(handle))
        .with_state((downstream.clone(), mock.clone()));
    let (url, provider) = serve(&mock, router).await;
    (mock, downstream, url, provider)
}

fn post_request<B>(url: &str, body: B) -> http::Request<B> {
    http::Request::post(url).body(body).unwrap()
}

#[tokio::test]
async fn a_downstream_401_causes_one_new_exchange_and_one_retry() {
    let (mock, downstream, url, provider) = setup().await;
    let http = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build_http::<Full<Bytes>>();
    let mut client = ServiceBuilder::new()
        .layer(AttachM2mToken::new(provider.clone(), ["write:invoices"]))
        .service(http);
    let response = client
        .ready()
        .await
        .unwrap()
        .call(post_request(
            &url,
            Full::new(Bytes::from_static(b"{\"amount\": 42}")),
        ))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(exchanges(&mock), 2, "one new exchange after the 401");
    let requests = downstream.requests.lock().unwrap().clone();
    assert_eq!(requests.len(), 2, "one retry");
    assert_eq!(
        requests[1].1,
        Bytes::from_static(b"{\"amount\": 42}"),
        "the body was replayed"
    );
    // Later requests use the new token without another exchange.
    let response = client
        .ready()
        .await
        .unwrap()
        .call(post_request(&url, Full::new(Bytes::new())))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(exchanges(&mock), 2);
    let _ = response.into_body().collect().await;
    drop(mock);
}

/// A body that cannot be replayed (like a stream).
struct Once(Full<Bytes>);

impl ReplayBody for Once {
    fn try_replay(&self) -> Option<Self> {
        None
    }
}

impl http_body::Body for Once {
    type Data = Bytes;
    type Error = std::convert::Infallible;
    fn poll_frame(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Bytes>, Self::Error>>> {
        std::pin::Pin::new(&mut self.get_mut().0).poll_frame(cx)
    }
}

#[tokio::test]
async fn a_body_that_cannot_be_replayed_gets_the_401_and_the_next_request_a_new_token() {
    let (mock, downstream, url, provider) = setup().await;
    let http = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build_http::<Once>();
    let mut client = ServiceBuilder::new()
        .layer(AttachM2mToken::new(provider.clone(), ["write:invoices"]))
        .service(http);
    let first = client
        .ready()
        .await
        .unwrap()
        .call(post_request(
            &url,
            Once(Full::new(Bytes::from_static(b"stream"))),
        ))
        .await
        .unwrap();
    assert_eq!(first.status(), StatusCode::UNAUTHORIZED, "not retried");
    assert_eq!(downstream.requests.lock().unwrap().len(), 1);
    let second = client
        .ready()
        .await
        .unwrap()
        .call(post_request(&url, Once(Full::new(Bytes::new()))))
        .await
        .unwrap();
    assert_eq!(second.status(), StatusCode::CREATED);
    assert_eq!(exchanges(&mock), 2);
}

#[tokio::test]
async fn the_reqwest_middleware_attaches_and_retries_once() {
    let (mock, downstream, url, provider) = setup().await;
    let client = reqwest_middleware::ClientBuilder::new(reqwest::Client::new())
        .with(AttachM2mToken::new(provider.clone(), ["write:invoices"]))
        .build();
    let response = client
        .post(&url)
        .body("{\"amount\": 7}")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(exchanges(&mock), 2);
    let requests = downstream.requests.lock().unwrap().clone();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[1].1, Bytes::from_static(b"{\"amount\": 7}"));
    // Nothing of the token shows in the middleware's Debug.
    let token = &requests[1].0;
    assert!(!format!("{provider:?}").contains(token.as_str()));
}

/// Token exchanges the mock has answered.
fn exchanges(mock: &MockStytch) -> usize {
    mock.requests()
        .iter()
        .filter(|r| r.url.contains("/oauth2/token"))
        .count()
}

/// A downstream that refuses every token (a wrong audience or project): 401 always.
async fn always_401() -> (MockStytch, String, TokenProvider) {
    let mock = MockStytch::new();
    let router = Router::new().route("/invoices", post(|| async { StatusCode::UNAUTHORIZED }));
    let (url, provider) = serve(&mock, router).await;
    (mock, url, provider)
}

#[tokio::test]
async fn an_always_401_downstream_gets_its_401s_back_with_at_most_two_exchanges() {
    let (mock, url, provider) = always_401().await;
    let http = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build_http::<Full<Bytes>>();
    let mut client = ServiceBuilder::new()
        .layer(AttachM2mToken::new(provider.clone(), ["write:invoices"]))
        .service(http);
    for _ in 0..100 {
        let response = client
            .ready()
            .await
            .unwrap()
            .call(post_request(&url, Full::new(Bytes::from_static(b"{}"))))
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            StatusCode::UNAUTHORIZED,
            "passed through"
        );
    }
    assert!(exchanges(&mock) <= 2, "{} exchanges", exchanges(&mock));
}

#[tokio::test]
async fn the_reqwest_middleware_bounds_forced_refreshes_too() {
    let (mock, url, provider) = always_401().await;
    let client = reqwest_middleware::ClientBuilder::new(reqwest::Client::new())
        .with(AttachM2mToken::new(provider, ["write:invoices"]))
        .build();
    for _ in 0..100 {
        let response = client.post(&url).body("{}").send().await.unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
    assert!(exchanges(&mock) <= 2, "{} exchanges", exchanges(&mock));
}
