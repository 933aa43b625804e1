//! The engine: the state and the rules of Stytch's M2M API, with no HTTP in it.
//!
//! Every method takes and returns the generated models and answers a [`Failure`] (status, `error_type`, message)
//! where Stytch answers an error. The wire layer ([`crate::wire`]) puts both in Stytch's JSON shapes; the emulator
//! serves the same engine over a socket.

mod failure;
mod keys;
mod secret_hash;
mod snapshot;
mod store;
mod template;
mod token;

use std::sync::{Mutex, MutexGuard, RwLock};
use std::time::Duration;

use base64::Engine as _;
use serde_json::{Map, Value};
use stytch_m2m_core::auth::ProjectKind;
use stytch_m2m_core::auth::scopes;
use stytch_m2m_core::models::{
    CreateRequest, ErrorType, Jwk, M2mClient, M2mClientWithClientSecret,
    M2mClientWithNextClientSecret, ResultsMetadata, SearchRequest, Secret, UpdateRequest,
    UpdateStatus,
};
use stytch_m2m_core::validate;

pub use failure::Failure;
pub use snapshot::{SNAPSHOT_VERSION, SavedClient, SavedKey, Snapshot};
pub use template::{JwtTemplate, MAX_TEMPLATE_BYTES};
pub use token::TOKEN_LIFETIME_SECS;

use crate::clock::MockClock;
use crate::random::Randomness;
use keys::{KeyRing, SigningKey};
use secret_hash::SecretHash;
use store::{Record, Store};

/// The default page size of search (Stytch: 100).
pub const DEFAULT_SEARCH_LIMIT: u32 = 100;

/// How long a retired signing key stays in the JWKS, by default.
pub const DEFAULT_KEY_GRACE: Duration = Duration::from_secs(3600);

/// A successful token exchange.
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
    live: bool,
    clock: MockClock,
    random: Randomness,
    deterministic: std::sync::atomic::AtomicBool,
    /// The index of the first fixed key in deterministic mode; later keys follow it in turn.
    key_seed: std::sync::atomic::AtomicUsize,
    store: Mutex<Store>,
    keys: RwLock<KeyRing>,
    key_count: Mutex<usize>,
    key_grace: Duration,
    kind: ProjectKind,
    reuse: token::Reuse,
    template: RwLock<Option<JwtTemplate>>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("project_id", &self.project_id)
            .field("project_secret", &self.project_secret)
            .field("clients", &self.lock().len())
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
            project_id,
            project_secret,
            live,
            clock,
            random,
            deterministic: deterministic.into(),
            key_seed: (seed.unwrap_or(0) as usize).into(),
            store: Mutex::new(Store::default()),
            keys: RwLock::new(KeyRing {
                current: first,
                retired: Vec::new(),
            }),
            key_count: Mutex::new(1),
            key_grace,
            kind: ProjectKind::Consumer,
            reuse: token::Reuse::default(),
            template: RwLock::new(None),
        }
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

    /// A fresh `request-id-test-<uuid>`.
    pub fn request_id(&self) -> String {
        format!("request-id-{}-{}", self.env(), self.random.uuid())
    }

    fn salt(&self) -> [u8; 16] {
        let mut salt = [0u8; 16];
        self.random.fill(&mut salt);
        salt
    }

    /// The whole state, to save it.
    pub fn snapshot(&self) -> Snapshot {
        let store = self.lock();
        let keys = self.keys.read().unwrap_or_else(|e| e.into_inner());
        let (clients, keys) = snapshot::save(&store, &keys);
        Snapshot {
            version: SNAPSHOT_VERSION,
            project_id: self.project_id.clone(),
            project_secret: self.project_secret.clone(),
            clients,
            keys,
        }
    }

    /// Puts the clients and signing keys of `snapshot` (of this project) back in place of the current ones, all at
    /// once: the emulator undoes a change it could not save. Refuses a snapshot of another project or one it
    /// cannot trust whole, changing nothing.
    pub fn reset_to(&self, snapshot: &Snapshot) -> Result<(), String> {
        if snapshot.project_id != self.project_id {
            return Err(format!(
                "the snapshot belongs to project {}",
                snapshot.project_id
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
        Ok(Self {
            project_id: snapshot.project_id.clone(),
            project_secret: snapshot.project_secret.clone(),
            live: snapshot.project_id.starts_with("project-live-"),
            clock,
            random: Randomness::system(),
            deterministic: false.into(),
            key_seed: 0.into(),
            store: Mutex::new(store),
            keys: RwLock::new(keys),
            key_count: Mutex::new(key_count),
            key_grace,
            kind: ProjectKind::Consumer,
            reuse: token::Reuse::default(),
            template: RwLock::new(None),
        })
    }

    /// Creates (or imports) a client.
    pub fn create(&self, request: CreateRequest) -> Result<M2mClientWithClientSecret, Failure> {
        validate::create_request(&request)?;
        // The emulator's policy: `.` and `..` would be path segments no HTTP client can address.
        if matches!(request.client_id.as_deref(), Some("." | "..")) {
            return Err(Failure::new(
                400,
                ErrorType::M2mClientInvalidClientId,
                "client_id cannot be `.` or `..`.",
            ));
        }
        let client_id = match request.client_id {
            Some(id) => id,
            None => format!("m2m-client-{}-{}", self.env(), self.random.uuid()),
        };
        let secret = request
            .client_secret
            .unwrap_or_else(|| Secret::new(self.random.secret()));
        let salt = self.salt();
        let created_at = self.clock.now_rfc3339();
        let mut store = self.lock();
        if store.contains(&client_id) {
            return Err(Failure::new(
                400,
                ErrorType::DuplicateM2mClientId,
                "An M2M client with this client_id already exists in the project.",
            ));
        }
        let record = Record {
            seq: store.next_seq(),
            client_id,
            client_name: request.client_name.unwrap_or_default(),
            client_description: request.client_description.unwrap_or_default(),
            active: true,
            scopes: request.scopes,
            trusted_metadata: request.trusted_metadata,
            secret: SecretHash::new(secret.expose_secret(), salt),
            secret_last_four: secret.last_four().to_owned(),
            next_secret: None,
            created_at,
            rotation_started_at: None,
            custom_claims: Map::new(),
        };
        let client = record.to_model();
        store.put(record);
        drop(store);
        Ok(with_client_secret(client, secret))
    }

    /// Gets a client.
    pub fn get(&self, client_id: &str) -> Result<M2mClient, Failure> {
        self.lock()
            .get(client_id)
            .map(Record::to_model)
            .ok_or_else(Failure::not_found)
    }

    /// One page of the clients matching a search, in creation order.
    ///
    /// `limit` absent or 0 means the default of 100 (go cannot send 0: it omits it); the cursor is opaque.
    pub fn search(
        &self,
        request: &SearchRequest,
    ) -> Result<(Vec<M2mClient>, ResultsMetadata), Failure> {
        validate::search_request(request)?;
        let limit = match request.limit {
            None | Some(0) => DEFAULT_SEARCH_LIMIT,
            Some(n) => n,
        } as usize;
        let after = match request.cursor.as_deref() {
            None | Some("") => None,
            Some(cursor) => Some(
                decode_cursor(cursor)
                    .ok_or_else(|| Failure::bad_request("The cursor is invalid."))?,
            ),
        };
        let store = self.lock();
        let matches = store.matching(request.query.as_ref());
        let total = i32::try_from(matches.len()).unwrap_or(i32::MAX);
        let mut seqs = matches.after(after);
        let page: Vec<u64> = seqs.by_ref().take(limit).collect();
        let more = seqs.next().is_some();
        let clients = page
            .iter()
            .filter_map(|seq| store.by_seq(*seq))
            .map(Record::to_model)
            .collect();
        let next_cursor = more
            .then(|| page.last().map(|last| encode_cursor(*last)))
            .flatten();
        let metadata = ResultsMetadata::builder()
            .total(total)
            .next_cursor(next_cursor)
            .try_into()
            .expect("total is the only required field");
        Ok((clients, metadata))
    }

    /// Updates a client. Given fields replace the stored ones; `trusted_metadata` merges at the top level (a
    /// `null` value deletes the key); empty `scopes` or metadata mean no change. All or nothing.
    pub fn update(&self, client_id: &str, request: UpdateRequest) -> Result<M2mClient, Failure> {
        validate::update_request(client_id, &request)?;
        let mut store = self.lock();
        let mut record = store
            .get(client_id)
            .cloned()
            .ok_or_else(Failure::not_found)?;
        if let Some(name) = request.client_name {
            record.client_name = name;
        }
        if let Some(description) = request.client_description {
            record.client_description = description;
        }
        if let Some(status) = request.status {
            record.active = status == UpdateStatus::Active;
        }
        if !request.scopes.is_empty() {
            record.scopes = request.scopes;
        }
        for (key, value) in request.trusted_metadata {
            if value.is_null() {
                record.trusted_metadata.remove(&key);
            } else {
                record.trusted_metadata.insert(key, value);
            }
        }
        validate::trusted_metadata(&record.trusted_metadata)?;
        let client = record.to_model();
        store.put(record);
        Ok(client)
    }

    /// Deletes a client.
    pub fn delete(&self, client_id: &str) -> Result<(), Failure> {
        validate::client_id_argument(client_id)?;
        self.lock()
            .remove(client_id)
            .map(|_| ())
            .ok_or_else(Failure::not_found)
    }

    /// Starts a secret rotation: a new secret, shown once; both work until the rotation ends.
    pub fn rotate_start(&self, client_id: &str) -> Result<M2mClientWithNextClientSecret, Failure> {
        let next = Secret::new(self.random.secret());
        let salt = self.salt();
        let now = self.clock.now_rfc3339();
        let mut store = self.lock();
        let mut record = store
            .get(client_id)
            .cloned()
            .ok_or_else(Failure::not_found)?;
        if record.next_secret.is_some() {
            return Err(Failure::new(
                400,
                ErrorType::M2mClientAlreadyRotatingSecret,
                "The M2M client is already rotating its secret: complete or cancel that rotation first.",
            ));
        }
        record.next_secret = Some((
            SecretHash::new(next.expose_secret(), salt),
            next.last_four().to_owned(),
        ));
        record.rotation_started_at = Some(now);
        let client = record.to_model();
        store.put(record);
        drop(store);
        Ok(with_next_client_secret(client, next))
    }

    /// Cancels a rotation: the next secret is discarded.
    pub fn rotate_cancel(&self, client_id: &str) -> Result<M2mClient, Failure> {
        self.end_rotation(client_id, false)
    }

    /// Completes a rotation: the next secret becomes the secret; the old one stops working.
    pub fn rotate(&self, client_id: &str) -> Result<M2mClient, Failure> {
        self.end_rotation(client_id, true)
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

    /// The client-credentials exchange. `scopes` `None` (or empty) asks for every scope of the client; otherwise
    /// each requested scope must be covered by the client's scopes under the default authorization rules (so a
    /// client with `read:*` may ask for `read:users`). Errors are OAuth2's, all 400:
    /// `invalid_client` (unknown client or wrong secret), `unauthorized_client` (inactive), `invalid_scope`.
    pub fn token(
        &self,
        client_id: &str,
        client_secret: &str,
        requested: Option<Vec<String>>,
    ) -> Result<Grant, Failure> {
        self.token_with(client_id, client_secret, requested, &Map::new())
    }

    /// The M2M JWT template in force, if any.
    pub fn jwt_template(&self) -> Option<JwtTemplate> {
        self.template
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Sets (or with `None` removes) the M2M JWT template that fills custom claims of new tokens.
    pub fn set_jwt_template(&self, template: Option<JwtTemplate>) {
        *self.template.write().unwrap_or_else(|e| e.into_inner()) = template;
    }

    /// Like [`Engine::token`], with the request's extra parameters, which the JWT template may use
    /// (`{{ request.x }}`).
    pub fn token_with(
        &self,
        client_id: &str,
        client_secret: &str,
        requested: Option<Vec<String>>,
        params: &Map<String, Value>,
    ) -> Result<Grant, Failure> {
        let invalid_client = || {
            Failure::new(
                400,
                ErrorType::InvalidClient,
                "The client credentials are invalid.",
            )
        };
        let (scopes_granted, custom) = {
            let store = self.lock();
            let record = store.get(client_id).ok_or_else(invalid_client)?;
            let current = record.secret.matches(client_secret);
            let next = record
                .next_secret
                .as_ref()
                .is_some_and(|(h, _)| h.matches(client_secret));
            if !(current | next) {
                return Err(invalid_client());
            }
            if !record.active {
                return Err(Failure::new(
                    400,
                    ErrorType::UnauthorizedClient,
                    "The M2M client is inactive.",
                ));
            }
            let granted = match requested.filter(|r| !r.is_empty()) {
                None => record.scopes.clone(),
                Some(requested) => {
                    let missing = scopes::missing(&record.scopes, &requested);
                    if !missing.is_empty() {
                        return Err(Failure::new(
                            400,
                            ErrorType::InvalidScope,
                            format!(
                                "The client is not assigned these scopes: {}.",
                                missing.join(" ")
                            ),
                        ));
                    }
                    requested
                }
            };
            let mut custom = record.custom_claims.clone();
            let template = self.jwt_template();
            if let Some(template) = &template {
                custom.extend(template.render(params, &record.trusted_metadata)?);
            }
            (
                granted,
                (
                    custom,
                    template.and_then(|t| t.audience().map(str::to_owned)),
                ),
            )
        };
        let (custom, audience) = custom;
        let keys = self.keys.read().unwrap_or_else(|e| e.into_inner());
        let jwt = token::mint(
            &keys.current,
            &token::Claims {
                project_id: &self.project_id,
                client_id,
                scopes: &scopes_granted,
                issued_at: self.clock.now_unix(),
                custom: &custom,
                audience: audience.as_deref(),
            },
            &self.reuse,
        );
        Ok(Grant {
            access_token: Secret::new(jwt),
            expires_in: TOKEN_LIFETIME_SECS,
        })
    }

    /// Sets the custom claims of the client's future tokens: a stand-in for Stytch's JWT templates (which build
    /// custom claims from trusted metadata). Registered claims (`sub`, `iss`, `aud`, `scope`, `iat`, `nbf`, `exp`)
    /// cannot be overridden.
    pub fn set_custom_claims(
        &self,
        client_id: &str,
        claims: Map<String, Value>,
    ) -> Result<(), Failure> {
        let mut store = self.lock();
        let mut record = store
            .get(client_id)
            .cloned()
            .ok_or_else(Failure::not_found)?;
        record.custom_claims = claims;
        store.put(record);
        Ok(())
    }

    /// Signs any header and claims with the current key (see `MockStytch::sign_jwt`).
    pub fn sign_jwt(&self, header: &Value, claims: &Value) -> String {
        let keys = self.keys.read().unwrap_or_else(|e| e.into_inner());
        token::sign(&keys.current, header, claims)
    }

    /// Signs any bytes as header and payload with the current key (see `MockStytch::sign_jwt_bytes`).
    pub fn sign_jwt_bytes(&self, header: &[u8], claims: &[u8]) -> String {
        let keys = self.keys.read().unwrap_or_else(|e| e.into_inner());
        token::sign_bytes(&keys.current, header, claims)
    }

    /// The published public keys: the current one and retired ones still in their grace period.
    pub fn jwks(&self) -> Vec<Jwk> {
        let keys = self.keys.read().unwrap_or_else(|e| e.into_inner());
        let grace = u64::try_from(self.key_grace.as_millis()).unwrap_or(u64::MAX);
        keys.published(self.clock.now_millis(), grace)
            .map(|k| k.jwk().clone())
            .collect()
    }

    /// The `kid` of the key that signs new tokens.
    pub fn current_kid(&self) -> String {
        self.keys
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .current
            .kid
            .clone()
    }

    /// Switches deterministic mode on (ids, secrets and request ids from `seed`, signing keys from the fixed test
    /// keys) or off, for what is created from now on; the signing key is replaced at once (no grace period), so
    /// call it before minting tokens. Returns the new `kid`.
    pub fn reseed(&self, seed: Option<u64>) -> String {
        use std::sync::atomic::Ordering::SeqCst;
        self.random.reseed(seed);
        self.deterministic.store(seed.is_some(), SeqCst);
        let index = seed.unwrap_or(0) as usize;
        self.key_seed.store(index, SeqCst);
        let kid = format!("jwk-{}-{}", self.env(), self.random.uuid());
        let key = match seed {
            Some(_) => SigningKey::fixed(kid.clone(), index),
            None => SigningKey::generate(kid.clone()),
        };
        *self.key_count.lock().unwrap_or_else(|e| e.into_inner()) = 1;
        let mut keys = self.keys.write().unwrap_or_else(|e| e.into_inner());
        keys.current = key;
        keys.retired.clear();
        kid
    }

    /// Makes this key (PKCS#8 DER of an RSA key) the signing key in place of the current one, which is not kept
    /// (for a project seeded with a known key, before any token exists). Refuses a key that is not RSA.
    pub fn use_signing_key(
        &self,
        kid: impl Into<String>,
        pkcs8_der: Vec<u8>,
    ) -> Result<(), String> {
        let key = SigningKey::from_pkcs8(kid.into(), pkcs8_der)?;
        let mut keys = self.keys.write().unwrap_or_else(|e| e.into_inner());
        keys.current = key;
        keys.retired.clear();
        Ok(())
    }

    /// Rotates the signing key: new tokens get a new `kid`; the old key stays in the JWKS for the grace period
    /// (then tokens it signed no longer verify). Returns the new `kid`.
    pub fn rotate_signing_key(&self) -> String {
        let kid = format!("jwk-{}-{}", self.env(), self.random.uuid());
        let next = if self.deterministic.load(std::sync::atomic::Ordering::SeqCst) {
            let mut count = self.key_count.lock().unwrap_or_else(|e| e.into_inner());
            // The next fixed key after the current one (never the same key under a new kid).
            let next = self
                .key_seed
                .load(std::sync::atomic::Ordering::SeqCst)
                .wrapping_add(*count);
            *count += 1;
            SigningKey::fixed(kid.clone(), next)
        } else {
            SigningKey::generate(kid.clone())
        };
        let grace = u64::try_from(self.key_grace.as_millis()).unwrap_or(u64::MAX);
        self.keys.write().unwrap_or_else(|e| e.into_inner()).rotate(
            next,
            self.clock.now_millis(),
            grace,
        );
        kid
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

fn with_client_secret(client: M2mClient, client_secret: Secret) -> M2mClientWithClientSecret {
    with_secret(client, "client_secret", &client_secret)
}

fn with_next_client_secret(
    client: M2mClient,
    next_client_secret: Secret,
) -> M2mClientWithNextClientSecret {
    with_secret(client, "next_client_secret", &next_client_secret)
}

const CURSOR_PREFIX: &str = "after:";

fn encode_cursor(seq: u64) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{CURSOR_PREFIX}{seq}"))
}

fn decode_cursor(cursor: &str) -> Option<u64> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()?;
    std::str::from_utf8(&bytes)
        .ok()?
        .strip_prefix(CURSOR_PREFIX)?
        .parse()
        .ok()
}
