//! An MCP server with one tool, `whoami`, behind `RequireM2m` with RFC 9728 metadata: the router of the
//! `mcp_server` example (rmcp's Streamable HTTP transport on axum).

#![allow(dead_code)]

use std::sync::Arc;

use axum::Router;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, ListToolsResult,
    PaginatedRequestParams, ServerCapabilities, ServerConfig, Tool,
};
use rmcp::service::{RequestContext, RoleServer};
use rmcp::transport::streamable_http_server::{
    StreamableHttpServerConfig, StreamableHttpService, session::local::LocalSessionManager,
};
use rmcp::{ErrorData, ServerHandler};
use stytch_m2m::auth::{AuthenticateOptions, AuthenticatedToken, TokenVerifier};
use stytch_m2m::middleware::{ProtectedResource, RequireM2m};

/// The scope `/mcp` requires.
pub const SCOPE: &str = "mcp:tools";

/// The tools: `whoami` answers the caller's client id and scopes, as JSON text.
#[derive(Clone)]
struct WhoAmI;

impl ServerHandler for WhoAmI {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
    }

    async fn list_tools(
        &self,
        _: Option<PaginatedRequestParams>,
        _: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        let schema = serde_json::json!({"type": "object", "properties": {}});
        let serde_json::Value::Object(schema) = schema else {
            unreachable!("an object")
        };
        Ok(ListToolsResult::with_all_items(vec![Tool::new(
            "whoami",
            "The M2M client calling this server, and its scopes",
            Arc::new(schema),
        )]))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        if request.name != "whoami" {
            return Err(ErrorData::invalid_params("no such tool", None));
        }
        // rmcp hands the HTTP request's parts to the handler; RequireM2m put the verified token in them.
        let token = context
            .extensions
            .get::<http::request::Parts>()
            .and_then(|parts| parts.extensions.get::<AuthenticatedToken>())
            .ok_or_else(|| ErrorData::internal_error("no verified token", None))?;
        let who = serde_json::json!({"client_id": token.client_id(), "scopes": token.scopes()});
        Ok(CallToolResult::success(vec![ContentBlock::text(who.to_string())]).into())
    }
}

/// `/mcp` (scope `mcp:tools`) and its RFC 9728 document at `/.well-known/oauth-protected-resource/mcp`, naming
/// `issuer` as the authorization server. `base` is the server's own URL (`http://127.0.0.1:PORT`).
pub fn router(verifier: TokenVerifier, base: &str, issuer: &str) -> Router {
    let resource = ProtectedResource::new(format!("{base}/mcp"))
        .expect("the server's own URL is a resource identifier")
        .authorization_server(issuer)
        .scopes_supported([SCOPE]);
    let layer = RequireM2m::new(verifier)
        .options(AuthenticateOptions::new().required_scopes([SCOPE]))
        .protected_resource(resource);
    let mcp = StreamableHttpService::new(
        || Ok(WhoAmI),
        Arc::new(LocalSessionManager::default()),
        StreamableHttpServerConfig::default().with_sse_keep_alive(None),
    );
    // The layer wraps the whole router, so that it also answers the metadata document's path.
    Router::new().nest_service("/mcp", mcp).layer(layer)
}
