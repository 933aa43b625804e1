//! Secret rotation, deactivation and deletion.

use super::*;

/// Rotation: start (both secrets work), cancel (next discarded), start again and complete (old stops working).
pub async fn rotation_lifecycle(t: &Target) {
    let c = t.client();
    let m = create_with_scopes(&c, &["read:users"]).await;
    let (id, old) = (m.client_id.clone(), m.client_secret.clone());
    let secrets = c.clients().secrets();

    let started = secrets.rotate_start(&id).await.unwrap().m2m_client;
    let next = started.next_client_secret.clone();
    assert_eq!(
        started.next_client_secret_last_four.as_deref(),
        Some(next.last_four())
    );
    assert_eq!(started.client_secret_last_four, old.last_four());
    assert!(c.token(&id, &old, stytch_m2m_core::NO_SCOPES).await.is_ok());
    assert!(
        c.token(&id, &next, stytch_m2m_core::NO_SCOPES)
            .await
            .is_ok()
    );
    assert_eq!(
        api_error(secrets.rotate_start(&id).await),
        (400, ErrorType::M2mClientAlreadyRotatingSecret)
    );

    let cancelled = secrets.rotate_cancel(&id).await.unwrap().m2m_client;
    assert_eq!(cancelled.next_client_secret_last_four, None);
    assert_eq!(
        api_error(c.token(&id, &next, stytch_m2m_core::NO_SCOPES).await),
        (400, ErrorType::InvalidClient)
    );
    assert!(c.token(&id, &old, stytch_m2m_core::NO_SCOPES).await.is_ok());
    assert_eq!(
        api_error(secrets.rotate_cancel(&id).await),
        (400, ErrorType::M2mClientNotRotatingSecret)
    );
    assert_eq!(
        api_error(secrets.rotate(&id).await),
        (400, ErrorType::M2mClientNotRotatingSecret)
    );

    let next = secrets
        .rotate_start(&id)
        .await
        .unwrap()
        .m2m_client
        .next_client_secret;
    let completed = secrets.rotate(&id).await.unwrap().m2m_client;
    assert_eq!(completed.client_secret_last_four, next.last_four());
    assert_eq!(completed.next_client_secret_last_four, None);
    assert_eq!(
        api_error(c.token(&id, &old, stytch_m2m_core::NO_SCOPES).await),
        (400, ErrorType::InvalidClient)
    );
    assert!(
        c.token(&id, &next, stytch_m2m_core::NO_SCOPES)
            .await
            .is_ok()
    );
    assert_eq!(
        api_error(secrets.rotate_start("m2m-client-test-missing").await),
        (404, ErrorType::M2mClientNotFound)
    );
}

/// An inactive client gets no token; reactivated, it does again.
pub async fn deactivate_refuses_tokens(t: &Target) {
    let c = t.client();
    let m = create_with_scopes(&c, &["read:users"]).await;
    let off = c
        .clients()
        .update(
            &m.client_id,
            UpdateRequest::new().status(UpdateStatus::Inactive),
        )
        .await
        .unwrap();
    assert_eq!(off.m2m_client.status, ClientStatus::Inactive);
    let refused = c
        .token(&m.client_id, &m.client_secret, stytch_m2m_core::NO_SCOPES)
        .await;
    assert_eq!(api_error(refused), (400, ErrorType::UnauthorizedClient));
    c.clients()
        .update(
            &m.client_id,
            UpdateRequest::new().status(UpdateStatus::Active),
        )
        .await
        .unwrap();
    assert!(
        c.token(&m.client_id, &m.client_secret, stytch_m2m_core::NO_SCOPES)
            .await
            .is_ok()
    );
}

/// Delete: the client is gone for get, delete, rotation and tokens.
pub async fn delete_then_not_found(t: &Target) {
    let c = t.client();
    let m = create_with_scopes(&c, &["read:users"]).await;
    let deleted = c.clients().delete(&m.client_id).await.unwrap();
    assert_eq!(deleted.client_id, m.client_id);
    assert_eq!(
        api_error(c.clients().get(&m.client_id).await),
        (404, ErrorType::M2mClientNotFound)
    );
    assert_eq!(
        api_error(c.clients().delete(&m.client_id).await),
        (404, ErrorType::M2mClientNotFound)
    );
    let token = c
        .token(&m.client_id, &m.client_secret, stytch_m2m_core::NO_SCOPES)
        .await;
    assert_eq!(api_error(token), (400, ErrorType::InvalidClient));
    let search = c
        .clients()
        .search(SearchRequest::all_of([SearchOperand::client_ids([m
            .client_id
            .as_str()])]))
        .await;
    assert_eq!(search.unwrap().results_metadata.total, 0);
}
