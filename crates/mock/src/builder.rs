//! [`MockBuilder`]: project id, secret, deterministic mode, clock, key grace period, project kind, journal.

use std::time::Duration;

use stytch_m2m_core::models::Secret;

use crate::engine::ServerRules;
use crate::{Engine, JournalLimits, MockClock, MockStytch, engine, random};

/// Builds a [`MockStytch`]; see [`MockStytch::builder`].
#[derive(Debug, Default)]
#[must_use]
pub struct MockBuilder {
    project_id: Option<String>,
    secret: Option<Secret>,
    seed: Option<u64>,
    clock: Option<MockClock>,
    key_grace: Option<Duration>,
    kind: stytch_m2m_core::auth::ProjectKind,
    issuer: Option<String>,
    journal: JournalLimits,
    rules: Option<ServerRules>,
}

impl MockBuilder {
    /// Consumer (default) or B2B: a B2B project serves its JWKS at `/v1/b2b/sessions/jwks/{project_id}` and
    /// answers 404 on the consumer path (and the other way round), so a verifier set to the wrong kind fails.
    ///
    /// ```
    /// # mod stytch_m2m { pub use stytch_m2m_core::*; pub use stytch_m2m_mock as mock; }
    /// use stytch_m2m::auth::ProjectKind;
    /// use stytch_m2m::mock::MockStytch;
    ///
    /// let mock = MockStytch::builder().project_kind(ProjectKind::B2b).build();
    /// assert!(mock.verifier().jwks_url().contains("/v1/b2b/sessions/jwks/"));
    /// ```
    pub fn project_kind(mut self, kind: stytch_m2m_core::auth::ProjectKind) -> Self {
        self.kind = kind;
        self
    }

    /// Mints tokens with this `iss`, as a project behind a custom domain (default: `stytch.com/{project_id}`).
    /// The mock's own [`verifier`](MockStytch::verifier) and [`client`](MockStytch::client) accept it; any other
    /// verifier must be told with `TokenVerifierBuilder::issuer`.
    ///
    /// ```
    /// # mod stytch_m2m { pub use stytch_m2m_core::*; pub use stytch_m2m_mock as mock; }
    /// use stytch_m2m::mock::MockStytch;
    ///
    /// let mock = MockStytch::builder().issuer("https://login.example.com").build();
    /// assert_eq!(mock.engine().issuer(), "https://login.example.com");
    /// ```
    pub fn issuer(mut self, issuer: impl Into<String>) -> Self {
        self.issuer = Some(issuer.into());
        self
    }

    /// Uses this project id (default: a new `project-test-<uuid>`; `project-live-…` makes live ids).
    pub fn project_id(mut self, project_id: impl Into<String>) -> Self {
        self.project_id = Some(project_id.into());
        self
    }

    /// Uses this project secret (default: a new random one).
    pub fn secret(mut self, secret: impl Into<Secret>) -> Self {
        self.secret = Some(secret.into());
        self
    }

    /// Deterministic mode: ids, secrets, request ids and signing keys follow from `seed`, so snapshots are stable.
    /// Pair it with [`MockClock::frozen_at_unix`] for stable timestamps and tokens.
    ///
    /// ```
    /// # mod stytch_m2m { pub use stytch_m2m_core::*; pub use stytch_m2m_mock as mock; }
    /// use stytch_m2m::mock::{MockClock, MockStytch};
    ///
    /// let a = MockStytch::builder().deterministic(7).clock(MockClock::frozen_at_unix(1_700_000_000)).build();
    /// let b = MockStytch::builder().deterministic(7).clock(MockClock::frozen_at_unix(1_700_000_000)).build();
    /// assert_eq!(a.project_id(), b.project_id());
    /// assert_eq!(a.engine().current_kid(), b.engine().current_kid());
    /// ```
    pub fn deterministic(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }

    /// Uses this clock (default: the system clock).
    pub fn clock(mut self, clock: MockClock) -> Self {
        self.clock = Some(clock);
        self
    }

    /// How long a retired signing key stays in the JWKS (default one hour).
    pub fn key_grace(mut self, grace: Duration) -> Self {
        self.key_grace = Some(grace);
        self
    }

    /// Keeps at most this much of the request journal (default 10 000 requests, 16 MiB).
    pub fn journal(mut self, limits: JournalLimits) -> Self {
        self.journal = limits;
        self
    }

    /// The rules applied to request bodies: [`ServerRules::strict`] (the default: Stytch's rules and the emulator's
    /// documented guesses) or [`ServerRules::lenient`] (Stytch's rules only).
    ///
    /// ```
    /// # mod stytch_m2m { pub use stytch_m2m_core::*; pub use stytch_m2m_mock as mock; }
    /// use stytch_m2m::mock::MockStytch;
    /// use stytch_m2m::models::CreateRequest;
    /// use stytch_m2m::mock::ServerRules;
    ///
    /// let mock = MockStytch::builder().rules(ServerRules::lenient()).build();
    /// // 150 scopes: past the emulator's guess of 100, but Stytch documents no bound.
    /// let many = CreateRequest::new((0..150).map(|i| format!("scope:{i}")));
    /// assert!(mock.seed_client(many.clone()).is_ok());
    /// assert!(MockStytch::new().seed_client(many).is_err());
    /// ```
    pub fn rules(mut self, rules: ServerRules) -> Self {
        self.rules = Some(rules);
        self
    }

    /// Builds the mock.
    pub fn build(self) -> MockStytch {
        let random = match self.seed {
            Some(seed) => random::Randomness::seeded(seed ^ 0x5eed_5eed),
            None => random::Randomness::system(),
        };
        let project_id = self
            .project_id
            .unwrap_or_else(|| format!("project-test-{}", random.uuid()));
        let env = if project_id.starts_with("project-live-") {
            "live"
        } else {
            "test"
        };
        let secret = self
            .secret
            .unwrap_or_else(|| Secret::new(format!("secret-{env}-{}", random.secret())));
        let engine = Engine::new(
            project_id,
            secret,
            self.clock.unwrap_or_default(),
            self.seed,
            self.key_grace.unwrap_or(engine::DEFAULT_KEY_GRACE),
        )
        .with_project_kind(self.kind)
        .with_rules(self.rules.unwrap_or_default());
        let engine = match self.issuer {
            Some(issuer) => engine.with_issuer(issuer),
            None => engine,
        };
        MockStytch::with_journal(engine, self.journal)
    }
}
