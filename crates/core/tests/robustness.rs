//! Untrusted response bytes never panic the decoder, whatever the status.

mod support;

use proptest::prelude::*;
use stytch_m2m_core::{RetryPolicy, TimeoutPolicy};
use support::*;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .unwrap()
}

fn body_strategy() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..256),
        // Near-valid JSON: a real body cut short or with a byte changed.
        (0usize..600, any::<u8>(), 0usize..600).prop_map(|(cut, byte, at)| {
            let mut body = fixture("CreateResponse.create.json").into_bytes();
            let at = at % body.len();
            body[at] = byte;
            body.truncate(cut.min(body.len()));
            body
        }),
        "\\{\"(status_code|request_id|error_type|m2m_client|error)\":[\\[\\]{}0-9\",a-z]{0,40}\\}"
            .prop_map(String::into_bytes),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_responses_never_panic(status in 100u16..600, body in body_strategy()) {
        let t = Scripted::new([Reply::Respond(stytch_m2m_core::transport::HttpResponse::new(status, body.clone()))]);
        let client = t.client_with(RetryPolicy::disabled(), TimeoutPolicy::default());
        let result = runtime().block_on(client.clients().get("x"));
        if let Err(e) = result {
            // Every error is printable and bounded.
            prop_assert!(e.to_string().len() < 2048);
        }
        let t = Scripted::new([Reply::Respond(stytch_m2m_core::transport::HttpResponse::new(status, body))]);
        let client = t.client_with(RetryPolicy::disabled(), TimeoutPolicy::default());
        let _ = runtime().block_on(client.clients().secrets().rotate_start("x"));
    }
}
