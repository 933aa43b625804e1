//! The engine: the state and the rules of Stytch's M2M API, with no HTTP in it.
//!
//! Every method takes and returns the generated models and answers a [`Failure`] (status, `error_type`, message)
//! where Stytch answers an error. The wire layer ([`crate::wire`]) puts both in Stytch's JSON shapes; the emulator
//! serves the same engine over a socket.

mod clients;
mod failure;
mod keys;
mod record;
mod request_id;
mod rotation;
mod rules;
mod search;
mod secret_hash;
mod signing;
mod snapshot;
mod store;
mod template;
mod token;

use std::sync::{Mutex, MutexGuard, RwLock};
use std::time::Duration;

use serde_json::Value;
use stytch_m2m_core::auth::ProjectKind;
use stytch_m2m_core::models::{ErrorType, M2mClient, M2mClientWithNextClientSecret, Secret};

pub use failure::Failure;
pub use rules::{ServerRules, Strictness};
// The state-file types: shared with `stytch-m2m-emulator`, which persists them; not part of the mock's API.
#[doc(hidden)]
pub use snapshot::{SNAPSHOT_VERSION, SavedClient, SavedKey, Snapshot};
pub use template::{JwtTemplate, MAX_TEMPLATE_BYTES};
pub use token::TOKEN_LIFETIME_SECS;

use crate::clock::MockClock;
use crate::random::Randomness;
use clients::as_json;
use keys::{KeyRing, SigningKey};
pub(crate) use request_id::RequestId;
use store::Store;

/// The default page size of search (Stytch: 100).
pub const DEFAULT_SEARCH_LIMIT: u32 = 100;

/// How long a retired signing key stays in the JWKS, by default.
pub const DEFAULT_KEY_GRACE: Duration = Duration::from_secs(3600);

/// A successful token exchange.
#[non_exhaustive]
#[derive(Clone, Debug)]
pub struct Grant {
    /// The signed JWT.
    pub access_token: Secret,
    /// Seconds until it expires.
    pub expires_in: u64,
}

/// The state and rules of one Stytch project's M2M API.
pub struct Engine {
    project_id: String,
    project_secret: Secret,
    /// `base64(project_id:project_secret)`: what a Basic `Authorization` header of the project carries, as every
    /// SDK encodes it (compared before decoding anything).
    basic_credentials: Secret,
    live: bool,
    clock: MockClock,
    random: Randomness,
    deterministic: std::sync::atomic::AtomicBool,
    /// The index of the first fixed key in deterministic mode; later keys follow it in turn.
    key_seed: std::sync::atomic::AtomicUsize,
    /// Taken by every request that reads or changes a client: alone on its cache lines.
    store: crate::padded::Padded<Mutex<Store>>,
    keys: RwLock<KeyRing>,
    key_count: Mutex<usize>,
    key_grace: Duration,
    kind: ProjectKind,
    /// The `iss` of minted tokens: `stytch.com/{project_id}`, or a custom domain's.
    issuer: String,
    reuse: token::Reuse,
    template: RwLock<Option<JwtTemplate>>,
    rules: RwLock<ServerRules>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("project_id", &self.project_id)
            .field("project_secret", &self.project_secret)
            .field("clients", &self.lock().len())
            .field("rules", &self.rules())
            .finish_non_exhaustive()
    }
}

impl Engine {
    /// An engine for this project. `seed` turns on the deterministic mode: ids, secrets, request ids and signing
    /// keys (one of three fixed test keys) follow from it.
    pub fn new(
        project_id: String,
        project_secret: Secret,
        clock: MockClock,
        seed: Option<u64>,
        key_grace: Duration,
    ) -> Self {
        let random = match seed {
            Some(seed) => Randomness::seeded(seed),
            None => Randomness::system(),
        };
        let live = project_id.starts_with("project-live-");
        let deterministic = seed.is_some();
        let env = if live { "live" } else { "test" };
        let kid = format!("jwk-{env}-{}", random.uuid());
        let first = if deterministic {
            SigningKey::fixed(kid, seed.unwrap_or(0) as usize)
        } else {
            SigningKey::generate(kid)
        };
        Self {
            issuer: default_issuer(&project_id),
            basic_credentials: basic_credentials(&project_id, &project_secret),
            project_id,
            project_secret,
            live,
            clock,
            random,
            deterministic: deterministic.into(),
            key_seed: (seed.unwrap_or(0) as usize).into(),
            store: crate::padded::Padded(Mutex::new(Store::default())),
            keys: RwLock::new(KeyRing {
                current: first,
                retired: Vec::new(),
            }),
            key_count: Mutex::new(1),
            key_grace,
            kind: ProjectKind::Consumer,
            reuse: token::Reuse::default(),
            template: RwLock::new(None),
            rules: RwLock::new(ServerRules::default()),
        }
    }

    /// Applies these rules to request bodies ([`ServerRules::strict`] by default).
    pub fn with_rules(self, rules: ServerRules) -> Self {
        self.set_rules(rules);
        self
    }

    /// The rules applied to request bodies (cheap: the compiled rules are shared).
    pub fn rules(&self) -> ServerRules {
        self.rules.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Applies these rules from the next request on (the emulator's `PUT /_emulator/rules`).
    pub fn set_rules(&self, rules: ServerRules) {
        *self.rules.write().unwrap_or_else(|e| e.into_inner()) = rules;
    }

    /// Makes this a project of this kind: a B2B project publishes its JWKS at `/v1/b2b/sessions/jwks/{id}` only,
    /// a consumer project (the default) at `/v1/sessions/jwks/{id}` only.
    pub fn with_project_kind(mut self, kind: ProjectKind) -> Self {
        self.kind = kind;
        self
    }

    /// Consumer or B2B.
    pub fn project_kind(&self) -> ProjectKind {
        self.kind
    }

    /// Mints tokens with this `iss` instead of `stytch.com/{project_id}`, as a project reached through a custom
    /// domain does (Stytch then issues `https://{custom domain}`); the emulator's discovery documents name it too.
    /// Verifiers accept it only when told ([`TokenVerifierBuilder::issuer`]).
    ///
    /// [`TokenVerifierBuilder::issuer`]: stytch_m2m_core::auth::TokenVerifierBuilder::issuer
    pub fn with_issuer(mut self, issuer: impl Into<String>) -> Self {
        self.issuer = issuer.into();
        self
    }

    /// The `iss` of the tokens this project mints.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    fn lock(&self) -> MutexGuard<'_, Store> {
        // A panic elsewhere never leaves a half-applied change (changes are built first, then stored whole).
        self.store.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn env(&self) -> &'static str {
        if self.live { "live" } else { "test" }
    }

    /// The project id.
    pub fn project_id(&self) -> &str {
        &self.project_id
    }

    /// The project secret.
    pub fn project_secret(&self) -> &Secret {
        &self.project_secret
    }

    /// The clock.
    pub fn clock(&self) -> &MockClock {
        &self.clock
    }

    /// How many clients exist.
    pub fn client_count(&self) -> usize {
        self.lock().len()
    }

    /// Whether these are the project's credentials (constant time).
    pub fn check_project_credentials(&self, project_id: &str, secret: &str) -> bool {
        let id_ok = aws_lc_rs::constant_time::verify_slices_are_equal(
            project_id.as_bytes(),
            self.project_id.as_bytes(),
        )
        .is_ok();
        id_ok & self.project_secret.constant_time_eq(secret)
    }

    /// Whether `encoded` (a Basic header's credentials, still base64) is exactly the project's, as every SDK
    /// encodes them: the fast path of [`Engine::check_project_credentials`], in time that depends only on the
    /// lengths. `false` says only that the text differs (another encoding may still decode to the credentials).
    pub(crate) fn is_project_basic_credentials(&self, encoded: &[u8]) -> bool {
        aws_lc_rs::constant_time::verify_slices_are_equal(
            encoded,
            self.basic_credentials.expose_secret().as_bytes(),
        )
        .is_ok()
    }

    fn salt(&self) -> [u8; 16] {
        let mut salt = [0u8; 16];
        self.random.fill(&mut salt);
        salt
    }

    /// The whole state, to save it.
    #[doc(hidden)]
    pub fn snapshot(&self) -> Snapshot {
        let store = self.lock();
        let keys = self.keys.read().unwrap_or_else(|e| e.into_inner());
        let (clients, keys) = snapshot::save(&store, &keys);
        Snapshot {
            version: SNAPSHOT_VERSION,
            project_id: self.project_id.clone(),
            project_secret: self.project_secret.clone(),
            project_kind: self.kind.as_str().to_owned(),
            issuer: (self.issuer != default_issuer(&self.project_id)).then(|| self.issuer.clone()),
            clients,
            keys,
        }
    }

    /// Puts the clients and signing keys of `snapshot` (of this project) back in place of the current ones, all at
    /// once: the emulator undoes a change it could not save. Refuses a snapshot of another project or one it
    /// cannot trust whole, changing nothing.
    #[doc(hidden)]
    pub fn reset_to(&self, snapshot: &Snapshot) -> Result<(), String> {
        if snapshot.project_id != self.project_id {
            return Err(format!(
                "the snapshot belongs to project {}",
                snapshot.project_id
            ));
        }
        // What the engine cannot honour is refused, not ignored: another format, kind or issuer.
        if snapshot.version != SNAPSHOT_VERSION {
            return Err(format!(
                "state version {} is not {SNAPSHOT_VERSION}",
                snapshot.version
            ));
        }
        let kind = snapshot::kind_from_name(&snapshot.project_kind)?;
        if kind != self.project_kind() {
            return Err(format!(
                "the snapshot is of a {} project, this one is {}",
                kind.as_str(),
                self.project_kind().as_str()
            ));
        }
        let issuer = snapshot
            .issuer
            .clone()
            .unwrap_or_else(|| default_issuer(&snapshot.project_id));
        if issuer != self.issuer {
            return Err(format!(
                "the snapshot's tokens are issued by {issuer}, this project's by {}",
                self.issuer
            ));
        }
        let (store, keys) = snapshot::load(&snapshot.clients, &snapshot.keys)?;
        let mut current = self.lock();
        let mut current_keys = self.keys.write().unwrap_or_else(|e| e.into_inner());
        *self.key_count.lock().unwrap_or_else(|e| e.into_inner()) = 1 + keys.retired.len();
        *current = store;
        *current_keys = keys;
        Ok(())
    }

    /// An engine restored from a snapshot, on this clock. Refuses a snapshot it cannot trust whole.
    #[doc(hidden)]
    pub fn restore(
        snapshot: &Snapshot,
        clock: MockClock,
        key_grace: Duration,
    ) -> Result<Self, String> {
        if snapshot.version != SNAPSHOT_VERSION {
            return Err(format!(
                "state version {} is not {SNAPSHOT_VERSION}",
                snapshot.version
            ));
        }
        let (store, keys) = snapshot::load(&snapshot.clients, &snapshot.keys)?;
        let key_count = 1 + keys.retired.len();
        let kind = snapshot::kind_from_name(&snapshot.project_kind)?;
        Ok(Self {
            issuer: snapshot
                .issuer
                .clone()
                .unwrap_or_else(|| default_issuer(&snapshot.project_id)),
            basic_credentials: basic_credentials(&snapshot.project_id, &snapshot.project_secret),
            project_id: snapshot.project_id.clone(),
            project_secret: snapshot.project_secret.clone(),
            live: snapshot.project_id.starts_with("project-live-"),
            clock,
            random: Randomness::system(),
            deterministic: false.into(),
            key_seed: 0.into(),
            store: crate::padded::Padded(Mutex::new(store)),
            keys: RwLock::new(keys),
            key_count: Mutex::new(key_count),
            key_grace,
            kind,
            reuse: token::Reuse::default(),
            template: RwLock::new(None),
            rules: RwLock::new(ServerRules::default()),
        })
    }

    fn end_rotation(&self, client_id: &str, complete: bool) -> Result<M2mClient, Failure> {
        let mut store = self.lock();
        let mut record = store
            .get(client_id)
            .cloned()
            .ok_or_else(Failure::not_found)?;
        let Some((hash, last_four)) = record.next_secret.take() else {
            return Err(Failure::new(
                400,
                ErrorType::M2mClientNotRotatingSecret,
                "The M2M client is not rotating its secret: start a rotation first.",
            ));
        };
        if complete {
            record.secret = hash;
            record.secret_last_four = last_four;
        }
        record.rotation_started_at = None;
        let client = record.to_model();
        store.put(record);
        Ok(client)
    }
}

/// The client plus one secret field, built through JSON so that every field of the client (including ones added
/// to the schema later) is carried over.
fn with_secret<T: serde::de::DeserializeOwned>(
    client: M2mClient,
    field: &str,
    secret: &Secret,
) -> T {
    let mut value = serde_json::to_value(client).expect("a client serializes");
    value[field] = Value::String(secret.expose_secret().to_owned());
    serde_json::from_value(value).expect("a client with its secret deserializes")
}

fn with_next_client_secret(
    client: M2mClient,
    next_client_secret: Secret,
) -> M2mClientWithNextClientSecret {
    with_secret(client, "next_client_secret", &next_client_secret)
}

/// Stytch's own issuer for a project: `stytch.com/{project_id}`.
fn default_issuer(project_id: &str) -> String {
    format!("stytch.com/{project_id}")
}

/// `base64(project_id:project_secret)`, padded (RFC 7617).
fn basic_credentials(project_id: &str, project_secret: &Secret) -> Secret {
    use base64::Engine as _;
    Secret::new(
        base64::engine::general_purpose::STANDARD
            .encode(format!("{project_id}:{}", project_secret.expose_secret())),
    )
}
