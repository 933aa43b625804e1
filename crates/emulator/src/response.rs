//! From the emulator's plain answer to a hyper response.

use bytes::Bytes;
use http_body_util::Full;
use stytch_m2m_core::transport::HttpResponse;

/// The headers a response's map has room for at least: what hyper gives a map of its own on the first insert.
const REUSED_HEADER_ROOM: usize = 6;

/// hyper's response to an answer; no answer (an injected fault lost it) is an error, and hyper closes the
/// connection.
pub(crate) fn respond_with(
    answer: Option<HttpResponse>,
) -> Result<hyper::Response<Full<Bytes>>, std::io::Error> {
    match answer {
        Some(response) => Ok(to_hyper(response)),
        None => Err(std::io::Error::other(
            "the response was lost (injected fault)",
        )),
    }
}

/// The hyper response of an answer; one that cannot be built (a status or header hyper refuses) is a 500, never
/// a success with an empty body.
pub(crate) fn to_hyper(response: HttpResponse) -> hyper::Response<Full<Bytes>> {
    to_hyper_in(response, hyper::HeaderMap::new())
}

/// [`to_hyper`] with the response's headers written into `headers`, emptied first: the map hyper parsed the
/// request into, handed back as its response's, so that answering allocates no map. Nothing of the request's
/// headers is left in it.
pub(crate) fn to_hyper_in(
    response: HttpResponse,
    mut headers: hyper::HeaderMap,
) -> hyper::Response<Full<Bytes>> {
    let Ok(status) = hyper::StatusCode::from_u16(response.status) else {
        return unbuildable(&format!("status {}", response.status));
    };
    headers.clear();
    // hyper keeps this map once the head is written and parses the connection's next request into it: with room
    // for 6, as hyper sizes a map of its own, the next request's headers fit without growing it (two allocations
    // and a copy on every request when it was sized for this response's one header). A map with that room already
    // (a request's) is not reallocated.
    headers.reserve(response.headers.len().max(REUSED_HEADER_ROOM));
    for (name, value) in response.headers.iter() {
        let (name, value) = match (name, value) {
            // Every JSON answer has it: no copy, no parse.
            ("content-type", "application/json") => (
                hyper::header::CONTENT_TYPE,
                hyper::header::HeaderValue::from_static("application/json"),
            ),
            _ => match (
                hyper::header::HeaderName::from_bytes(name.as_bytes()),
                hyper::header::HeaderValue::from_str(value),
            ) {
                (Ok(name), Ok(value)) => (name, value),
                (Err(e), _) => return unbuildable(&e.to_string()),
                (_, Err(e)) => return unbuildable(&e.to_string()),
            },
        };
        headers.append(name, value);
    }
    let mut built = hyper::Response::new(Full::new(response.body));
    *built.status_mut() = status;
    // The map `Response::new` made is empty and allocated nothing (`HeaderMap::new`): swapped out and forgotten,
    // nothing is leaked, and no drop runs for it on every request.
    std::mem::swap(built.headers_mut(), &mut headers);
    debug_assert!(headers.is_empty() && headers.capacity() == 0);
    std::mem::forget(headers);
    built
}

/// The 500 answered for a response hyper refuses (never a success with an empty body).
fn unbuildable(error: &str) -> hyper::Response<Full<Bytes>> {
    tracing::error!(error, "a response could not be built; answering 500");
    let mut failed = hyper::Response::new(Full::new(Bytes::from_static(
        br#"{"status_code":500,"error_type":"internal_server_error","error_message":"The response could not be built."}"#,
    )));
    *failed.status_mut() = hyper::StatusCode::INTERNAL_SERVER_ERROR;
    failed.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("application/json"),
    );
    failed
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt as _;
    use serde_json::Value;

    #[test]
    fn a_response_that_cannot_be_built_is_a_500_not_an_empty_success() {
        let fine = to_hyper(
            HttpResponse::new(201, b"{}".to_vec())
                .with_header("x-ok", "1")
                .with_header("X-Ok", "2"),
        );
        assert_eq!(fine.status(), 201);
        // hyper parses the connection's next request into this map: it must not be sized for two headers.
        assert!(fine.headers().capacity() >= REUSED_HEADER_ROOM);
        assert_eq!(fine.headers()["content-type"], "application/json");
        let repeated: Vec<_> = fine.headers().get_all("x-ok").iter().collect();
        assert_eq!(repeated, ["1", "2"]);
        assert_eq!(collect_full(fine.into_body()), Bytes::from_static(b"{}"));
        for broken in [
            HttpResponse::new(1000, b"{}".to_vec()),
            HttpResponse::new(200, b"{}".to_vec()).with_header("bad name", "x"),
        ] {
            assert_eq!(to_hyper(broken).status(), 500);
        }
        let broken =
            to_hyper(HttpResponse::new(200, b"{}".to_vec()).with_header("x-bad", "line\nbreak"));
        assert_eq!(broken.status(), 500);
        assert_eq!(broken.headers()["content-type"], "application/json");
        let body = broken.into_body();
        let bytes = collect_full(body);
        let json: Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(json["error_type"], "internal_server_error");
    }

    #[test]
    fn a_request_map_reused_for_the_response_keeps_nothing_of_the_request() {
        let mut request = hyper::HeaderMap::new();
        request.insert("authorization", "Basic c2VjcmV0".parse().unwrap());
        request.insert("host", "127.0.0.1".parse().unwrap());
        let room = request.capacity();
        let response = to_hyper_in(HttpResponse::new(200, b"{}".to_vec()), request);
        assert_eq!(response.status(), 200);
        let headers: Vec<(&str, &[u8])> = response
            .headers()
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_bytes()))
            .collect();
        assert_eq!(headers, [("content-type", &b"application/json"[..])]);
        assert!(response.headers().capacity() >= room.max(REUSED_HEADER_ROOM));
    }

    /// The bytes of a `Full` body (one frame, ready at once).
    fn collect_full(body: Full<Bytes>) -> Bytes {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        runtime.block_on(async { body.collect().await.unwrap().to_bytes() })
    }
}
