//! The token exchange and local authentication: scopes, custom claims, expiry, key rotation.

use super::*;

/// Token exchange: all scopes by default, a covered subset on request, refusals for the rest.
pub async fn token_exchange(t: &Target) {
    let c = t.client();
    let m = create_with_scopes(&c, &["read:users", "write:*"]).await;
    let token = c
        .token(&m.client_id, &m.client_secret, stytch_m2m_core::NO_SCOPES)
        .await
        .unwrap();
    assert_eq!(
        (token.token_type.as_str(), token.expires_in),
        ("bearer", 3600)
    );
    assert_eq!(token.access_token.expose_secret().split('.').count(), 3);
    let claims = payload(token.access_token.expose_secret());
    assert_eq!(claims["scope"], "read:users write:*");
    assert_eq!(claims["sub"], m.client_id.as_str());
    assert_eq!(claims["aud"], json!([t.project_id]));
    assert_eq!(claims["iss"], format!("stytch.com/{}", t.project_id));
    assert_eq!(
        claims["exp"].as_u64().unwrap() - claims["iat"].as_u64().unwrap(),
        3600
    );

    let narrowed = c
        .token(&m.client_id, &m.client_secret, &["write:books"])
        .await
        .unwrap();
    assert_eq!(
        payload(narrowed.access_token.expose_secret())["scope"],
        "write:books"
    );
    let refused = c
        .token(
            &m.client_id,
            &m.client_secret,
            &["read:users", "delete:users"],
        )
        .await;
    assert_eq!(api_error(refused), (400, ErrorType::InvalidScope));
    let wrong = c
        .token(
            &m.client_id,
            &Secret::new("wrong-secret-1"),
            stytch_m2m_core::NO_SCOPES,
        )
        .await;
    assert_eq!(api_error(wrong), (400, ErrorType::InvalidClient));
    let unknown = c
        .token(
            "m2m-client-test-nobody",
            &m.client_secret,
            stytch_m2m_core::NO_SCOPES,
        )
        .await;
    assert_eq!(api_error(unknown), (400, ErrorType::InvalidClient));
}

/// The JWT payload of a token, decoded without verification.
pub fn payload(jwt: &str) -> Value {
    use base64::Engine as _;
    let part = jwt.split('.').nth(1).expect("three parts");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part)
        .expect("base64url");
    serde_json::from_slice(&bytes).expect("JSON")
}

fn auth_error(
    result: Result<stytch_m2m_core::auth::AuthenticatedToken, stytch_m2m_core::auth::AuthError>,
) -> stytch_m2m_core::auth::AuthError {
    match result {
        Err(e) => e,
        other => panic!("expected an authentication error, got {other:?}"),
    }
}

/// Local authentication: scopes, custom claims, custom authorization, maximum age.
pub async fn authenticate_tokens(t: &Target) {
    use std::time::Duration;
    use stytch_m2m_core::auth::{AuthError, AuthenticateOptions};
    let c = t.client();
    let m = create_with_scopes(&c, &["read:users", "write:*", "admin"]).await;
    t.controls
        .engine()
        .set_custom_claims(
            &m.client_id,
            metadata(json!({"tenant": "acme", "tier": {"level": 2}})),
        )
        .unwrap();
    let token = c
        .token(&m.client_id, &m.client_secret, stytch_m2m_core::NO_SCOPES)
        .await
        .unwrap()
        .access_token;
    let jwt = token.expose_secret();

    let ok = c
        .authenticate_token(
            jwt,
            &AuthenticateOptions::new().required_scopes(["read:users", "write:books", "admin"]),
        )
        .await
        .unwrap();
    assert_eq!(ok.client_id(), m.client_id);
    assert_eq!(ok.scopes(), ["read:users", "write:*", "admin"]);
    assert_eq!(
        ok.custom_claims(),
        &metadata(json!({"tenant": "acme", "tier": {"level": 2}}))
    );
    // The same token again (from the verified-token cache) gives the same answer.
    assert_eq!(
        c.authenticate_token(jwt, &AuthenticateOptions::new())
            .await
            .unwrap(),
        ok
    );
    // A verifier without the project secret agrees.
    let verifier = t.verifier();
    let by_verifier = verifier
        .authenticate_token(
            jwt,
            &AuthenticateOptions::new().required_scopes(["read:users"]),
        )
        .await
        .unwrap();
    assert_eq!(by_verifier.client_id(), m.client_id);
    assert_eq!(by_verifier.custom_claims(), ok.custom_claims());

    let refused = c
        .authenticate_token(
            jwt,
            &AuthenticateOptions::new().required_scopes(["read:users", "delete:users", "read:*"]),
        )
        .await;
    match auth_error(refused) {
        AuthError::MissingScopes { missing, .. } => assert_eq!(missing, ["delete:users", "read:*"]),
        other => panic!("{other:?}"),
    }
    let custom = AuthenticateOptions::new()
        .required_scopes(["anything"])
        .authorize_with(|check| {
            check.has_scopes.iter().any(|s| s == "admin") && check.required_scopes == ["anything"]
        });
    assert!(c.authenticate_token(jwt, &custom).await.is_ok());
    let deny = AuthenticateOptions::new()
        .required_scopes(["read:users"])
        .authorize_with(|_| false);
    assert!(
        matches!(auth_error(c.authenticate_token(jwt, &deny).await), AuthError::MissingScopes { missing, .. } if missing == ["read:users"])
    );

    // Maximum age: now - iat >= max fails; 0 always fails.
    let young = AuthenticateOptions::new().max_token_age(Duration::from_secs(100));
    assert!(c.authenticate_token(jwt, &young).await.is_ok());
    let zero = AuthenticateOptions::new().max_token_age(Duration::ZERO);
    assert!(matches!(
        auth_error(c.authenticate_token(jwt, &zero).await),
        AuthError::TooOld {
            max_age_secs: 0,
            ..
        }
    ));
    t.controls.clock().advance(Duration::from_secs(100));
    assert!(matches!(
        auth_error(c.authenticate_token(jwt, &young).await),
        AuthError::TooOld {
            max_age_secs: 100,
            ..
        }
    ));

    // A narrowed token carries only what was asked.
    let narrow = c
        .token(&m.client_id, &m.client_secret, &["write:books"])
        .await
        .unwrap()
        .access_token;
    let narrow = c
        .authenticate_token(narrow.expose_secret(), &AuthenticateOptions::new())
        .await
        .unwrap();
    assert_eq!(narrow.scopes(), ["write:books"]);
    // A deactivated client gets no new token, but its tokens stay valid until they expire (Stytch's rule).
    c.clients()
        .update(
            &m.client_id,
            UpdateRequest::new().status(UpdateStatus::Inactive),
        )
        .await
        .unwrap();
    assert!(
        c.authenticate_token(jwt, &AuthenticateOptions::new())
            .await
            .is_ok()
    );
}

/// Tokens expire with the server's clock: valid to the last second, refused after, tolerance honoured.
pub async fn token_expiry_follows_the_clock(t: &Target) {
    use std::time::Duration;
    use stytch_m2m_core::auth::{AuthError, AuthenticateOptions, InvalidToken};
    // Each step below lands on a boundary to the second: a running clock could cross one between minting and
    // checking (it did, about one run in twenty under load), so time moves only when the scenario moves it.
    t.controls.clock().freeze();
    let c = t.client();
    let m = create_with_scopes(&c, &["read:users"]).await;
    let token = c
        .token(&m.client_id, &m.client_secret, stytch_m2m_core::NO_SCOPES)
        .await
        .unwrap()
        .access_token;
    let jwt = token.expose_secret();
    let exact = AuthenticateOptions::new().clock_tolerance(Duration::ZERO);
    let default = AuthenticateOptions::new();
    assert!(c.authenticate_token(jwt, &exact).await.is_ok());
    t.controls.clock().advance(Duration::from_secs(3599));
    assert!(c.authenticate_token(jwt, &exact).await.is_ok());
    t.controls.clock().advance(Duration::from_secs(1));
    assert!(matches!(
        auth_error(c.authenticate_token(jwt, &exact).await),
        AuthError::Invalid(InvalidToken::Expired)
    ));
    // The default tolerance (5 s) still accepts it, up to 5 s past `exp`.
    assert!(c.authenticate_token(jwt, &default).await.is_ok());
    t.controls.clock().advance(Duration::from_secs(4));
    assert!(c.authenticate_token(jwt, &default).await.is_ok());
    t.controls.clock().advance(Duration::from_secs(1));
    assert!(matches!(
        auth_error(c.authenticate_token(jwt, &default).await),
        AuthError::Invalid(InvalidToken::Expired)
    ));
    let lenient = AuthenticateOptions::new().clock_tolerance(Duration::from_secs(30));
    assert!(c.authenticate_token(jwt, &lenient).await.is_ok());
    // A fresh client (no cache) agrees.
    let fresh = t.client();
    assert!(matches!(
        auth_error(fresh.authenticate_token(jwt, &exact).await),
        AuthError::Invalid(InvalidToken::Expired)
    ));
}

/// Signing keys rotate: new tokens use the new kid (one JWKS refetch), old tokens verify during the grace period
/// and are refused once their key left the JWKS.
pub async fn signing_key_rotation(t: &Target) {
    use std::time::Duration;
    use stytch_m2m_core::auth::{AuthError, AuthenticateOptions, InvalidToken, JwksPolicy};
    // Nothing cached past one call: every authentication asks the JWKS again.
    let c = t.client_with_jwks(
        JwksPolicy::default()
            .with_ttl(Duration::ZERO)
            .with_ttl_bounds(Duration::ZERO, Duration::ZERO)
            .with_max_stale(Duration::ZERO)
            .with_cooldown(Duration::ZERO),
    );
    let m = create_with_scopes(&c, &["read:users"]).await;
    let old = c
        .token(&m.client_id, &m.client_secret, stytch_m2m_core::NO_SCOPES)
        .await
        .unwrap()
        .access_token;
    let options = AuthenticateOptions::new();
    assert!(
        c.authenticate_token(old.expose_secret(), &options)
            .await
            .is_ok()
    );

    let new_kid = t.controls.rotate_signing_key();
    let new = c
        .token(&m.client_id, &m.client_secret, stytch_m2m_core::NO_SCOPES)
        .await
        .unwrap()
        .access_token;
    assert!(new.expose_secret().starts_with(&old.expose_secret()[..2]));
    assert!(
        c.authenticate_token(new.expose_secret(), &options)
            .await
            .is_ok(),
        "the new kid is fetched"
    );
    assert!(
        c.authenticate_token(old.expose_secret(), &options)
            .await
            .is_ok(),
        "the old key is still published"
    );

    t.controls
        .clock()
        .advance(crate::KEY_GRACE + Duration::from_secs(1));
    match auth_error(c.authenticate_token(old.expose_secret(), &options).await) {
        AuthError::Invalid(InvalidToken::UnknownKey(kid)) => assert_ne!(kid, new_kid),
        other => panic!("{other:?}"),
    }
    assert!(
        c.authenticate_token(new.expose_secret(), &options)
            .await
            .is_ok()
    );
}
