//! [`ProtectedResource`]: RFC 9728 protected-resource metadata, so that a client (an MCP client, an agent) can go
//! from a 401 to the authorization server that issues the tokens this resource accepts.

use stytch_m2m_core::ConfigError;

/// The well-known prefix of RFC 9728 §3.
const WELL_KNOWN: &str = "/.well-known/oauth-protected-resource";

/// The resource a [`RequireM2m`](super::RequireM2m) protects, described as RFC 9728 says: its identifier, the
/// authorization servers whose tokens it accepts, the scopes it knows, and `bearer_methods_supported:
/// ["header"]`. With it, the layer
///
/// - answers `GET /.well-known/oauth-protected-resource{resource path}` (RFC 9728 §3.1) with the document, without
///   a token, when that request reaches it (apply the layer with axum's `layer`, or route the
///   [`metadata_path`](Self::metadata_path) to [`document`](Self::document) yourself);
/// - adds `resource_metadata="…"` to every `WWW-Authenticate: Bearer` challenge (RFC 9728 §5.1), next to RFC 6750's
///   `error="insufficient_scope", scope="…"` on a 403.
///
/// ```
/// # mod stytch_m2m { pub use stytch_m2m_core::*; pub use stytch_m2m_tower as middleware; }
/// use stytch_m2m::middleware::ProtectedResource;
///
/// let resource = ProtectedResource::new("https://mcp.example.com/mcp")
///     .unwrap()
///     .authorization_server("https://login.example.com") // named exactly as given: issuers compare as text
///     .scopes_supported(["mcp:tools"]);
/// assert_eq!(resource.metadata_path(), "/.well-known/oauth-protected-resource/mcp");
/// assert_eq!(
///     resource.metadata_url(),
///     "https://mcp.example.com/.well-known/oauth-protected-resource/mcp"
/// );
/// assert_eq!(resource.document()["bearer_methods_supported"], serde_json::json!(["header"]));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProtectedResource {
    resource: String,
    authorization_servers: Vec<String>,
    scopes_supported: Vec<String>,
    metadata_path: String,
    metadata_url: String,
}

impl ProtectedResource {
    /// The resource with this identifier: an absolute `http(s)` URL without query or fragment (RFC 9728 §1.2),
    /// such as `https://mcp.example.com/mcp`.
    pub fn new(resource: impl Into<String>) -> Result<Self, ConfigError> {
        let resource = resource.into();
        let invalid = || {
            ConfigError::new(
                "resource",
                "must be an absolute http(s) URL with a host, and no query or fragment",
            )
        };
        let scheme_end = resource.find("://").ok_or_else(invalid)?;
        let scheme = &resource[..scheme_end];
        if !scheme.eq_ignore_ascii_case("https") && !scheme.eq_ignore_ascii_case("http") {
            return Err(invalid());
        }
        if resource.contains(['?', '#'])
            || resource
                .chars()
                .any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(invalid());
        }
        let rest = &resource[scheme_end + 3..];
        let (authority, path) = match rest.find('/') {
            Some(at) => rest.split_at(at),
            None => (rest, ""),
        };
        if authority.is_empty() || authority.contains('@') {
            return Err(invalid());
        }
        let path = if path == "/" { "" } else { path };
        let metadata_path = format!("{WELL_KNOWN}{path}");
        let metadata_url = format!("{scheme}://{authority}{metadata_path}");
        Ok(Self {
            resource,
            authorization_servers: Vec::new(),
            scopes_supported: Vec::new(),
            metadata_path,
            metadata_url,
        })
    }

    /// Adds an authorization server, by its issuer identifier, named in the document exactly as given.
    pub fn authorization_server(mut self, issuer: impl Into<String>) -> Self {
        self.authorization_servers.push(issuer.into());
        self
    }

    /// The scopes the resource knows (`scopes_supported`).
    pub fn scopes_supported<I>(mut self, scopes: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        self.scopes_supported = scopes.into_iter().map(Into::into).collect();
        self
    }

    /// The resource identifier.
    pub fn resource(&self) -> &str {
        &self.resource
    }

    /// The path the document is served at: `/.well-known/oauth-protected-resource` followed by the resource's
    /// path.
    pub fn metadata_path(&self) -> &str {
        &self.metadata_path
    }

    /// The document's URL, named by `resource_metadata` in every challenge.
    pub fn metadata_url(&self) -> &str {
        &self.metadata_url
    }

    /// The metadata document (RFC 9728 §2).
    pub fn document(&self) -> serde_json::Value {
        let mut document = serde_json::json!({
            "resource": self.resource,
            "bearer_methods_supported": ["header"],
        });
        if !self.authorization_servers.is_empty() {
            document["authorization_servers"] = serde_json::json!(self.authorization_servers);
        }
        if !self.scopes_supported.is_empty() {
            document["scopes_supported"] = serde_json::json!(self.scopes_supported);
        }
        document
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_well_known_path_is_inserted_between_host_and_path() {
        for (resource, path, url) in [
            (
                "https://mcp.example.com/mcp",
                "/.well-known/oauth-protected-resource/mcp",
                "https://mcp.example.com/.well-known/oauth-protected-resource/mcp",
            ),
            (
                "http://127.0.0.1:8080",
                "/.well-known/oauth-protected-resource",
                "http://127.0.0.1:8080/.well-known/oauth-protected-resource",
            ),
            (
                "https://api.example.com/",
                "/.well-known/oauth-protected-resource",
                "https://api.example.com/.well-known/oauth-protected-resource",
            ),
            (
                "https://api.example.com/v1/tools",
                "/.well-known/oauth-protected-resource/v1/tools",
                "https://api.example.com/.well-known/oauth-protected-resource/v1/tools",
            ),
        ] {
            let r = ProtectedResource::new(resource).unwrap();
            assert_eq!(
                (r.metadata_path(), r.metadata_url()),
                (path, url),
                "{resource}"
            );
        }
        for bad in [
            "mcp.example.com/mcp",
            "ftp://example.com/x",
            "https:///x",
            "https://example.com/x?a=b",
            "https://example.com/x#f",
            "https://user@example.com/x",
        ] {
            let e = ProtectedResource::new(bad).unwrap_err();
            assert_eq!(e.setting, "resource", "{bad}");
        }
    }
}
