//! From the emulator's plain answer to a hyper response.

use bytes::Bytes;
use http_body_util::Full;
use stytch_m2m_core::transport::HttpResponse;

/// The hyper response of an answer; one that cannot be built (a status or header hyper refuses) is a 500, never
/// a success with an empty body.
pub(crate) fn to_hyper(response: HttpResponse) -> hyper::Response<Full<Bytes>> {
    let mut builder = hyper::Response::builder().status(response.status);
    for (name, value) in response.headers.iter() {
        builder = match (name, value) {
            // Every JSON answer has it: no copy.
            ("content-type", "application/json") => builder.header(
                hyper::header::CONTENT_TYPE,
                hyper::header::HeaderValue::from_static("application/json"),
            ),
            _ => builder.header(name, value),
        };
    }
    builder.body(Full::new(response.body)).unwrap_or_else(|e| {
        tracing::error!(error = %e, "a response could not be built; answering 500");
        let mut failed = hyper::Response::new(Full::new(Bytes::from_static(
            br#"{"status_code":500,"error_type":"internal_server_error","error_message":"The response could not be built."}"#,
        )));
        *failed.status_mut() = hyper::StatusCode::INTERNAL_SERVER_ERROR;
        failed.headers_mut().insert(
            hyper::header::CONTENT_TYPE,
            hyper::header::HeaderValue::from_static("application/json"),
        );
        failed
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt as _;
    use serde_json::Value;

    #[test]
    fn a_response_that_cannot_be_built_is_a_500_not_an_empty_success() {
        let fine = to_hyper(HttpResponse::new(200, b"{}".to_vec()).with_header("x-ok", "1"));
        assert_eq!(fine.status(), 200);
        let broken =
            to_hyper(HttpResponse::new(200, b"{}".to_vec()).with_header("x-bad", "line\nbreak"));
        assert_eq!(broken.status(), 500);
        assert_eq!(broken.headers()["content-type"], "application/json");
        let body = broken.into_body();
        let bytes = collect_full(body);
        let json: Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(json["error_type"], "internal_server_error");
    }

    /// The bytes of a `Full` body (one frame, ready at once).
    fn collect_full(body: Full<Bytes>) -> Bytes {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        runtime.block_on(async { body.collect().await.unwrap().to_bytes() })
    }
}
