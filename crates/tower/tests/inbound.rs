//! The inbound layer over real HTTP: a server on 127.0.0.1:0, a real HTTP client, tokens minted by the mock. Every
//! RFC 6750 answer, the `WWW-Authenticate` grammar, per-route scopes, optional mode, a custom responder, custom
//! authorization, JWKS down -> 503, CORS preflights. (The logs are checked in `logging.rs`, alone in its process:
//! tracing caches per call site whether anyone listens.)

use std::collections::BTreeMap;
use std::time::Duration;

use axum::routing::{get, post};
use axum::{Json, Router};
use bytes::Bytes;
use reqwest::StatusCode;
use serde_json::{Value, json};
use stytch_m2m_core::auth::AuthenticateOptions;
use stytch_m2m_core::models::CreateRequest;
use stytch_m2m_mock::{Fault, MockStytch, Route};
use stytch_m2m_tower::{M2mToken, RequireM2m};

async fn list() -> &'static str {
    "invoices"
}

async fn create(M2mToken(token): M2mToken) -> Json<Value> {
    Json(json!({ "client_id": token.client_id() }))
}

async fn maybe(caller: Option<M2mToken>) -> String {
    caller.map_or("anonymous".into(), |M2mToken(t)| t.client_id().to_owned())
}

fn app(mock: &MockStytch) -> Router {
    let verifier = mock.verifier();
    let layer = RequireM2m::new(verifier.clone());
    Router::new()
        .route(
            "/invoices",
            get(list)
                .route_layer(
                    layer
                        .clone()
                        .options(AuthenticateOptions::new().required_scopes(["read:invoices"])),
                )
                .merge(
                    post(create).route_layer(
                        layer.clone().options(
                            AuthenticateOptions::new().required_scopes(["write:invoices"]),
                        ),
                    ),
                ),
        )
        .route(
            "/optional",
            get(maybe).route_layer(layer.clone().optional()),
        )
        .route(
            "/young",
            get(list).route_layer(
                layer
                    .clone()
                    .options(AuthenticateOptions::new().max_token_age(Duration::from_secs(60))),
            ),
        )
        .route(
            "/teapot",
            get(list).route_layer(
                layer
                    .clone()
                    .options(AuthenticateOptions::new().required_scopes(["brew"]))
                    .responder(|refusal| {
                        let mut response = http::Response::new(Bytes::from(format!(
                            "refused: {}",
                            refusal.status()
                        )));
                        *response.status_mut() = http::StatusCode::IM_A_TEAPOT;
                        response
                    }),
            ),
        )
        .route(
            "/admins",
            get(list).route_layer(layer.clone().realm("billing").options(
                AuthenticateOptions::new().authorize_with(|check| check.client_id == "admin"),
            )),
        )
        .route(
            "/optional-but-required",
            post(create).route_layer(layer.clone().realm("billing").optional()),
        )
        .route("/unguarded", post(create))
        .route("/health", get(|| async { "ok" }))
}

struct Server {
    base: String,
    mock: MockStytch,
    http: reqwest::Client,
}

async fn serve(mock: MockStytch, router: Router) -> Server {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    Server {
        base,
        mock,
        http: reqwest::Client::new(),
    }
}

impl Server {
    async fn token(&self, client_id: &str, scopes: &[&str]) -> String {
        let secret = self
            .mock
            .seed_client(CreateRequest::new(scopes.iter().copied()).client_id(client_id))
            .map(|m| m.client_secret)
            .unwrap_or_else(|_| panic!("seed {client_id}"));
        self.mock
            .client()
            .token(client_id, &secret, scopes)
            .await
            .unwrap()
            .access_token
            .expose_secret()
            .to_owned()
    }

    async fn get(&self, path: &str, authorization: &[&str]) -> reqwest::Response {
        let mut request = self.http.get(format!("{}{path}", self.base));
        for value in authorization {
            request = request.header("authorization", *value);
        }
        request.send().await.unwrap()
    }
}

/// RFC 7235 / 6750: `Bearer` then `1*SP` and comma-separated `token=quoted-string` params; values of
/// `error_description` and `scope` use %x20-21 / %x23-5B / %x5D-7E.
fn parse_challenge(header: &str) -> BTreeMap<String, String> {
    let rest = header.strip_prefix("Bearer ").expect("the Bearer scheme");
    let mut params = BTreeMap::new();
    let mut rest = rest.trim_start_matches(' ');
    while !rest.is_empty() {
        let (name, after) = rest.split_once('=').expect("name=value");
        assert!(
            !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'),
            "token: {name}"
        );
        let after = after.strip_prefix('"').expect("a quoted-string");
        let end = after.find('"').expect("a closing quote");
        let value = &after[..end];
        assert!(
            value
                .bytes()
                .all(|b| (0x20..=0x7e).contains(&b) && b != b'"' && b != b'\\'),
            "{name}: {value}"
        );
        assert!(
            params.insert(name.to_owned(), value.to_owned()).is_none(),
            "{name} twice"
        );
        rest = after[end + 1..].trim_start_matches(' ');
        if let Some(next) = rest.strip_prefix(',') {
            rest = next.trim_start_matches(' ');
            assert!(!rest.is_empty(), "no trailing comma");
        } else {
            assert!(rest.is_empty(), "params are comma-separated: {rest}");
        }
    }
    params
}

async fn refusal(response: reqwest::Response) -> (StatusCode, BTreeMap<String, String>, Value) {
    let status = response.status();
    let challenge = response
        .headers()
        .get("www-authenticate")
        .map(|v| parse_challenge(v.to_str().unwrap()))
        .unwrap_or_default();
    let body: Value = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
    (status, challenge, body)
}

#[tokio::test]
async fn every_rfc_6750_answer() {
    let mock = MockStytch::new();
    let s = serve(mock.clone(), app(&mock)).await;
    assert_eq!(s.get("/health", &[]).await.status(), StatusCode::OK);

    // No credentials, or another scheme: 401 with a bare challenge.
    for auth in [&[][..], &["Basic dXNlcjpwYXNz"]] {
        let (status, challenge, body) = refusal(s.get("/invoices", auth).await).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(challenge, BTreeMap::from([("realm".into(), "api".into())]));
        assert_eq!(body["status_code"], 401);
        assert!(body.get("error").is_none());
    }
    // A malformed Bearer credential: 400 invalid_request.
    for auth in [
        &["Bearer"][..],
        &["Bearer a b"],
        &["Bearer a$b"],
        &["Bearer abc", "Bearer abc"],
    ] {
        let (status, challenge, body) = refusal(s.get("/invoices", auth).await).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{auth:?}");
        assert_eq!(challenge["error"], "invalid_request");
        assert_eq!(body["error"], "invalid_request");
        assert_eq!(body["error_description"], challenge["error_description"]);
    }
    // An invalid token: 401 invalid_token, never quoting it.
    let forged = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.c2lnbmF0dXJl";
    let (status, challenge, body) =
        refusal(s.get("/invoices", &[&format!("Bearer {forged}")]).await).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(challenge["error"], "invalid_token");
    assert_eq!(body["error"], "invalid_token");
    assert!(!body.to_string().contains("c2lnbmF0dXJl"));

    // Valid tokens, per-route scopes.
    let reader = s.token("reader", &["read:invoices"]).await;
    let writer = s
        .token("writer", &["read:invoices", "write:invoices"])
        .await;
    let ok = s.get("/invoices", &[&format!("Bearer {reader}")]).await;
    assert_eq!(ok.status(), StatusCode::OK);
    assert_eq!(ok.text().await.unwrap(), "invoices");
    let created = s
        .http
        .post(format!("{}/invoices", s.base))
        .bearer_auth(&writer)
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::OK);
    assert_eq!(
        serde_json::from_slice::<Value>(&created.bytes().await.unwrap()).unwrap(),
        json!({"client_id": "writer"})
    );
    // Missing scope: 403 insufficient_scope naming the required scope.
    let response = s
        .http
        .post(format!("{}/invoices", s.base))
        .bearer_auth(&reader)
        .send()
        .await
        .unwrap();
    let (status, challenge, body) = refusal(response).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(challenge["error"], "insufficient_scope");
    assert_eq!(challenge["scope"], "write:invoices");
    assert_eq!(body["scope"], "write:invoices");
    assert!(!body.to_string().contains(&reader));

    // Expired and too old: 401 invalid_token.
    s.mock.clock().advance(Duration::from_secs(120));
    let (status, challenge, _) =
        refusal(s.get("/young", &[&format!("Bearer {reader}")]).await).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(challenge["error_description"], "the token is too old");
    s.mock.clock().advance(Duration::from_secs(3600));
    let (status, challenge, _) =
        refusal(s.get("/invoices", &[&format!("Bearer {reader}")]).await).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(challenge["error"], "invalid_token");
    assert_eq!(challenge["error_description"], "the token has expired");
}

#[tokio::test]
async fn optional_mode_custom_responder_and_custom_authorization() {
    let mock = MockStytch::new();
    let s = serve(mock.clone(), app(&mock)).await;
    let reader = s.token("reader", &["read:invoices"]).await;
    let admin = s.token("admin", &["read:invoices"]).await;
    // Optional: no credentials pass with no token; a bad token is still refused.
    assert_eq!(
        s.get("/optional", &[]).await.text().await.unwrap(),
        "anonymous"
    );
    assert_eq!(
        s.get("/optional", &["Basic dXNlcjpwYXNz"])
            .await
            .text()
            .await
            .unwrap(),
        "anonymous"
    );
    assert_eq!(
        s.get("/optional", &[&format!("Bearer {reader}")])
            .await
            .text()
            .await
            .unwrap(),
        "reader"
    );
    assert_eq!(
        s.get("/optional", &["Bearer not-a-token"]).await.status(),
        StatusCode::UNAUTHORIZED
    );
    // A responder replaces the default answer.
    let teapot = s.get("/teapot", &[&format!("Bearer {reader}")]).await;
    assert_eq!(teapot.status(), StatusCode::IM_A_TEAPOT);
    assert_eq!(teapot.text().await.unwrap(), "refused: 403 Forbidden");
    // A custom authorization function decides; the realm is the layer's.
    assert_eq!(
        s.get("/admins", &[&format!("Bearer {admin}")])
            .await
            .status(),
        StatusCode::OK
    );
    let (status, challenge, _) =
        refusal(s.get("/admins", &[&format!("Bearer {reader}")]).await).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(challenge["realm"], "billing");
}

#[tokio::test]
async fn keys_unavailable_is_503_with_retry_after_never_401() {
    let mock = MockStytch::new();
    mock.fail_next(Route::Jwks, 100, Fault::status(503));
    let s = serve(mock.clone(), app(&mock)).await;
    let reader = s.token("reader", &["read:invoices"]).await;
    let response = s.get("/invoices", &[&format!("Bearer {reader}")]).await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    let retry_after: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=30).contains(&retry_after), "{retry_after}");
    assert!(response.headers().get("www-authenticate").is_none());
    let body: Value = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
    assert_eq!(body["status_code"], 503);
    assert_eq!(body["retry_after"], retry_after);
}

#[tokio::test]
async fn cors_preflights_are_answered_before_authentication() {
    let mock = MockStytch::new();
    let router = Router::new()
        .route("/invoices", get(list))
        .layer(
            RequireM2m::new(mock.verifier())
                .options(AuthenticateOptions::new().required_scopes(["read:invoices"])),
        )
        .layer(tower_http::cors::CorsLayer::permissive());
    let s = serve(mock.clone(), router).await;
    let preflight = s
        .http
        .request(reqwest::Method::OPTIONS, format!("{}/invoices", s.base))
        .header("origin", "https://app.example.com")
        .header("access-control-request-method", "GET")
        .header("access-control-request-headers", "authorization")
        .send()
        .await
        .unwrap();
    assert_eq!(preflight.status(), StatusCode::OK);
    assert!(
        preflight
            .headers()
            .contains_key("access-control-allow-origin")
    );
    // The actual request still needs a token.
    let (status, _, _) = refusal(
        s.http
            .get(format!("{}/invoices", s.base))
            .header("origin", "https://app.example.com")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_extractor_answers_with_the_layer_realm_and_blames_the_server_without_a_layer() {
    let mock = MockStytch::new();
    let s = serve(mock.clone(), app(&mock)).await;
    // An optional layer let the request through; the handler requires a token: 401 with the layer's realm.
    let response = s
        .http
        .post(format!("{}/optional-but-required", s.base))
        .send()
        .await
        .unwrap();
    let (status, challenge, _) = refusal(response).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(challenge["realm"], "billing");
    // No layer at all: the server's mistake, not the caller's.
    for _ in 0..2 {
        let response = s
            .http
            .post(format!("{}/unguarded", s.base))
            .header("authorization", "Bearer whatever")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert!(response.headers().get("www-authenticate").is_none());
    }
}
