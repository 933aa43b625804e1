//! Creating, importing, searching and updating clients.

use super::*;

/// Create, then get: the fields come back; the secret is shown once and its last four match.
pub async fn create_and_get(t: &Target) {
    let c = t.client();
    let created = c
        .clients()
        .create(
            CreateRequest::new(["read:users", "write:users"])
                .client_name("billing")
                .client_description("Bills people.")
                .trusted_metadata(metadata(json!({"tier": "gold", "limits": {"rps": 5}}))),
        )
        .await
        .unwrap();
    let m = &created.m2m_client;
    assert!(
        m.client_id.starts_with("m2m-client-test-"),
        "{}",
        m.client_id
    );
    assert_eq!(m.client_secret.expose_secret().len(), 44);
    assert_eq!(m.client_secret_last_four, m.client_secret.last_four());
    assert_eq!(m.status, ClientStatus::Active);
    assert_eq!(m.next_client_secret_last_four, None);
    assert_eq!(created.status_code, 200);
    assert!(created.request_id.starts_with("request-id-test-"));

    let got = c.clients().get(&m.client_id).await.unwrap().m2m_client;
    assert_eq!(got.client_name, "billing");
    assert_eq!(got.client_description, "Bills people.");
    assert_eq!(got.scopes, ["read:users", "write:users"]);
    assert_eq!(
        got.trusted_metadata,
        Some(metadata(json!({"tier": "gold", "limits": {"rps": 5}})))
    );
    assert_eq!(got.client_secret_last_four, m.client_secret_last_four);

    // Unset name and description come back as empty strings.
    let bare = create_with_scopes(&c, &["a"]).await;
    let bare = c.clients().get(&bare.client_id).await.unwrap().m2m_client;
    assert_eq!(
        (bare.client_name.as_str(), bare.client_description.as_str()),
        ("", "")
    );
}

/// Import a client with its own id and secret; the id must be unique.
pub async fn import_and_duplicates(t: &Target) {
    let c = t.client();
    let imported = c
        .clients()
        .create(
            CreateRequest::new(["read:users"])
                .client_id("legacy-billing")
                .client_secret("x7Kp2QmZ-imported"),
        )
        .await
        .unwrap()
        .m2m_client;
    assert_eq!(imported.client_id, "legacy-billing");
    assert_eq!(imported.client_secret.expose_secret(), "x7Kp2QmZ-imported");
    assert_eq!(imported.client_secret_last_four, "rted");
    let token = c
        .token(
            "legacy-billing",
            &Secret::new("x7Kp2QmZ-imported"),
            stytch_m2m_core::NO_SCOPES,
        )
        .await;
    assert!(token.is_ok(), "{token:?}");
    let again = c
        .clients()
        .create(CreateRequest::new(["a"]).client_id("legacy-billing"))
        .await;
    assert_eq!(api_error(again), (400, ErrorType::DuplicateM2mClientId));
}

/// Search by scope, id and name with AND/OR; pages follow the cursor; totals count every match.
pub async fn search_and_paging(t: &Target) {
    let c = t.client();
    let mut ids = Vec::new();
    for i in 0..7 {
        let scopes = if i % 2 == 0 {
            vec!["paging:x", "even:y"]
        } else {
            vec!["paging:x"]
        };
        let req = CreateRequest::new(scopes).client_name(format!("pager-{i}"));
        ids.push(c.clients().create(req).await.unwrap().m2m_client.client_id);
    }
    c.clients()
        .create(CreateRequest::new(["other:z"]))
        .await
        .unwrap();

    let by_scope = || SearchRequest::all_of([SearchOperand::scopes(["paging:x"])]);
    let first = c.clients().search(by_scope().limit(3)).await.unwrap();
    assert_eq!(first.results_metadata.total, 7);
    assert_eq!(first.m2m_clients.len(), 3);
    let cursor = first
        .results_metadata
        .next_cursor
        .clone()
        .expect("more pages");
    let second = c
        .clients()
        .search(by_scope().limit(3).cursor(cursor))
        .await
        .unwrap();
    assert_eq!(second.m2m_clients.len(), 3);
    let third = c
        .clients()
        .search(
            by_scope()
                .limit(3)
                .cursor(second.results_metadata.next_cursor.clone().unwrap()),
        )
        .await
        .unwrap();
    assert_eq!(third.m2m_clients.len(), 1);
    assert_eq!(third.results_metadata.next_cursor, None);
    let paged: Vec<String> = [first, second, third]
        .into_iter()
        .flat_map(|p| p.m2m_clients.into_iter().map(|m| m.client_id))
        .collect();
    assert_eq!(
        paged, ids,
        "pages are in a stable (creation) order with no gap or repeat"
    );

    let all: Vec<M2mClient> = c
        .clients()
        .search_all(by_scope().limit(2))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 7);

    let even_and_name = SearchRequest::all_of([
        SearchOperand::scopes(["even:y"]),
        SearchOperand::client_names(["pager-0", "pager-1", "pager-2"]),
    ]);
    let found = c.clients().search(even_and_name).await.unwrap();
    let names: Vec<&str> = found
        .m2m_clients
        .iter()
        .map(|m| m.client_name.as_str())
        .collect();
    assert_eq!(names, ["pager-0", "pager-2"]);

    let by_ids_or_scope = SearchRequest::any_of([
        SearchOperand::client_ids([ids[1].as_str(), "m2m-client-test-unknown"]),
        SearchOperand::scopes(["other:z"]),
    ]);
    assert_eq!(
        c.clients()
            .search(by_ids_or_scope)
            .await
            .unwrap()
            .results_metadata
            .total,
        2
    );

    // No query, or no operands: everything.
    assert_eq!(
        c.clients()
            .search(SearchRequest::new())
            .await
            .unwrap()
            .results_metadata
            .total,
        8
    );
    let empty = SearchRequest::all_of([]);
    assert_eq!(
        c.clients()
            .search(empty)
            .await
            .unwrap()
            .results_metadata
            .total,
        8
    );
    // A scope no one has: nothing, no cursor.
    let none = c
        .clients()
        .search(SearchRequest::all_of([SearchOperand::scopes([
            "nobody:has",
        ])]))
        .await
        .unwrap();
    assert_eq!(
        (
            none.results_metadata.total,
            none.results_metadata.next_cursor
        ),
        (0, None)
    );
}

/// Update replaces the given fields, merges metadata at the top level (null deletes), keeps the rest.
pub async fn update_merges_and_replaces(t: &Target) {
    let c = t.client();
    let id = c
        .clients()
        .create(
            CreateRequest::new(["read:users"])
                .client_name("before")
                .client_description("kept")
                .trusted_metadata(metadata(
                    json!({"keep": 1, "drop": 2, "nested": {"a": 1, "b": 2}}),
                )),
        )
        .await
        .unwrap()
        .m2m_client
        .client_id;
    let updated = c
        .clients()
        .update(
            &id,
            UpdateRequest::new()
                .client_name("after")
                .scopes(["read:users", "write:users"])
                .trusted_metadata(metadata(
                    json!({"drop": null, "nested": {"c": 3}, "new": true}),
                )),
        )
        .await
        .unwrap()
        .m2m_client;
    assert_eq!(updated.client_name, "after");
    assert_eq!(updated.client_description, "kept");
    assert_eq!(updated.scopes, ["read:users", "write:users"]);
    assert_eq!(
        updated.trusted_metadata,
        Some(metadata(
            json!({"keep": 1, "nested": {"c": 3}, "new": true})
        ))
    );
    assert_eq!(c.clients().get(&id).await.unwrap().m2m_client, updated);
    // An empty update changes nothing.
    let same = c
        .clients()
        .update(&id, UpdateRequest::new())
        .await
        .unwrap()
        .m2m_client;
    assert_eq!(same, updated);
    // An update of a missing client is a 404 and creates nothing.
    let missing = c
        .clients()
        .update(
            "m2m-client-test-missing",
            UpdateRequest::new().client_name("x"),
        )
        .await;
    assert_eq!(api_error(missing), (404, ErrorType::M2mClientNotFound));
}
