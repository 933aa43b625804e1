//! Success bodies written straight from the models (no `serde_json::Value` built on the way): the envelope
//! (`{"<key>": …, "request_id": …, "status_code": 200}`) and clients as the live API writes them.

use serde::Serialize;
use serde::ser::SerializeMap as _;
use stytch_m2m_core::models::{
    M2mClient, M2mClientWithClientSecret, M2mClientWithNextClientSecret,
};

use crate::engine::RequestId;

/// A model of a client, and whether it lacks the two members the live API always writes.
pub(crate) trait ClientModel: Serialize {
    /// `next_client_secret_last_four` is absent (the API writes `null`).
    fn lacks_next_four(&self) -> bool;
    /// `trusted_metadata` is absent (the API writes `{}`).
    fn lacks_metadata(&self) -> bool;
}

macro_rules! client_model {
    ($($model:ty),*) => {$(
        impl ClientModel for $model {
            fn lacks_next_four(&self) -> bool {
                self.next_client_secret_last_four.is_none()
            }
            fn lacks_metadata(&self) -> bool {
                self.trusted_metadata.is_none()
            }
        }
    )*};
}

client_model!(
    M2mClient,
    M2mClientWithClientSecret,
    M2mClientWithNextClientSecret
);

/// `{}`.
#[derive(Serialize)]
struct Empty {}

/// A client as the live API writes it: `next_client_secret_last_four` is always present (`null` when not
/// rotating) and `trusted_metadata` is an object.
#[derive(Serialize)]
pub(crate) struct WireClient<'a, T: ClientModel> {
    #[serde(flatten)]
    client: &'a T,
    /// `Some(())` is written `null`.
    #[serde(skip_serializing_if = "Option::is_none")]
    next_client_secret_last_four: Option<()>,
    #[serde(skip_serializing_if = "Option::is_none")]
    trusted_metadata: Option<Empty>,
}

impl<'a, T: ClientModel> WireClient<'a, T> {
    pub fn new(client: &'a T) -> Self {
        Self {
            client,
            next_client_secret_last_four: client.lacks_next_four().then_some(()),
            trusted_metadata: client.lacks_metadata().then_some(Empty {}),
        }
    }
}

/// The success envelope around one member given as JSON text (a stored client's JSON, as the engine keeps it); the same
/// bytes as [`envelope`] writes for the value itself. Nothing is escaped: the key is one of ours and a
/// [`RequestId`] is ASCII letters, digits and dashes.
pub(crate) fn envelope_raw(key: &'static str, json: &[u8], request_id: &RequestId) -> Vec<u8> {
    const STATUS: &[u8] = b",\"status_code\":200}";
    // `{"":`, `,"request_id":` and the id's two quotes: the exact length, so that the body becomes `Bytes`
    // without another allocation.
    const PUNCTUATION: usize = 4 + 14 + 2;
    debug_assert!(
        key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'),
        "{key}"
    );
    let id = request_id.as_bytes();
    let mut body =
        Vec::with_capacity(key.len() + json.len() + id.len() + STATUS.len() + PUNCTUATION);
    body.extend_from_slice(b"{\"");
    body.extend_from_slice(key.as_bytes());
    body.extend_from_slice(b"\":");
    body.extend_from_slice(json);
    body.extend_from_slice(b",\"request_id\":\"");
    body.extend_from_slice(id);
    body.extend_from_slice(b"\"");
    body.extend_from_slice(STATUS);
    body
}

/// The success envelope around one member.
pub(crate) fn envelope(key: &str, value: &impl Serialize, request_id: &str) -> Vec<u8> {
    struct Envelope<'a, T> {
        key: &'a str,
        value: &'a T,
        request_id: &'a str,
    }
    impl<T: Serialize> Serialize for Envelope<'_, T> {
        fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            let mut map = serializer.serialize_map(Some(3))?;
            map.serialize_entry(self.key, self.value)?;
            map.serialize_entry("request_id", self.request_id)?;
            map.serialize_entry("status_code", &200)?;
            map.end()
        }
    }
    let mut body = Vec::with_capacity(512);
    // Writing models to a Vec cannot fail (their maps have string keys).
    let _ = serde_json::to_writer(
        &mut body,
        &Envelope {
            key,
            value,
            request_id,
        },
    );
    body
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Map, Value, json};

    fn client() -> M2mClient {
        M2mClient::builder()
            .client_id("m2m-client-test-1")
            .client_name("n")
            .client_description("d")
            .status(stytch_m2m_core::models::ClientStatus::Active)
            .scopes(vec!["read:x".to_owned()])
            .client_secret_last_four("abcd")
            .try_into()
            .unwrap()
    }

    #[test]
    fn a_client_always_has_next_four_and_metadata_and_nothing_twice() {
        let bare = client();
        let body: Value = serde_json::from_slice(&envelope(
            "m2m_client",
            &WireClient::new(&bare),
            "request-id-test-1",
        ))
        .unwrap();
        assert_eq!(body["status_code"], 200);
        assert_eq!(body["request_id"], "request-id-test-1");
        assert_eq!(
            body["m2m_client"]["next_client_secret_last_four"],
            Value::Null
        );
        assert_eq!(body["m2m_client"]["trusted_metadata"], json!({}));
        assert_eq!(body["m2m_client"]["client_id"], "m2m-client-test-1");

        let mut full = client();
        full.next_client_secret_last_four = Some("wxyz".to_owned());
        full.trusted_metadata = Some(json!({"team": "billing"}).as_object().unwrap().clone());
        let text = String::from_utf8(envelope("m2m_client", &WireClient::new(&full), "r")).unwrap();
        assert_eq!(
            text.matches("next_client_secret_last_four").count(),
            1,
            "{text}"
        );
        assert_eq!(text.matches("trusted_metadata").count(), 1, "{text}");
        let body: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(body["m2m_client"]["next_client_secret_last_four"], "wxyz");
        assert_eq!(body["m2m_client"]["trusted_metadata"]["team"], "billing");
        // The same members as the model itself writes, plus the two defaults.
        let model = serde_json::to_value(&full).unwrap();
        assert_eq!(body["m2m_client"], model);
    }

    #[test]
    fn a_record_is_written_as_its_model_is() {
        use crate::MockStytch;
        use stytch_m2m_core::models::{CreateRequest, UpdateRequest, UpdateStatus};
        let mock = MockStytch::new();
        let engine = mock.engine();
        let created = engine
            .create(
                CreateRequest::new(["read:x", "write:x"])
                    .client_name("billing")
                    .client_description("the billing service"),
            )
            .unwrap();
        let id = created.client_id.as_str();
        let same = |label: &str| {
            let model = serde_json::to_value(WireClient::new(&engine.get(id).unwrap())).unwrap();
            let stored = engine.read_client_wire(id, <[u8]>::to_vec).unwrap();
            let record: Value = serde_json::from_slice(&stored).unwrap();
            assert_eq!(record, model, "{label}");
            // In its envelope, the same bytes as the model's.
            let request_id = engine.fresh_request_id();
            let exact = envelope_raw("m2m_client", &stored, &request_id);
            assert_eq!(exact.len(), exact.capacity(), "{label}");
            let written = envelope("m2m_client", &model, request_id.as_str());
            assert_eq!(
                String::from_utf8(exact).unwrap(),
                String::from_utf8(written).unwrap(),
                "{label}"
            );
        };
        same("new");
        engine.rotate_start(id).unwrap();
        same("rotating");
        let mut metadata = Map::new();
        metadata.insert("team".to_owned(), Value::from("billing"));
        engine
            .update(
                id,
                UpdateRequest::new()
                    .trusted_metadata(metadata)
                    .status(UpdateStatus::Inactive),
            )
            .unwrap();
        same("inactive, with metadata");
        assert!(
            engine
                .read_client_wire("m2m-client-test-missing", |_| ())
                .is_err()
        );
    }
}
