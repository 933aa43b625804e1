//! What each official SDK sends, accepted as Stytch accepts it.

use super::*;

/// What the official SDKs of other languages put on the wire is accepted (reference section 3.3).
pub async fn official_sdk_variants_are_accepted(t: &Target) {
    // rust: every unset field as null.
    let (status, created) = t
        .raw(
            Method::Post,
            "/v1/m2m/clients",
            Some(r#"{"client_id":null,"client_secret":null,"client_name":null,"client_description":null,"scopes":["read:users"],"trusted_metadata":null}"#),
            true,
        )
        .await;
    assert_eq!(status, 200, "{created}");
    let id = created["m2m_client"]["client_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let secret = created["m2m_client"]["client_secret"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(created["m2m_client"]["next_client_secret_last_four"].is_null());
    // rust: every non-alphanumeric percent-encoded; GET with a query string and a JSON body.
    let encoded: String = id
        .chars()
        .map(|ch| {
            if ch.is_ascii_alphanumeric() {
                ch.to_string()
            } else {
                format!("%{:02X}", ch as u32)
            }
        })
        .collect();
    let (status, got) = t
        .raw(
            Method::Get,
            &format!("/v1/m2m/clients/{encoded}?client_id={id}"),
            Some("{}"),
            true,
        )
        .await;
    assert_eq!(
        (status, got["m2m_client"]["client_id"].as_str()),
        (200, Some(id.as_str()))
    );
    // python/go/java/rust: client_id repeated in the update body; rust: nulls.
    let body = json!({"client_id": id, "client_name": "renamed", "status": null, "scopes": null, "trusted_metadata": null}).to_string();
    let (status, updated) = t
        .raw(
            Method::Put,
            &format!("/v1/m2m/clients/{id}"),
            Some(&body),
            true,
        )
        .await;
    assert_eq!(
        (status, updated["m2m_client"]["client_name"].as_str()),
        (200, Some("renamed"))
    );
    // java: `[]` and `{}` mean no change.
    let (status, updated) = t
        .raw(
            Method::Put,
            &format!("/v1/m2m/clients/{id}"),
            Some(r#"{"scopes":[],"trusted_metadata":{}}"#),
            true,
        )
        .await;
    assert_eq!(
        (status, updated["m2m_client"]["scopes"].clone()),
        (200, json!(["read:users"]))
    );
    // rust: search with nulls; docs: an empty-string cursor.
    let (status, _) = t
        .raw(
            Method::Post,
            "/v1/m2m/clients/search",
            Some(r#"{"cursor":null,"limit":null,"query":null}"#),
            true,
        )
        .await;
    assert_eq!(status, 200);
    let (status, _) = t
        .raw(
            Method::Post,
            "/v1/m2m/clients/search",
            Some(r#"{"limit":200,"cursor":"","query":{"operator":"AND","operands":[]}}"#),
            true,
        )
        .await;
    assert_eq!(status, 200);
    // Rotation bodies: {} (node, ruby), {"client_id"} (python, go, java, rust), none.
    let rotate = |suffix: &str| format!("/v1/m2m/clients/{id}/secrets/rotate{suffix}");
    assert_eq!(
        t.raw(
            Method::Post,
            &rotate("/start"),
            Some(&json!({"client_id": id}).to_string()),
            true
        )
        .await
        .0,
        200
    );
    assert_eq!(
        t.raw(Method::Post, &rotate("/cancel"), Some("{}"), true)
            .await
            .0,
        200
    );
    assert_eq!(
        t.raw(Method::Post, &rotate("/start"), Some("{}"), true)
            .await
            .0,
        200
    );
    assert_eq!(
        t.raw(Method::Post, &rotate(""), Some("{}"), true).await.0,
        200
    );

    // Token: python/ruby JSON with project Basic auth; rust JSON with a `scopes` array; java JSON labelled as form;
    // node/go form; credentials in Basic auth.
    let (_, got) = t
        .raw(Method::Get, &format!("/v1/m2m/clients/{id}"), None, true)
        .await;
    assert_eq!(
        got["m2m_client"]["next_client_secret_last_four"],
        Value::Null
    );
    let (_, rotated) = t
        .raw(Method::Post, &rotate("/start"), Some("{}"), true)
        .await;
    let next = rotated["m2m_client"]["next_client_secret"]
        .as_str()
        .unwrap()
        .to_owned();
    t.raw(Method::Post, &rotate(""), Some("{}"), true).await;
    let token_path = format!("/v1/public/{}/oauth2/token", t.project_id);
    let python = json!({"client_id": id, "client_secret": next, "grant_type": "client_credentials", "scope": "read:users"}).to_string();
    let (status, answer) = t.raw(Method::Post, &token_path, Some(&python), true).await;
    assert_eq!(
        (status, answer["token_type"].as_str()),
        (200, Some("bearer")),
        "{answer}"
    );
    let rust = json!({"client_id": id, "client_secret": next, "grant_type": "client_credentials", "scopes": ["read:users"]}).to_string();
    assert_eq!(
        t.raw(Method::Post, &token_path, Some(&rust), false).await.0,
        200
    );
    let old = json!({"client_id": id, "client_secret": secret, "grant_type": "client_credentials"})
        .to_string();
    assert_eq!(
        t.raw(Method::Post, &token_path, Some(&old), false).await.0,
        400,
        "the old secret stopped working"
    );

    use stytch_m2m_core::transport::{Headers, HttpRequest};
    let form = |pairs: &[(&str, &str)]| {
        pairs
            .iter()
            .map(|(k, v)| format!("{k}={}", form_encode(v)))
            .collect::<Vec<_>>()
            .join("&")
    };
    let mut headers = Headers::new();
    headers.insert("content-type", "application/x-www-form-urlencoded");
    let java = HttpRequest::new(Method::Post, format!("{}{token_path}", t.base_url))
        .with_headers(headers.clone())
        .with_body(rust.clone().into_bytes());
    assert_eq!(t.send(java).await.0, 200);
    let node = HttpRequest::new(Method::Post, format!("{}{token_path}", t.base_url))
        .with_headers(headers.clone())
        .with_body(
            form(&[
                ("client_id", &id),
                ("client_secret", &next),
                ("grant_type", "client_credentials"),
                ("scope", "read:users"),
            ])
            .into_bytes(),
        );
    let (status, answer) = t.send(node).await;
    assert_eq!(status, 200, "{answer}");
    use base64::Engine as _;
    let mut basic = headers;
    basic.insert(
        "authorization",
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{id}:{next}"))
        ),
    );
    let rfc = HttpRequest::new(Method::Post, format!("{}{token_path}", t.base_url))
        .with_headers(basic)
        .with_body(b"grant_type=client_credentials".to_vec());
    assert_eq!(t.send(rfc).await.0, 200);

    // DELETE with a body (node `{}`, rust `{"client_id"}`) or none.
    assert_eq!(
        t.raw(
            Method::Delete,
            &format!("/v1/m2m/clients/{id}"),
            Some(&json!({"client_id": id}).to_string()),
            true
        )
        .await
        .0,
        200
    );
    assert_eq!(
        t.raw(Method::Delete, &format!("/v1/m2m/clients/{id}"), None, true)
            .await
            .0,
        404
    );
}

fn form_encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
