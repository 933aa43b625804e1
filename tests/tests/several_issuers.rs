//! One verifier of several projects and issuers: each token is checked against the project its `iss` and `aud`
//! select, with that project's keys only; an unknown issuer is refused before any fetch.

use serde_json::json;
use stytch_m2m_core::auth::{AuthError, AuthenticateOptions, InvalidToken, TokenVerifier};
use stytch_m2m_mock::MockStytch;
use stytch_m2m_tests::{claims_for, frozen_mock, jwks_fetches, signed_token};

fn verifier_of(mocks: &[&MockStytch]) -> TokenVerifier {
    TokenVerifier::any_of(mocks.iter().map(|m| m.verifier())).unwrap()
}

#[tokio::test]
async fn tokens_of_each_project_are_accepted_and_say_which() {
    let (live, test) = (frozen_mock(), frozen_mock());
    let verifier = verifier_of(&[&live, &test]);
    for (mock, sub) in [(&live, "billing"), (&test, "reporting")] {
        let token = verifier
            .authenticate_token(&signed_token(mock, sub), &AuthenticateOptions::new())
            .await
            .unwrap();
        assert_eq!(token.client_id(), sub);
        assert_eq!(token.project_id(), mock.project_id());
        assert_eq!(token.issuer(), format!("stytch.com/{}", mock.project_id()));
    }
    // Each project's keys were fetched from its own JWKS, once.
    assert_eq!((jwks_fetches(&live), jwks_fetches(&test)), (1, 1));
    // The verified-token cache keeps which project accepted a token.
    let repeated = signed_token(&test, "reporting");
    for _ in 0..3 {
        let token = verifier
            .authenticate_token(&repeated, &AuthenticateOptions::new())
            .await
            .unwrap();
        assert_eq!(token.project_id(), test.project_id());
    }
}

#[tokio::test]
async fn an_unknown_issuer_is_refused_before_any_fetch() {
    let (a, b, stranger) = (frozen_mock(), frozen_mock(), frozen_mock());
    let verifier = verifier_of(&[&a, &b]);
    let e = verifier
        .authenticate_token(&signed_token(&stranger, "x"), &AuthenticateOptions::new())
        .await
        .unwrap_err();
    assert!(
        matches!(e, AuthError::Invalid(InvalidToken::Issuer)),
        "{e:?}"
    );
    assert_eq!(
        (jwks_fetches(&a), jwks_fetches(&b), jwks_fetches(&stranger)),
        (0, 0, 0)
    );
    // A configured issuer with an audience of none of its projects: refused as such, still before any fetch.
    let mut claims = claims_for(&a, "x");
    claims["aud"] = json!(["another-audience"]);
    let header = json!({"alg": "RS256", "kid": a.engine().current_kid(), "typ": "JWT"});
    let e = verifier
        .authenticate_token(&a.sign_jwt(&header, &claims), &AuthenticateOptions::new())
        .await
        .unwrap_err();
    assert!(
        matches!(e, AuthError::Invalid(InvalidToken::Audience)),
        "{e:?}"
    );
    assert_eq!(jwks_fetches(&a), 0);
}

#[tokio::test]
async fn a_key_of_one_project_never_admits_a_token_claiming_another() {
    let (a, b) = (frozen_mock(), frozen_mock());
    let verifier = verifier_of(&[&a, &b]);
    // Claims of project B, signed with A's key (A's kid in the header).
    let header = json!({"alg": "RS256", "kid": a.engine().current_kid(), "typ": "JWT"});
    let forged = a.sign_jwt(&header, &claims_for(&b, "intruder"));
    let e = verifier
        .authenticate_token(&forged, &AuthenticateOptions::new())
        .await
        .unwrap_err();
    assert!(
        matches!(e, AuthError::Invalid(InvalidToken::UnknownKey(_))),
        "{e:?}"
    );
    // B's keys were asked, never A's.
    assert_eq!((jwks_fetches(&a), jwks_fetches(&b)), (0, 1));
    // And A's genuine token still passes (A's keys fetched now).
    verifier
        .authenticate_token(&signed_token(&a, "billing"), &AuthenticateOptions::new())
        .await
        .unwrap();
}

#[tokio::test]
async fn each_project_has_its_own_audience_and_issuers() {
    let (a, b) = (frozen_mock(), frozen_mock());
    let verifier = TokenVerifier::any_of([
        a.verifier_builder()
            .audience("https://api.example.com")
            .issuer("https://login.example.com")
            .build()
            .unwrap(),
        b.verifier(),
    ])
    .unwrap();
    let mut claims = claims_for(&a, "svc");
    claims["aud"] = json!("https://api.example.com");
    claims["iss"] = json!("https://login.example.com");
    let header = json!({"alg": "RS256", "kid": a.engine().current_kid(), "typ": "JWT"});
    let token = verifier
        .authenticate_token(&a.sign_jwt(&header, &claims), &AuthenticateOptions::new())
        .await
        .unwrap();
    assert_eq!(token.issuer(), "https://login.example.com");
    assert_eq!(token.project_id(), a.project_id());
    // A's project id as audience is not A's configured audience: refused.
    let e = verifier
        .authenticate_token(&signed_token(&a, "svc"), &AuthenticateOptions::new())
        .await
        .unwrap_err();
    assert!(
        matches!(e, AuthError::Invalid(InvalidToken::Audience)),
        "{e:?}"
    );
    assert!(TokenVerifier::any_of([]).is_err());
}
