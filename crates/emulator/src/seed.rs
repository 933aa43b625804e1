//! `--seed-file`: clients with known credentials (and optionally a known signing key) created at start, so that a
//! compose file or a CI job knows its credentials in advance. The format's JSON Schema is
//! `schema/emulator-seed.schema.json`:
//!
//! ```json
//! {
//!   "clients": [
//!     {"client_id": "billing", "client_secret": "x7Kp2QmZ-billing-ci", "scopes": ["read:invoices"],
//!      "client_name": "Billing", "client_description": "CI", "trusted_metadata": {"team": "a"}, "status": "active"}
//!   ],
//!   "signing_key": {"kid": "jwk-test-ci", "pkcs8_pem": "-----BEGIN PRIVATE KEY-----\n…\n-----END PRIVATE KEY-----"},
//!   "project_kind": "b2b",
//!   "issuer": "https://login.example.com"
//! }
//! ```
//!
//! Clients go through the same rules as the API (a weak secret is refused, naming the client). A seed file is
//! applied only to a fresh project, never over a loaded state file.

use serde::Deserialize;
use serde_json::{Map, Value};
use stytch_m2m_core::auth::ProjectKind;
use stytch_m2m_core::models::{CreateRequest, UpdateRequest, UpdateStatus};
use stytch_m2m_mock::{Engine, MockStytch, SavedKey};

/// A seed file.
#[non_exhaustive]
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedFile {
    /// The clients to create.
    #[serde(default)]
    pub clients: Vec<SeedClient>,
    /// The signing key to use instead of a generated one.
    pub signing_key: Option<SeedKey>,
    /// Consumer (default) or B2B; `--project-kind` wins over it.
    #[serde(default, deserialize_with = "project_kind")]
    pub project_kind: Option<ProjectKind>,
    /// The `iss` of minted tokens (default `stytch.com/{project_id}`); `--issuer` wins over it.
    #[serde(default)]
    pub issuer: Option<String>,
}

fn project_kind<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<ProjectKind>, D::Error> {
    match Option::<String>::deserialize(d)?.as_deref() {
        None => Ok(None),
        Some("consumer") => Ok(Some(ProjectKind::Consumer)),
        Some("b2b") => Ok(Some(ProjectKind::B2b)),
        Some(other) => Err(serde::de::Error::custom(format!(
            "project_kind {other:?} is not consumer or b2b"
        ))),
    }
}

/// A client of a seed file. `Debug` never shows its secret.
#[non_exhaustive]
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(missing_docs)]
pub struct SeedClient {
    pub client_id: String,
    pub client_secret: String,
    pub scopes: Vec<String>,
    #[serde(default)]
    pub client_name: Option<String>,
    #[serde(default)]
    pub client_description: Option<String>,
    #[serde(default)]
    pub trusted_metadata: Option<Map<String, Value>>,
    #[serde(default)]
    pub status: Option<String>,
}

impl std::fmt::Debug for SeedClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SeedClient")
            .field("client_id", &self.client_id)
            .field("client_secret", &"[REDACTED]")
            .field("scopes", &self.scopes)
            .finish_non_exhaustive()
    }
}

/// A signing key of a seed file: an RSA private key as PKCS#8 PEM. `Debug` never shows it.
#[non_exhaustive]
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedKey {
    /// Its key id.
    pub kid: String,
    /// `-----BEGIN PRIVATE KEY-----` …
    pub pkcs8_pem: String,
}

impl std::fmt::Debug for SeedKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SeedKey")
            .field("kid", &self.kid)
            .field("pkcs8_pem", &"[REDACTED]")
            .finish()
    }
}

impl SeedKey {
    /// The key of a PKCS#8 PEM file (`--signing-key`), with this `kid` or else the key's RFC 7638 thumbprint
    /// (the same on every machine). The error names the file, never the key.
    pub fn from_pem_file(path: &std::path::Path, kid: Option<String>) -> Result<Self, String> {
        let pem = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read the signing key {}: {e}", path.display()))?;
        let der = pkcs8_der(&pem).map_err(|_| {
            format!(
                "the signing key {} is not a PKCS#8 PEM private key (-----BEGIN PRIVATE KEY-----)",
                path.display()
            )
        })?;
        let thumbprint = Engine::key_thumbprint(&der).map_err(|_| {
            format!(
                "the signing key {} is not an RSA private key",
                path.display()
            )
        })?;
        Ok(Self {
            kid: kid.unwrap_or(thumbprint),
            pkcs8_pem: pem,
        })
    }

    /// Makes this the project's signing key; the error says what the key is not.
    pub fn install(&self, mock: &MockStytch) -> Result<(), String> {
        let der =
            pkcs8_der(&self.pkcs8_pem).map_err(|_| "is not a PKCS#8 PEM private key".to_owned())?;
        mock.engine()
            .use_signing_key(&self.kid, der)
            .map_err(|_| "is not an RSA private key".to_owned())
    }

    /// Whether `saved` (a key of a state file) is this key under this `kid`.
    pub fn is_saved_as(&self, saved: &SavedKey) -> bool {
        use base64::Engine as _;
        let saved_der = base64::engine::general_purpose::STANDARD.decode(&saved.pkcs8);
        match (pkcs8_der(&self.pkcs8_pem), saved_der) {
            (Ok(der), Ok(saved_der)) => saved.kid == self.kid && der == saved_der,
            _ => false,
        }
    }
}

impl SeedFile {
    /// Reads a seed file; the error names the file and what is wrong (never a secret).
    pub fn read(path: &std::path::Path) -> Result<Self, String> {
        let text = std::fs::read(path)
            .map_err(|e| format!("cannot read the seed file {}: {e}", path.display()))?;
        serde_json::from_slice(&text).map_err(|e| {
            format!(
                "the seed file {} is not valid (line {}, column {}); see schema/emulator-seed.schema.json",
                path.display(),
                e.line(),
                e.column()
            )
        })
    }

    /// Creates the clients (and installs the signing key) in `mock`, with the API's rules.
    pub fn apply(&self, mock: &MockStytch) -> Result<(), String> {
        if let Some(key) = &self.signing_key {
            key.install(mock)
                .map_err(|rule| format!("the seed file's signing key {rule}"))?;
        }
        for c in &self.clients {
            let mut request = CreateRequest::new(c.scopes.iter().cloned())
                .client_id(c.client_id.clone())
                .client_secret(c.client_secret.clone());
            if let Some(name) = &c.client_name {
                request = request.client_name(name.clone());
            }
            if let Some(description) = &c.client_description {
                request = request.client_description(description.clone());
            }
            if let Some(metadata) = &c.trusted_metadata {
                request = request.trusted_metadata(metadata.clone());
            }
            mock.seed_client(request)
                .map_err(|f| format!("seed client {}: {}", c.client_id, f.message))?;
            match c.status.as_deref() {
                None | Some("active") => {}
                Some("inactive") => {
                    mock.engine()
                        .update(
                            &c.client_id,
                            UpdateRequest::new().status(UpdateStatus::Inactive),
                        )
                        .map_err(|f| format!("seed client {}: {}", c.client_id, f.message))?;
                }
                Some(_) => {
                    return Err(format!(
                        "seed client {}: status is active or inactive",
                        c.client_id
                    ));
                }
            }
        }
        Ok(())
    }
}

/// The DER bytes of a PKCS#8 private key in PEM (`-----BEGIN PRIVATE KEY-----`), read by `rustls-pki-types`.
pub(crate) fn pkcs8_der(pem: &str) -> Result<Vec<u8>, rustls_pki_types::pem::Error> {
    use rustls_pki_types::pem::PemObject as _;
    rustls_pki_types::PrivatePkcs8KeyDer::from_pem_slice(pem.as_bytes())
        .map(|der| der.secret_pkcs8_der().to_vec())
}
