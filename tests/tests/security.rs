//! Every forged, tampered or out-of-date token is refused with the right error.

use std::time::Duration;

use base64::Engine as _;
use serde_json::{Value, json};
use stytch_m2m_core::auth::{AuthError, AuthenticateOptions, InvalidToken};
use stytch_m2m_core::models::CreateRequest;
use stytch_m2m_core::{Client, TokenVerifier};
use stytch_m2m_mock::{MockClock, MockStytch};

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;
const NOW: u64 = 1_800_000_000;

struct Setup {
    mock: MockStytch,
    client: Client,
    good: String,
}

async fn setup() -> Setup {
    let mock = MockStytch::builder()
        .clock(MockClock::frozen_at_unix(NOW))
        .key_grace(Duration::from_secs(60))
        .build();
    let client = mock.client();
    let m = mock
        .seed_client(CreateRequest::new(["read:users"]).client_id("victim"))
        .unwrap();
    let good = client
        .token::<&str>("victim", &m.client_secret, &[])
        .await
        .unwrap()
        .access_token
        .expose_secret()
        .to_owned();
    Setup { mock, client, good }
}

fn claims(s: &Setup) -> Value {
    json!({"sub": "victim", "iss": format!("stytch.com/{}", s.mock.project_id()), "aud": [s.mock.project_id()],
           "scope": "read:users", "iat": NOW, "nbf": NOW, "exp": NOW + 3600})
}

fn header(s: &Setup) -> Value {
    json!({"alg": "RS256", "kid": s.mock.engine().current_kid(), "typ": "JWT"})
}

fn with(mut value: Value, key: &str, new: Value) -> Value {
    if new.is_null() {
        value.as_object_mut().unwrap().remove(key);
    } else {
        value[key] = new;
    }
    value
}

fn encode(part: &Value) -> String {
    B64.encode(serde_json::to_vec(part).unwrap())
}

/// Refused with no clock tolerance, so that the time cases are exact.
async fn refusal(s: &Setup, token: &str) -> AuthError {
    match s
        .client
        .authenticate_token(
            token,
            &AuthenticateOptions::new().clock_tolerance(Duration::ZERO),
        )
        .await
    {
        Err(e) => e,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

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

fn raw_header(s: &Setup) -> String {
    format!(
        r#"{{"alg":"RS256","kid":"{}","typ":"JWT"}}"#,
        s.mock.engine().current_kid()
    )
}

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
