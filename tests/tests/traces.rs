//! The spans the SDK records, read field by field from a capturing `tracing` layer: a call to Stytch follows
//! OpenTelemetry's HTTP client conventions (plus the operation and Stytch's request id), and a token check is a
//! span with its outcome. Alone in its test binary: tracing caches per call site whether anyone listens.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use stytch_m2m_core::auth::AuthenticateOptions;
use stytch_m2m_core::models::CreateRequest;
use stytch_m2m_core::{Client, RetryPolicy};
use stytch_m2m_mock::{Fault, MockStytch, Route};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing_subscriber::layer::{Context, SubscriberExt as _};
use tracing_subscriber::registry::LookupSpan;

type Fields = BTreeMap<String, String>;

/// Every span, by id: its name and fields as last recorded.
#[derive(Clone, Default)]
struct Spans(Arc<Mutex<BTreeMap<u64, (String, Fields)>>>);

struct Visitor<'a>(&'a mut Fields);

impl Visit for Visitor<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.0.insert(field.name().to_owned(), value.to_string());
    }
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }
}

impl<S: tracing::Subscriber + for<'a> LookupSpan<'a>> tracing_subscriber::Layer<S> for Spans {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, _: Context<'_, S>) {
        let mut fields = Fields::new();
        attrs.record(&mut Visitor(&mut fields));
        self.0
            .lock()
            .unwrap()
            .insert(id.into_u64(), (attrs.metadata().name().to_owned(), fields));
    }
    fn on_record(&self, id: &Id, values: &Record<'_>, _: Context<'_, S>) {
        if let Some((_, fields)) = self.0.lock().unwrap().get_mut(&id.into_u64()) {
            values.record(&mut Visitor(fields));
        }
    }
}

impl Spans {
    fn named(&self, name: &str) -> Vec<Fields> {
        self.0
            .lock()
            .unwrap()
            .values()
            .filter(|(n, _)| n == name)
            .map(|(_, f)| f.clone())
            .collect()
    }
}

#[tokio::test]
async fn calls_and_token_checks_are_spans_with_their_facts() {
    let spans = Spans::default();
    let subscriber = tracing_subscriber::registry().with(spans.clone());
    let _guard = tracing::subscriber::set_default(subscriber);
    let mock = MockStytch::new();
    let client = Client::builder(
        mock.project_id(),
        mock.project_secret().clone(),
        mock.clone(),
    )
    .retry(RetryPolicy::disabled())
    .clock(mock.clock().clone())
    .build()
    .unwrap();
    let m = client
        .clients()
        .create(CreateRequest::new(["read:users"]))
        .await
        .unwrap()
        .m2m_client;
    client.clients().get("nobody").await.unwrap_err();
    mock.fail_next(
        Route::Get,
        1,
        Fault::Transport(stytch_m2m_core::transport::TransportErrorKind::Io),
    );
    client.clients().get(&m.client_id).await.unwrap_err();
    let token = client
        .token(&m.client_id, &m.client_secret, ["read:users"])
        .await
        .unwrap()
        .access_token;
    let options = AuthenticateOptions::new();
    client
        .authenticate_token(token.expose_secret(), &options)
        .await
        .unwrap();
    mock.clock().advance(Duration::from_secs(3700));
    client
        .authenticate_token(token.expose_secret(), &options)
        .await
        .unwrap_err();

    let calls = spans.named("stytch_m2m");
    assert_eq!(calls.len(), 4, "{calls:#?}");
    let create = &calls[0];
    for (field, value) in [
        ("stytch.operation", "m2m.clients.create"),
        ("http.request.method", "POST"),
        ("server.address", "test.stytch.com"),
        ("url.full", "https://test.stytch.com/v1/m2m/clients"),
        ("http.response.status_code", "200"),
    ] {
        assert_eq!(
            create.get(field).map(String::as_str),
            Some(value),
            "{field}: {create:#?}"
        );
    }
    assert!(
        create["stytch.request_id"].starts_with("request-id-test-"),
        "{create:#?}"
    );
    assert!(!create.contains_key("error.type"));
    let missing = &calls[1];
    assert_eq!(missing["http.response.status_code"], "404");
    assert_eq!(missing["error.type"], "404");
    assert_eq!(
        missing["url.full"],
        "https://test.stytch.com/v1/m2m/clients/nobody"
    );
    let broken = &calls[2];
    assert_eq!(broken["error.type"], "io");
    assert!(!broken.contains_key("http.response.status_code"));
    let exchange = &calls[3];
    assert_eq!(exchange["stytch.operation"], "m2m.token");
    assert!(
        !format!("{calls:?}").contains(m.client_secret.expose_secret()),
        "no secret in any field"
    );

    let checks = spans.named("stytch_m2m.authenticate_token");
    assert_eq!(checks.len(), 2, "{checks:#?}");
    assert_eq!(checks[0]["outcome"], "valid");
    assert_eq!(checks[0]["client_id"], m.client_id);
    assert_eq!(checks[0]["stytch.project_id"], mock.project_id());
    assert_eq!(checks[1]["outcome"], "expired");
}
