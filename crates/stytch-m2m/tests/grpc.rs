//! gRPC over real sockets (plaintext HTTP/2, a real tonic client): the greeter of the `grpc_service` example behind
//! `RequireM2m`. Refusals are gRPC statuses read off the wire (16, 7, 14, never an HTTP 401), the handler reads
//! the caller, the health check needs no token, and `AttachM2mToken` over a `Channel` drops a refused token under
//! the provider's bound without replaying the call.

#[path = "../examples/common/greeter.rs"]
mod greeter;

use std::time::Duration;

use stytch_m2m::auth::TokenVerifier;
use stytch_m2m::middleware::AttachM2mToken;
use stytch_m2m::mock::{Fault, MockStytch, Route};
use stytch_m2m::models::CreateRequest;
use tonic::Code;
use tonic::transport::Channel;

async fn serve(verifier: TokenVerifier) -> Channel {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(axum::serve(listener, greeter::router(verifier)).into_future());
    tonic::transport::Endpoint::from_shared(url)
        .unwrap()
        .connect()
        .await
        .unwrap()
}

async fn token(mock: &MockStytch, scopes: &[&str]) -> String {
    let m = mock
        .seed_client(CreateRequest::new(scopes.iter().copied()))
        .unwrap();
    mock.token_provider(m.client_id, m.client_secret)
        .token(scopes)
        .await
        .unwrap()
        .expose_secret()
        .to_owned()
}

/// `SayHello` with this `authorization` metadata (if any): the reply's message, or the status.
async fn call(channel: &Channel, authorization: Option<&str>) -> Result<String, tonic::Status> {
    let mut client = tonic::client::Grpc::new(channel.clone());
    client.ready().await.unwrap();
    let mut request = tonic::Request::new(greeter::HelloRequest { name: "Ada".into() });
    if let Some(value) = authorization {
        request
            .metadata_mut()
            .insert("authorization", value.parse().unwrap());
    }
    client
        .unary(
            request,
            http::uri::PathAndQuery::from_static(greeter::SAY_HELLO),
            tonic_prost::ProstCodec::<greeter::HelloRequest, greeter::HelloReply>::default(),
        )
        .await
        .map(|r| r.into_inner().message)
}

#[tokio::test]
async fn refusals_are_grpc_statuses() {
    let mock = MockStytch::new();
    let channel = serve(mock.verifier()).await;
    // The health check is open.
    assert_eq!(
        greeter::check(channel.clone()).await.unwrap().status,
        greeter::SERVING
    );
    // Missing, malformed, invalid and foreign credentials: 16, never INTERNAL or UNKNOWN.
    let stranger = token(&MockStytch::new(), &[greeter::SCOPE]).await;
    for authorization in [
        None,
        Some("Bearer".to_owned()),
        Some("Bearer not.a.token".to_owned()),
        Some(format!("Bearer {stranger}")),
    ] {
        let status = call(&channel, authorization.as_deref()).await.unwrap_err();
        assert_eq!(
            status.code(),
            Code::Unauthenticated,
            "{authorization:?}: {status:?}"
        );
    }
    // A valid token without the scope: 7, the scope named in grpc-message.
    let other = token(&mock, &["read:other"]).await;
    let status = call(&channel, Some(&format!("Bearer {other}")))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::PermissionDenied);
    assert!(status.message().contains(greeter::SCOPE), "{status:?}");
    // With the scope: the reply names the caller.
    let good = token(&mock, &[greeter::SCOPE]).await;
    let reply = call(&channel, Some(&format!("Bearer {good}")))
        .await
        .unwrap();
    assert!(
        reply.contains("Ada") && reply.contains("m2m-client-"),
        "{reply}"
    );
    // An hour later, past the 5 s clock tolerance (the mock's clock), the same token has expired: 16.
    mock.clock().advance(Duration::from_secs(3700));
    let status = call(&channel, Some(&format!("Bearer {good}")))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::Unauthenticated);
}

#[tokio::test]
async fn keys_that_cannot_be_had_are_unavailable() {
    let mock = MockStytch::new();
    let good = token(&mock, &[greeter::SCOPE]).await;
    // A verifier that has no key yet, while the JWKS answers 503.
    mock.fail_next(Route::Jwks, 1000, Fault::status(503));
    let channel = serve(mock.verifier()).await;
    let status = call(&channel, Some(&format!("Bearer {good}")))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::Unavailable, "{status:?}");
}

#[tokio::test]
async fn a_refused_call_invalidates_the_token_under_the_bound() {
    let (caller_project, other_project) = (MockStytch::new(), MockStytch::new());
    // The service checks another project's tokens: it refuses every token of the caller's with 16.
    let channel = serve(other_project.verifier()).await;
    let m = caller_project
        .seed_client(CreateRequest::new([greeter::SCOPE]))
        .unwrap();
    let provider = caller_project.token_provider(m.client_id, m.client_secret);
    let exchanges = || {
        caller_project
            .requests()
            .iter()
            .filter(|r| r.url.contains("/oauth2/token"))
            .count()
    };
    let service = tower::ServiceBuilder::new()
        .layer(AttachM2mToken::new(provider, [greeter::SCOPE]))
        .service(channel);
    for _ in 0..3 {
        let status = greeter::say_hello(service.clone(), "Ada")
            .await
            .unwrap_err();
        assert_eq!(status.code(), Code::Unauthenticated);
    }
    // The first refusal dropped the token (a second exchange); the next ones were within the bound. No call was
    // replayed: a gRPC body is a stream.
    assert_eq!(exchanges(), 2);
}
