//! The engine's whole state as data, to save and restore it (the emulator's `--state` file).
//!
//! Secrets stay hashed; signing keys are saved as PKCS#8 so that tokens stay valid across a restart.

use base64::Engine as _;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use stytch_m2m_core::auth::ProjectKind;
use stytch_m2m_core::models::Secret;

use super::keys::{KeyRing, SigningKey};
use super::record::Record;
use super::secret_hash::SecretHash;
use super::store::Store;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// A saved engine.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct Snapshot {
    /// The format version of this snapshot.
    pub version: u32,
    /// The project id.
    pub project_id: String,
    /// The project secret (the state file is as sensitive as the secret itself).
    pub project_secret: Secret,
    /// `consumer` or `b2b` (`consumer` in files written before it was saved).
    #[serde(default = "consumer")]
    pub project_kind: String,
    /// The custom issuer tokens carry, if not `stytch.com/{project_id}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    /// The clients, in creation order.
    pub clients: Vec<SavedClient>,
    /// The signing keys: the current one first, then the retired ones with their retirement time.
    pub keys: Vec<SavedKey>,
}

fn consumer() -> String {
    ProjectKind::Consumer.as_str().to_owned()
}

/// The project kind of a saved name.
pub(crate) fn kind_from_name(name: &str) -> Result<ProjectKind, String> {
    [ProjectKind::Consumer, ProjectKind::B2b]
        .into_iter()
        .find(|kind| kind.as_str() == name)
        .ok_or_else(|| format!("project_kind {name:?} is not consumer or b2b"))
}

/// The snapshot format version this build writes and reads.
pub const SNAPSHOT_VERSION: u32 = 1;

/// A saved client.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
#[allow(missing_docs)]
pub struct SavedClient {
    pub seq: u64,
    pub client_id: String,
    pub client_name: String,
    pub client_description: String,
    pub active: bool,
    pub scopes: Vec<String>,
    pub trusted_metadata: Map<String, Value>,
    /// base64(salt) and base64(SHA-256(salt || secret)).
    pub secret_hash: (String, String),
    pub secret_last_four: String,
    pub next_secret_hash: Option<(String, String)>,
    pub next_secret_last_four: Option<String>,
    pub created_at: String,
    pub rotation_started_at: Option<String>,
    #[serde(default)]
    pub custom_claims: Map<String, Value>,
}

/// A saved signing key. `Debug` never shows the private key.
#[derive(Serialize, Deserialize, Clone, PartialEq)]
pub struct SavedKey {
    /// The key id.
    pub kid: String,
    /// base64 of the PKCS#8 DER private key.
    pub pkcs8: String,
    /// When it was retired (ms since the epoch); `None` for the current key.
    pub retired_at_ms: Option<u64>,
}

impl std::fmt::Debug for SavedKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SavedKey")
            .field("kid", &self.kid)
            .field("pkcs8", &"[REDACTED]")
            .field("retired_at_ms", &self.retired_at_ms)
            .finish()
    }
}

fn save_hash(h: &SecretHash) -> (String, String) {
    (B64.encode(h.salt), B64.encode(h.digest))
}

fn load_hash((salt, digest): &(String, String), client: &str) -> Result<SecretHash, String> {
    let bad = || format!("client {client}: a secret hash is malformed");
    let salt: [u8; 16] = B64
        .decode(salt)
        .map_err(|_| bad())?
        .try_into()
        .map_err(|_| bad())?;
    let digest: [u8; 32] = B64
        .decode(digest)
        .map_err(|_| bad())?
        .try_into()
        .map_err(|_| bad())?;
    Ok(SecretHash { salt, digest })
}

pub(crate) fn save(store: &Store, keys: &KeyRing) -> (Vec<SavedClient>, Vec<SavedKey>) {
    let clients = store
        .records()
        .map(|r| SavedClient {
            seq: r.seq,
            client_id: r.client_id.clone(),
            client_name: r.client_name.clone(),
            client_description: r.client_description.clone(),
            active: r.active,
            scopes: r.scopes.clone(),
            trusted_metadata: r.trusted_metadata.clone(),
            secret_hash: save_hash(&r.secret),
            secret_last_four: r.secret_last_four.clone(),
            next_secret_hash: r.next_secret.as_ref().map(|(h, _)| save_hash(h)),
            next_secret_last_four: r.next_secret.as_ref().map(|(_, f)| f.clone()),
            created_at: r.created_at.clone(),
            rotation_started_at: r.rotation_started_at.clone(),
            custom_claims: r.custom_claims.clone(),
        })
        .collect();
    let key = |k: &SigningKey, retired_at_ms| SavedKey {
        kid: k.kid.clone(),
        pkcs8: B64.encode(k.pkcs8()),
        retired_at_ms,
    };
    let keys = std::iter::once(key(&keys.current, None))
        .chain(keys.retired.iter().map(|(k, at)| key(k, Some(*at))))
        .collect();
    (clients, keys)
}

pub(crate) fn load(clients: &[SavedClient], keys: &[SavedKey]) -> Result<(Store, KeyRing), String> {
    let mut store = Store::default();
    let mut seqs = std::collections::HashSet::new();
    for c in clients {
        if store.contains(&c.client_id) {
            return Err(format!("client {} appears twice", c.client_id));
        }
        // Two clients with one `seq` would corrupt the search indexes and the cursor order.
        if !seqs.insert(c.seq) {
            return Err(format!("two clients have seq {}", c.seq));
        }
        let next_secret = match (&c.next_secret_hash, &c.next_secret_last_four) {
            (Some(h), Some(four)) => Some((load_hash(h, &c.client_id)?, four.clone())),
            (None, None) => None,
            _ => {
                return Err(format!(
                    "client {}: next secret hash and last four disagree",
                    c.client_id
                ));
            }
        };
        store.put(Record {
            seq: c.seq,
            client_id: c.client_id.clone(),
            client_name: c.client_name.clone(),
            client_description: c.client_description.clone(),
            active: c.active,
            scopes: c.scopes.clone(),
            trusted_metadata: c.trusted_metadata.clone(),
            secret: load_hash(&c.secret_hash, &c.client_id)?,
            secret_last_four: c.secret_last_four.clone(),
            next_secret,
            created_at: c.created_at.clone(),
            rotation_started_at: c.rotation_started_at.clone(),
            custom_claims: c.custom_claims.clone(),
        });
    }
    let mut loaded = Vec::new();
    for k in keys {
        let der = B64
            .decode(&k.pkcs8)
            .map_err(|_| format!("signing key {}: not base64", k.kid))?;
        loaded.push((SigningKey::from_pkcs8(k.kid.clone(), der)?, k.retired_at_ms));
    }
    let mut iter = loaded.into_iter();
    let (current, None) = iter.next().ok_or("the state has no signing key")? else {
        return Err("the first signing key must be the current one (no retired_at_ms)".into());
    };
    let retired = iter
        .map(|(k, at)| {
            at.map(|at| (k, at))
                .ok_or_else(|| "only the first signing key may be current".to_owned())
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok((store, KeyRing { current, retired }))
}
