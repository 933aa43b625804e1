//! Every forged, tampered or out-of-date token is refused with the right error.

use std::time::Duration;

use base64::Engine as _;
use serde_json::{Value, json};
use stytch_m2m_core::auth::{AuthError, AuthenticateOptions, InvalidToken};
use stytch_m2m_mock::{MockClock, MockStytch};

mod forge;
use forge::*;

#[tokio::test]
async fn forged_and_broken_tokens_are_refused() {
    let s = setup().await;
    assert!(
        s.client
            .authenticate_token(&s.good, &AuthenticateOptions::new())
            .await
            .is_ok()
    );
    let parts: Vec<&str> = s.good.split('.').collect();

    // alg none, no signature.
    let none = format!(
        "{}.{}.",
        encode(&json!({"alg": "none", "typ": "JWT"})),
        encode(&claims(&s))
    );
    assert_eq!(
        refusal(&s, &none).await.to_string(),
        "invalid token: unsupported algorithm \"none\" (only RS256)"
    );

    // HS256 signed with the RSA public key (as its JWK JSON and as the raw modulus) as the HMAC secret.
    let jwk = serde_json::to_vec(&s.mock.engine().jwks()[0]).unwrap();
    let modulus = B64.decode(&s.mock.engine().jwks()[0].n).unwrap();
    for secret in [jwk, modulus] {
        let input = format!(
            "{}.{}",
            encode(&with(header(&s), "alg", json!("HS256"))),
            encode(&claims(&s))
        );
        let key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, &secret);
        let tag = aws_lc_rs::hmac::sign(&key, input.as_bytes());
        let hs = format!("{input}.{}", B64.encode(tag.as_ref()));
        assert!(
            matches!(refusal(&s, &hs).await, AuthError::Invalid(InvalidToken::UnsupportedAlgorithm(a)) if a == "HS256")
        );
    }

    // An unknown kid.
    let unknown = s.mock.sign_jwt(
        &with(header(&s), "kid", json!("jwk-test-unknown")),
        &claims(&s),
    );
    assert!(
        matches!(refusal(&s, &unknown).await, AuthError::Invalid(InvalidToken::UnknownKey(k)) if k == "jwk-test-unknown")
    );
    // No kid.
    let no_kid = s
        .mock
        .sign_jwt(&with(header(&s), "kid", Value::Null), &claims(&s));
    assert!(matches!(
        refusal(&s, &no_kid).await,
        AuthError::Invalid(InvalidToken::MissingClaim("kid"))
    ));

    // The payload changed after signing (scope widened).
    let widened = with(claims(&s), "scope", json!("read:users admin"));
    let tampered = format!("{}.{}.{}", parts[0], encode(&widened), parts[2]);
    assert!(matches!(
        refusal(&s, &tampered).await,
        AuthError::Invalid(InvalidToken::Signature)
    ));

    // A signature from another key, under this project's kid.
    let other = MockStytch::builder()
        .clock(MockClock::frozen_at_unix(NOW))
        .build();
    let foreign = other.sign_jwt(&header(&s), &claims(&s));
    assert!(matches!(
        refusal(&s, &foreign).await,
        AuthError::Invalid(InvalidToken::Signature)
    ));

    let signed = |c: Value| s.mock.sign_jwt(&header(&s), &c);
    let cases: Vec<(&str, Value, InvalidToken)> = vec![
        (
            "expired",
            with(claims(&s), "exp", json!(NOW - 1)),
            InvalidToken::Expired,
        ),
        (
            "expires now",
            with(claims(&s), "exp", json!(NOW)),
            InvalidToken::Expired,
        ),
        (
            "nbf in the future",
            with(claims(&s), "nbf", json!(NOW + 60)),
            InvalidToken::NotYetValid,
        ),
        (
            "wrong iss",
            with(claims(&s), "iss", json!("stytch.com/project-test-other")),
            InvalidToken::Issuer,
        ),
        (
            "iss of another host",
            with(claims(&s), "iss", json!("invalid.com/xyz")),
            InvalidToken::Issuer,
        ),
        (
            "wrong aud",
            with(claims(&s), "aud", json!(["project-test-other"])),
            InvalidToken::Audience,
        ),
        (
            "no aud",
            with(claims(&s), "aud", Value::Null),
            InvalidToken::MissingClaim("aud"),
        ),
        (
            "no scope claim",
            with(claims(&s), "scope", Value::Null),
            InvalidToken::MissingClaim("scope"),
        ),
        (
            "no exp",
            with(claims(&s), "exp", Value::Null),
            InvalidToken::MissingClaim("exp"),
        ),
        (
            "no sub",
            with(claims(&s), "sub", Value::Null),
            InvalidToken::MissingClaim("sub"),
        ),
        (
            "exp as text",
            with(claims(&s), "exp", json!("soon")),
            InvalidToken::Malformed("exp is not a number".into()),
        ),
    ];
    for (name, c, expected) in cases {
        let e = refusal(&s, &signed(c)).await;
        assert!(
            matches!(&e, AuthError::Invalid(cause) if *cause == expected),
            "{name}: {e:?}"
        );
    }
    // aud as a plain string and the base-URL issuer are accepted.
    let string_aud = with(claims(&s), "aud", json!(s.mock.project_id()));
    assert!(
        s.client
            .authenticate_token(&signed(string_aud), &AuthenticateOptions::new())
            .await
            .is_ok()
    );
    let base_iss = with(claims(&s), "iss", json!("https://test.stytch.com"));
    assert!(
        s.client
            .authenticate_token(&signed(base_iss), &AuthenticateOptions::new())
            .await
            .is_ok()
    );

    // Bad base64, bad JSON, wrong part counts, a 1 MB token.
    let malformed = [
        format!("{}.{}.{}", parts[0], "%%%", parts[2]),
        format!("!!.{}.{}", parts[1], parts[2]),
        format!("{}.{}.{}", B64.encode("{not json"), parts[1], parts[2]),
        format!("{}.{}.@@", parts[0], parts[1]),
        format!("{}.{}", parts[0], parts[1]),
        format!("{}.{}.{}.x", parts[0], parts[1], parts[2]),
        String::new(),
        format!("{}.{}.{}", "a".repeat(1 << 20), parts[1], parts[2]),
    ];
    for token in malformed {
        let e = refusal(&s, &token).await;
        assert!(
            matches!(e, AuthError::Invalid(InvalidToken::Malformed(_))),
            "{}: {e:?}",
            &token[..token.len().min(40)]
        );
    }
    let bad_payload_json = s.mock.sign_jwt(&header(&s), &json!("not an object"));
    assert!(matches!(
        refusal(&s, &bad_payload_json).await,
        AuthError::Invalid(InvalidToken::Malformed(_))
    ));

    // No error message ever quotes the token.
    for token in [&s.good, &tampered, &foreign] {
        let e = s
            .client
            .authenticate_token(token, &AuthenticateOptions::new().required_scopes(["x"]))
            .await
            .unwrap_err();
        assert!(!format!("{e} {e:?}").contains(parts[2]), "{e:?}");
    }
}

#[tokio::test(start_paused = true)]
async fn a_token_is_refused_once_its_key_left_the_jwks() {
    let s = setup().await;
    assert!(
        s.client
            .authenticate_token(&s.good, &AuthenticateOptions::new())
            .await
            .is_ok(),
        "cached as verified"
    );
    s.mock.rotate_signing_key();
    s.mock.clock().advance(Duration::from_secs(61)); // the grace period ends
    tokio::time::advance(Duration::from_secs(901)).await; // the cached JWKS (max-age 900) is due
    // Refresh ahead: this call is answered from the cache while one refresh runs in the background...
    assert!(
        s.client
            .authenticate_token(&s.good, &AuthenticateOptions::new())
            .await
            .is_ok()
    );
    tokio::time::sleep(Duration::from_millis(1)).await;
    // ...which learns that the key left the JWKS.
    let e = refusal(&s, &s.good).await;
    assert!(
        matches!(e, AuthError::Invalid(InvalidToken::UnknownKey(_))),
        "{e:?}"
    );
}
