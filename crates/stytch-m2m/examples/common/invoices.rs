//! The invoices service both examples run: `GET /health` is open, `GET /invoices` needs `read:invoices`,
//! `POST /invoices` needs `write:invoices` and echoes the caller's `client_id`.

use axum::routing::get;
use axum::{Json, Router};
use stytch_m2m::auth::{AuthenticateOptions, TokenVerifier};
use stytch_m2m::middleware::{M2mToken, RequireM2m};

/// The router, protected by a secret-less verifier.
pub fn router(verifier: TokenVerifier) -> Router {
    let m2m = RequireM2m::new(verifier).realm("invoices");
    Router::new()
        .route(
            "/invoices",
            get(list)
                .route_layer(
                    m2m.clone()
                        .options(AuthenticateOptions::new().required_scopes(["read:invoices"])),
                )
                .merge(axum::routing::post(create).route_layer(
                    m2m.options(AuthenticateOptions::new().required_scopes(["write:invoices"])),
                )),
        )
        .route("/health", get(|| async { "ok" }))
}

async fn list(M2mToken(caller): M2mToken) -> Json<serde_json::Value> {
    Json(serde_json::json!({ "invoices": [], "for": caller.client_id() }))
}

async fn create(M2mToken(caller): M2mToken) -> Json<serde_json::Value> {
    Json(serde_json::json!({ "client_id": caller.client_id() }))
}
