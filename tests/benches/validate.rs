//! The client's pre-send check of a request: the generated `Validate` impl against the `jsonschema` crate validating
//! the same request (serialized to JSON) against the embedded schema with the emulator's guesses removed (what a
//! runtime-schema design would run on every call). Interleaved in rounds; prints ns per check and the ratio.
//!
//! `cargo bench -p stytch-m2m-tests --bench validate`

use std::hint::black_box;
use std::time::Instant;

use serde_json::{Value, json};
use stytch_m2m_core::Validate as _;
use stytch_m2m_core::models::{CreateRequest, SCHEMA_JSON};

const ROUNDS: usize = 7;
const PER_ROUND: u32 = 20_000;

/// The schema as the client would read it at run time: the keywords marked `x-emulator-policy` removed.
fn stytch_only(value: &mut Value) {
    if let Value::Object(map) = value {
        if let Some(Value::Array(policy)) = map.remove("x-emulator-policy") {
            for keyword in policy {
                if let Value::String(k) = keyword {
                    map.remove(&k);
                }
            }
        }
        map.values_mut().for_each(stytch_only);
    } else if let Value::Array(items) = value {
        items.iter_mut().for_each(stytch_only);
    }
}

fn main() {
    let mut schema: Value = serde_json::from_str(SCHEMA_JSON).unwrap();
    stytch_only(&mut schema);
    schema["$ref"] = json!("#/$defs/CreateRequest");
    let validator = jsonschema::validator_for(&schema).unwrap();
    let request = CreateRequest::new(["read:users", "write:users", "admin:billing"])
        .client_id("billing-service")
        .client_secret("x7Kp2QmZ9vLr-3nW0pYt")
        .client_name("Billing")
        .client_description("Bills customers")
        .trusted_metadata(
            json!({"team": "billing", "tier": 2})
                .as_object()
                .unwrap()
                .clone(),
        );
    assert!(request.validate().is_ok());
    assert!(validator.is_valid(&serde_json::to_value(&request).unwrap()));

    let mut ratios = Vec::new();
    for round in 0..ROUNDS {
        let t = Instant::now();
        for _ in 0..PER_ROUND {
            black_box(black_box(&request).validate()).unwrap();
        }
        let generated = t.elapsed().as_nanos() as f64 / f64::from(PER_ROUND);
        let t = Instant::now();
        for _ in 0..PER_ROUND {
            let value = serde_json::to_value(black_box(&request)).unwrap();
            assert!(black_box(validator.is_valid(&value)));
        }
        let runtime = t.elapsed().as_nanos() as f64 / f64::from(PER_ROUND);
        println!(
            "round {round}: generated validate() {generated:.0} ns, jsonschema (to_value + is_valid) {runtime:.0} ns"
        );
        ratios.push(runtime / generated);
    }
    ratios.sort_by(f64::total_cmp);
    println!(
        "jsonschema / generated, per check: median {:.1}x (min {:.1}x, max {:.1}x)",
        ratios[ROUNDS / 2],
        ratios[0],
        ratios[ROUNDS - 1]
    );
}
