//! The `helloworld.Greeter` service and the gRPC health check, written by hand as tonic-build would generate them
//! (two messages each: no protoc, no build script), and the router that protects the greeter.
//!
//! ```proto
//! service Greeter { rpc SayHello (HelloRequest) returns (HelloReply); }
//! message HelloRequest { string name = 1; }
//! message HelloReply { string message = 1; }
//! // grpc.health.v1
//! service Health { rpc Check (HealthCheckRequest) returns (HealthCheckResponse); }
//! message HealthCheckRequest { string service = 1; }
//! message HealthCheckResponse { ServingStatus status = 1; } // SERVING = 1
//! ```

#![allow(dead_code)]

use std::convert::Infallible;

use axum::Router;
use axum::body::Body;
use stytch_m2m::auth::{AuthenticateOptions, TokenVerifier};
use stytch_m2m::middleware::{M2mTokenExt as _, RequireM2m};
use tonic::codegen::BoxFuture;
use tonic_prost::ProstCodec;

pub const SAY_HELLO: &str = "/helloworld.Greeter/SayHello";
pub const HEALTH_CHECK: &str = "/grpc.health.v1.Health/Check";
/// The scope `SayHello` requires.
pub const SCOPE: &str = "read:greetings";

#[derive(Clone, PartialEq, prost::Message)]
pub struct HelloRequest {
    #[prost(string, tag = "1")]
    pub name: String,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct HelloReply {
    #[prost(string, tag = "1")]
    pub message: String,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct HealthCheckRequest {
    #[prost(string, tag = "1")]
    pub service: String,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct HealthCheckResponse {
    #[prost(int32, tag = "1")]
    pub status: i32,
}

/// `ServingStatus.SERVING`.
pub const SERVING: i32 = 1;

/// `SayHello`: greets the name, and names the caller (the M2M client of the verified token).
#[derive(Clone)]
struct SayHello;

impl tonic::server::UnaryService<HelloRequest> for SayHello {
    type Response = HelloReply;
    type Future = BoxFuture<tonic::Response<HelloReply>, tonic::Status>;

    fn call(&mut self, request: tonic::Request<HelloRequest>) -> Self::Future {
        let caller = request.m2m_token().map(|t| t.client_id().to_owned());
        Box::pin(async move {
            let caller = caller?;
            let name = request.into_inner().name;
            Ok(tonic::Response::new(HelloReply {
                message: format!("Hello {name}, from the greeter to {caller}"),
            }))
        })
    }
}

/// `Check`: always `SERVING`.
#[derive(Clone)]
struct Check;

impl tonic::server::UnaryService<HealthCheckRequest> for Check {
    type Response = HealthCheckResponse;
    type Future = BoxFuture<tonic::Response<HealthCheckResponse>, tonic::Status>;

    fn call(&mut self, _: tonic::Request<HealthCheckRequest>) -> Self::Future {
        Box::pin(async {
            Ok(tonic::Response::new(HealthCheckResponse {
                status: SERVING,
            }))
        })
    }
}

/// A unary gRPC method as an axum service.
fn unary<M, R, S>(method: S) -> axum::routing::MethodRouter
where
    S: tonic::server::UnaryService<M, Response = R> + Clone + Send + Sync + 'static,
    S::Future: Send,
    M: prost::Message + Default + Send + 'static,
    R: prost::Message + Send + 'static,
{
    axum::routing::post_service(tower::service_fn(move |request: http::Request<Body>| {
        let method = method.clone();
        async move {
            let mut grpc = tonic::server::Grpc::new(ProstCodec::<R, M>::default());
            let response = grpc.unary(method, request).await;
            Ok::<_, Infallible>(response.map(Body::new))
        }
    }))
}

/// `SayHello` greeting an anonymous caller, with no layer in front: a benchmark's baseline, served exactly as
/// [`router`] serves the real one, less the layer.
#[derive(Clone)]
struct Anonymous;

impl tonic::server::UnaryService<HelloRequest> for Anonymous {
    type Response = HelloReply;
    type Future = BoxFuture<tonic::Response<HelloReply>, tonic::Status>;

    fn call(&mut self, request: tonic::Request<HelloRequest>) -> Self::Future {
        let name = request.into_inner().name;
        Box::pin(async move {
            Ok(tonic::Response::new(HelloReply {
                message: format!("Hello {name}, from the greeter to anonymous"),
            }))
        })
    }
}

/// The greeter with no token required (a benchmark's baseline).
pub fn open_router() -> Router {
    Router::new().route(SAY_HELLO, unary(Anonymous))
}

/// The greeter (scope `read:greetings`) behind `RequireM2m`, and the health check open.
pub fn router(verifier: TokenVerifier) -> Router {
    let greet =
        RequireM2m::new(verifier).options(AuthenticateOptions::new().required_scopes([SCOPE]));
    Router::new()
        .route(SAY_HELLO, unary(SayHello).route_layer(greet))
        .route(HEALTH_CHECK, unary(Check))
}

/// One unary call through any gRPC channel (a `tonic::transport::Channel`, or one wrapped in `AttachM2mToken`).
async fn unary_call<T, M, R>(channel: T, path: &'static str, message: M) -> Result<R, tonic::Status>
where
    T: tonic::client::GrpcService<tonic::body::Body>,
    T::Error: Into<tonic::codegen::StdError>,
    T::ResponseBody: http_body::Body<Data = bytes::Bytes> + Send + 'static,
    <T::ResponseBody as http_body::Body>::Error: Into<tonic::codegen::StdError> + Send,
    M: prost::Message + Send + Sync + 'static,
    R: prost::Message + Default + Send + Sync + 'static,
{
    let mut client = tonic::client::Grpc::new(channel);
    client.ready().await.map_err(|e| {
        tonic::Status::unavailable(format!("the channel is not ready: {}", e.into()))
    })?;
    client
        .unary(
            tonic::Request::new(message),
            http::uri::PathAndQuery::from_static(path),
            ProstCodec::<M, R>::default(),
        )
        .await
        .map(tonic::Response::into_inner)
}

/// Calls `SayHello`.
pub async fn say_hello<T>(channel: T, name: &str) -> Result<HelloReply, tonic::Status>
where
    T: tonic::client::GrpcService<tonic::body::Body>,
    T::Error: Into<tonic::codegen::StdError>,
    T::ResponseBody: http_body::Body<Data = bytes::Bytes> + Send + 'static,
    <T::ResponseBody as http_body::Body>::Error: Into<tonic::codegen::StdError> + Send,
{
    unary_call(
        channel,
        SAY_HELLO,
        HelloRequest {
            name: name.to_owned(),
        },
    )
    .await
}

/// Calls the health check.
pub async fn check<T>(channel: T) -> Result<HealthCheckResponse, tonic::Status>
where
    T: tonic::client::GrpcService<tonic::body::Body>,
    T::Error: Into<tonic::codegen::StdError>,
    T::ResponseBody: http_body::Body<Data = bytes::Bytes> + Send + 'static,
    <T::ResponseBody as http_body::Body>::Error: Into<tonic::codegen::StdError> + Send,
{
    unary_call(channel, HEALTH_CHECK, HealthCheckRequest::default()).await
}
