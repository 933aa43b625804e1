//! JWT templates and deterministic mode, driven over the control plane.

use serde_json::{Value, json};
use stytch_m2m_core::models::CreateRequest;
use stytch_m2m_core::transport::Method;
use stytch_m2m_emulator::Emulator;
use stytch_m2m_http::HttpTransport;
use stytch_m2m_mock::MockStytch;

mod support;
use support::*;

#[tokio::test]
async fn a_jwt_template_fills_custom_claims_and_the_audience() {
    use stytch_m2m_core::auth::{AuthError, AuthenticateOptions, InvalidToken, TokenVerifier};
    let mock = MockStytch::new();
    let (base, _stop, _task) = start(Emulator::new(mock.clone())).await;
    let template = json!({
        "custom_claims": {"tenant": "{{ request.tenant }}", "team": "{{ trusted_metadata.team }}", "v": 1},
        "custom_audience": "https://api.example.com"
    });
    let (status, _) = control(&base, &mock, Method::Put, "jwt-template", template.clone()).await;
    assert_eq!(status, 200);
    let (_, current) = control(&base, &mock, Method::Get, "jwt-template", Value::Null).await;
    assert_eq!(current["template"], template);
    for refused in [
        json!({"custom_claims": {"sub": "admin"}}),
        json!({"custom_claims": {"x": "y".repeat(5000)}}),
    ] {
        let (status, _) = control(&base, &mock, Method::Put, "jwt-template", refused).await;
        assert_eq!(status, 400);
    }
    let client = client(&mock, &base);
    let metadata = json!({"team": "billing"});
    let m = client
        .clients()
        .create(
            CreateRequest::new(["read:users"])
                .trusted_metadata(metadata.as_object().unwrap().clone()),
        )
        .await
        .unwrap()
        .m2m_client;
    let token = client
        .token_with_params(
            &m.client_id,
            &m.client_secret,
            &["read:users"],
            &[("tenant", "acme")],
        )
        .await
        .unwrap()
        .access_token;
    let verifier = |audience: Option<&str>| {
        let mut builder = TokenVerifier::builder(mock.project_id())
            .transport(HttpTransport::new())
            .base_url(&base);
        if let Some(audience) = audience {
            builder = builder.audience(audience);
        }
        builder.build().unwrap()
    };
    let e = verifier(None)
        .authenticate_token(token.expose_secret(), &AuthenticateOptions::new())
        .await
        .unwrap_err();
    assert!(
        matches!(e, AuthError::Invalid(InvalidToken::Audience)),
        "the custom audience replaces the project id"
    );
    let verified = verifier(Some("https://api.example.com"))
        .authenticate_token(token.expose_secret(), &AuthenticateOptions::new())
        .await
        .unwrap();
    assert_eq!(
        Value::Object(verified.custom_claims().clone()),
        json!({"tenant": "acme", "team": "billing", "v": 1})
    );
    // A missing value omits the claim; reserved parameter names are refused before sending.
    let plain = client
        .token(&m.client_id, &m.client_secret, stytch_m2m_core::NO_SCOPES)
        .await
        .unwrap()
        .access_token;
    let verified = verifier(Some("https://api.example.com"))
        .authenticate_token(plain.expose_secret(), &AuthenticateOptions::new())
        .await
        .unwrap();
    assert!(!verified.custom_claims().contains_key("tenant"));
    let refused = client
        .token_with_params(
            &m.client_id,
            &m.client_secret,
            &["read:users"],
            &[("scope", "admin")],
        )
        .await;
    assert!(matches!(
        refused,
        Err(stytch_m2m_core::Error::Validation(_))
    ));
    let (status, _) = control(&base, &mock, Method::Delete, "jwt-template", Value::Null).await;
    assert_eq!(status, 200);
    assert!(mock.engine().jwt_template().is_none());
}

#[tokio::test]
async fn deterministic_mode_over_http_repeats_itself() {
    let mut runs = Vec::new();
    for _ in 0..2 {
        let mock = MockStytch::new();
        let (base, _stop, _task) = start(Emulator::new(mock.clone())).await;
        let (status, reset) = control(
            &base,
            &mock,
            Method::Post,
            "reset",
            json!({"deterministic": 42}),
        )
        .await;
        assert_eq!(status, 200);
        let created = client(&mock, &base)
            .clients()
            .create(CreateRequest::new(["a"]))
            .await
            .unwrap()
            .m2m_client;
        runs.push((
            reset["kid"].as_str().unwrap().to_owned(),
            created.client_id,
            created.client_secret.expose_secret().to_owned(),
            mock.engine().jwks()[0].n.clone(),
        ));
    }
    assert_eq!(
        runs[0], runs[1],
        "same seed, same kid, ids, secrets and key"
    );
    let mock = MockStytch::new();
    let (base, _stop, _task) = start(Emulator::new(mock.clone())).await;
    let (status, _) = control(
        &base,
        &mock,
        Method::Post,
        "reset",
        json!({"deterministic": "x"}),
    )
    .await;
    assert_eq!(status, 400);
}

/// The rules bodies obey can be switched at run time: lenient accepts what only the emulator's guesses refuse;
/// strict refuses it again; anything else is a 400 and changes nothing.
#[tokio::test]
async fn the_rules_switch_over_the_control_plane() {
    let mock = MockStytch::new();
    let (base, _stop, _task) = start(Emulator::new(mock.clone())).await;
    let many_scopes = json!({"scopes": (0..150).map(|i| format!("s{i}")).collect::<Vec<_>>()});
    let create = |body: &Value| {
        raw(
            &base,
            Method::Post,
            "/v1/m2m/clients",
            body.to_string().into_bytes(),
            Some(&mock),
        )
    };
    let (_, rules) = control(&base, &mock, Method::Get, "rules", Value::Null).await;
    assert_eq!(rules["strictness"], "strict");
    let (status, answer) = create(&many_scopes).await;
    assert_eq!(
        (status, answer["error_type"].as_str()),
        (400, Some("too_many_m2m_client_scopes"))
    );

    let (status, _) = control(
        &base,
        &mock,
        Method::Put,
        "rules",
        json!({"strictness": "lenient"}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(create(&many_scopes).await.0, 200);
    // Stytch's own rules still hold when lenient.
    assert_eq!(create(&json!({"scopes": ["read users"]})).await.0, 400);

    let (status, _) = control(
        &base,
        &mock,
        Method::Put,
        "rules",
        json!({"strictness": "loose"}),
    )
    .await;
    assert_eq!(status, 400);
    let (_, rules) = control(&base, &mock, Method::Get, "rules", Value::Null).await;
    assert_eq!(
        rules["strictness"], "lenient",
        "a refused change changes nothing"
    );

    control(
        &base,
        &mock,
        Method::Put,
        "rules",
        json!({"strictness": "strict"}),
    )
    .await;
    assert_eq!(create(&many_scopes).await.0, 400);
}
