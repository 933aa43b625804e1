//! Distinct tokens of a frozen project and what a bare RS256 verification of each needs (the key parsed once, the
//! signing input and the decoded signature): what the benchmarks and the profile measure the SDK against.

use aws_lc_rs::rsa::PublicKeyComponents;
use aws_lc_rs::signature::{ParsedPublicKey, RSA_PKCS1_2048_8192_SHA256};
use base64::Engine as _;
use serde_json::{Value, json};
use stytch_m2m_mock::{MockClock, MockStytch};

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// `n` tokens of one project, each for its own client, and the bare verification's inputs.
pub struct SignedTokens {
    /// The project, its clock frozen at the tokens' issue time.
    pub mock: MockStytch,
    /// The tokens (scopes `read:users write:users`, one hour).
    pub tokens: Vec<String>,
    /// The project's current key, parsed as aws-lc-rs parses it once.
    pub key: ParsedPublicKey,
    /// Per token: the signing input and the decoded signature.
    pub split: Vec<(Vec<u8>, Vec<u8>)>,
    header: Value,
    now: u64,
}

impl SignedTokens {
    /// Signs `n` distinct tokens (`sub` = `m2m-client-test-{i:08}`) with a new frozen project's key.
    pub fn new(n: usize) -> Self {
        let now = MockClock::system().now_unix();
        let mock = MockStytch::builder()
            .clock(MockClock::frozen_at_unix(now))
            .build();
        let header = json!({"alg": "RS256", "kid": mock.engine().current_kid(), "typ": "JWT"});
        let mut signed = Self {
            key: parse(&mock),
            mock,
            tokens: Vec::new(),
            split: Vec::new(),
            header,
            now,
        };
        signed.tokens = (0..n)
            .map(|i| signed.sign(&format!("m2m-client-test-{i:08}")))
            .collect();
        signed.split = signed
            .tokens
            .iter()
            .map(|t| {
                let dot = t.rfind('.').expect("a compact JWS");
                let signature = B64.decode(&t[dot + 1..]).expect("base64url");
                (t.as_bytes()[..dot].to_vec(), signature)
            })
            .collect();
        signed
    }

    /// One more token of the project, for `sub`, with the same claims.
    pub fn sign(&self, sub: &str) -> String {
        let pid = self.mock.project_id();
        let claims = json!({"sub": sub, "iss": format!("stytch.com/{pid}"), "aud": [pid],
                            "scope": "read:users write:users", "iat": self.now, "nbf": self.now,
                            "exp": self.now + 3600});
        self.mock.sign_jwt(&self.header, &claims)
    }
}

/// The mock's current public key, parsed once.
fn parse(mock: &MockStytch) -> ParsedPublicKey {
    let jwk = mock.engine().jwks().remove(0);
    PublicKeyComponents {
        n: B64.decode(&jwk.n).expect("base64url"),
        e: B64.decode(&jwk.e).expect("base64url"),
    }
    .to_parsed_public_key(&RSA_PKCS1_2048_8192_SHA256)
    .expect("an RSA key")
}
