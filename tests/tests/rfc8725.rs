//! RFC 8725 strictness and the keys and clocks a verifier trusts: forgeries signed with the project's real key,
//! keys not meant for signatures, the default clock tolerance.

use std::time::Duration;

use serde_json::{Value, json};
use stytch_m2m_core::auth::TokenVerifier;
use stytch_m2m_core::auth::{AuthError, AuthenticateOptions, InvalidToken};

mod forge;
use forge::*;

/// RFC 8725 strictness: each of these is forged with the project's real signing key, and each is refused with a
/// named cause.
#[tokio::test]
async fn rfc_8725_forgeries_with_the_real_key_are_refused() {
    let s = setup().await;
    let invalid = |e: AuthError| match e {
        AuthError::Invalid(cause) => cause,
        other => panic!("expected an invalid token, got {other:?}"),
    };
    // A critical header extension we do not understand.
    let crit = s
        .mock
        .sign_jwt(&with(header(&s), "crit", json!(["exp"])), &claims(&s));
    assert_eq!(
        invalid(refusal(&s, &crit).await),
        InvalidToken::CriticalHeader
    );
    // Header or claims that are not JSON objects (an array used to be read by position).
    let kid = s.mock.engine().current_kid();
    let array_header = s.mock.sign_jwt(&json!(["RS256", kid, "JWT"]), &claims(&s));
    assert!(matches!(
        invalid(refusal(&s, &array_header).await),
        InvalidToken::Malformed(_)
    ));
    let c = claims(&s);
    let positional = json!([
        c["iss"], c["sub"], c["aud"], c["scope"], c["exp"], c["nbf"], c["iat"]
    ]);
    let array_claims = s.mock.sign_jwt(&header(&s), &positional);
    assert!(matches!(
        invalid(refusal(&s, &array_claims).await),
        InvalidToken::Malformed(_)
    ));
    for not_an_object in [json!(42), json!(null), json!("claims"), json!(true)] {
        let token = s.mock.sign_jwt(&header(&s), &not_an_object);
        assert!(matches!(
            invalid(refusal(&s, &token).await),
            InvalidToken::Malformed(_)
        ));
        let token = s.mock.sign_jwt(&not_an_object, &claims(&s));
        assert!(matches!(
            invalid(refusal(&s, &token).await),
            InvalidToken::Malformed(_)
        ));
    }
    // typ other than JWT, or not a string; any case of JWT is fine, and so is no typ.
    for typ in [
        json!("at+jwt"),
        json!("JWS"),
        json!(5),
        json!(null),
        json!(["JWT"]),
    ] {
        let mut h = header(&s);
        h["typ"] = typ.clone();
        let token = s.mock.sign_jwt(&h, &claims(&s));
        assert_eq!(
            invalid(refusal(&s, &token).await),
            InvalidToken::TokenType,
            "typ {typ}"
        );
    }
    for accepted in [
        with(header(&s), "typ", json!("jwt")),
        with(header(&s), "typ", Value::Null),
    ] {
        let token = s.mock.sign_jwt(&accepted, &claims(&s));
        assert!(
            s.client
                .authenticate_token(&token, &AuthenticateOptions::new())
                .await
                .is_ok()
        );
    }
    // iss must be exactly an accepted issuer: no trailing slashes, no prefix games.
    for iss in [
        "https://test.stytch.com/",
        "https://test.stytch.com//",
        "https://test.stytch.com.evil.com",
        "stytch.com/",
        "https://TEST.stytch.com",
    ] {
        let token = s
            .mock
            .sign_jwt(&header(&s), &with(claims(&s), "iss", json!(iss)));
        assert_eq!(
            invalid(refusal(&s, &token).await),
            InvalidToken::Issuer,
            "{iss}"
        );
    }
    // Time claims that are null or not numbers (null is not "absent").
    for (claim, value) in [
        ("exp", json!(null)),
        ("nbf", json!(null)),
        ("iat", json!(null)),
        ("exp", json!("1800003600")),
        ("nbf", json!([NOW])),
        ("iat", json!({"at": NOW})),
        ("exp", json!(-1)),
    ] {
        let mut c = claims(&s);
        c[claim] = value.clone();
        let token = s.mock.sign_jwt(&header(&s), &c);
        assert!(
            matches!(invalid(refusal(&s, &token).await), InvalidToken::Malformed(ref why) if why.starts_with(claim)),
            "{claim}: {value}"
        );
    }
    // Invalid UTF-8 in the payload, in a registered claim or in a custom one; and in the header.
    let good_claims = serde_json::to_string(&claims(&s)).unwrap();
    let mut bad_utf8 = good_claims.clone().into_bytes();
    bad_utf8.splice(1..1, b"\"x\":\"\xff\xfe\",".iter().copied());
    let token = s.mock.sign_jwt_bytes(raw_header(&s).as_bytes(), &bad_utf8);
    assert_eq!(
        invalid(refusal(&s, &token).await),
        InvalidToken::Malformed("the payload is not UTF-8".into())
    );
    let mut bad_header = raw_header(&s).into_bytes();
    bad_header.splice(1..1, b"\"x\":\"\xc3\",".iter().copied());
    let token = s.mock.sign_jwt_bytes(&bad_header, good_claims.as_bytes());
    assert!(matches!(
        invalid(refusal(&s, &token).await),
        InvalidToken::Malformed(_)
    ));
    // A registered claim given twice (which one would a check read?).
    let twice = good_claims.replacen('{', "{\"sub\":\"admin\",", 1);
    let token = s
        .mock
        .sign_jwt_bytes(raw_header(&s).as_bytes(), twice.as_bytes());
    assert!(matches!(
        invalid(refusal(&s, &token).await),
        InvalidToken::Malformed(_)
    ));
    // Custom claims nested deeper than the limit: a defined error, not a silently empty map.
    let deep = |depth: usize| format!("{}1{}", "[".repeat(depth), "]".repeat(depth));
    let limit = stytch_m2m_core::auth::MAX_CLAIMS_DEPTH;
    let too_deep = good_claims.replacen('{', &format!("{{\"nested\":{},", deep(limit)), 1);
    let token = s
        .mock
        .sign_jwt_bytes(raw_header(&s).as_bytes(), too_deep.as_bytes());
    assert_eq!(
        invalid(refusal(&s, &token).await),
        InvalidToken::NestingTooDeep
    );
    let way_too_deep = good_claims.replacen('{', &format!("{{\"nested\":{},", deep(100_000)), 1);
    let token = s
        .mock
        .sign_jwt_bytes(raw_header(&s).as_bytes(), way_too_deep.as_bytes());
    assert!(
        refusal(&s, &token)
            .await
            .to_string()
            .contains("invalid token")
    );
    let deep_ok = good_claims.replacen('{', &format!("{{\"nested\":{},", deep(limit - 1)), 1);
    let token = s
        .mock
        .sign_jwt_bytes(raw_header(&s).as_bytes(), deep_ok.as_bytes());
    let ok = s
        .client
        .authenticate_token(&token, &AuthenticateOptions::new())
        .await
        .unwrap();
    assert!(
        ok.custom_claims().contains_key("nested"),
        "the custom claims are there, not an empty map"
    );
}

/// A key published for another use, or without the verify operation, never verifies a signature.
#[tokio::test]
async fn keys_not_meant_for_signatures_are_never_used() {
    let s = setup().await;
    let jwk = serde_json::to_value(&s.mock.engine().jwks()[0]).unwrap();
    let verifier_with = |jwk: Value| {
        TokenVerifier::builder(s.mock.project_id())
            .static_jwks(json!({"keys": [jwk]}).to_string())
            .clock(s.mock.clock().clone())
            .build()
            .unwrap()
    };
    for (change, accepted) in [
        (json!({"use": "enc"}), false),
        (json!({"key_ops": ["encrypt"]}), false),
        (json!({"key_ops": ["sign"]}), false),
        (json!({"alg": "RS512"}), false),
        (json!({"kty": "EC"}), false),
        (json!({"use": "sig", "key_ops": ["verify"]}), true),
        (json!({"use": null, "key_ops": []}), true),
    ] {
        let mut key = jwk.clone();
        for (k, v) in change.as_object().unwrap() {
            key[k] = v.clone();
        }
        let outcome = verifier_with(key)
            .authenticate_token(&s.good, &AuthenticateOptions::new())
            .await;
        match accepted {
            true => assert!(outcome.is_ok(), "{change}: {outcome:?}"),
            false => assert!(
                matches!(
                    outcome,
                    Err(AuthError::Invalid(InvalidToken::UnknownKey(_)))
                ),
                "{change}: {outcome:?}"
            ),
        }
    }
}

/// Stytch sets `nbf = iat`: a verifier whose clock lags by a few seconds still accepts a fresh token by default,
/// and one just expired is accepted within the same tolerance; zero tolerance is exact.
#[tokio::test]
async fn the_default_clock_tolerance_absorbs_small_skew() {
    let s = setup().await;
    let lagging_issuer = with(claims(&s), "nbf", json!(NOW + 3));
    let token = s.mock.sign_jwt(&header(&s), &lagging_issuer);
    assert!(
        s.client
            .authenticate_token(&token, &AuthenticateOptions::new())
            .await
            .is_ok()
    );
    assert_eq!(
        refusal(&s, &token).await.to_string(),
        "invalid token: the token is not valid yet (\"nbf\")"
    );
    let just_expired = with(claims(&s), "exp", json!(NOW - 4));
    let token = s.mock.sign_jwt(&header(&s), &just_expired);
    assert!(
        s.client
            .authenticate_token(&token, &AuthenticateOptions::new())
            .await
            .is_ok()
    );
    let long_expired = with(claims(&s), "exp", json!(NOW - 5));
    let token = s.mock.sign_jwt(&header(&s), &long_expired);
    assert!(matches!(
        s.client
            .authenticate_token(&token, &AuthenticateOptions::new())
            .await,
        Err(AuthError::Invalid(InvalidToken::Expired))
    ));
    assert_eq!(
        stytch_m2m_core::auth::DEFAULT_CLOCK_TOLERANCE,
        Duration::from_secs(5)
    );
}
