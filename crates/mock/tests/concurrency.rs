//! Correct under parallel use: one winner per client_id, and no lost update.

use std::sync::Arc;

use serde_json::json;
use stytch_m2m_core::models::{CreateRequest, UpdateRequest};
use stytch_m2m_mock::MockStytch;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_creates_of_one_id_give_exactly_one_success() {
    let mock = MockStytch::new();
    let client = Arc::new(mock.client());
    let tasks: Vec<_> = (0..64)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move {
                client
                    .clients()
                    .create(CreateRequest::new(["a"]).client_id("contested"))
                    .await
            })
        })
        .collect();
    let mut wins = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(_) => wins += 1,
            Err(e) => assert_eq!(
                e.error_type(),
                Some(&stytch_m2m_core::models::ErrorType::DuplicateM2mClientId)
            ),
        }
    }
    assert_eq!(wins, 1);
    assert_eq!(mock.engine().client_count(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_metadata_updates_lose_nothing() {
    let mock = MockStytch::new();
    let id = mock
        .seed_client(CreateRequest::new(["a"]))
        .unwrap()
        .client_id;
    let client = Arc::new(mock.client());
    let tasks: Vec<_> = (0..20)
        .map(|i| {
            let (client, id) = (client.clone(), id.clone());
            tokio::spawn(async move {
                let change = json!({ format!("k{i}"): i }).as_object().unwrap().clone();
                client
                    .clients()
                    .update(&id, UpdateRequest::new().trusted_metadata(change))
                    .await
                    .unwrap();
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    let metadata = mock.engine().get(&id).unwrap().trusted_metadata.unwrap();
    assert_eq!(
        metadata.len(),
        20,
        "every concurrent merge is kept: {metadata:?}"
    );
}
