//! The baseline of `cargo xtask serve-bench`: a minimal hyper server answering every request with the bytes of one
//! file (a `get` body of the emulator) as JSON, set up per connection as the emulator is (HTTP/1.1, `TCP_NODELAY`,
//! a header timeout), on the same runtime. What the emulator costs above it is routing, credentials, the journal,
//! the engine and JSON.
//!
//! `cargo run --release -p stytch-m2m-emulator --example bare_get -- BODY-FILE` prints `listening on ADDRESS`.

use std::convert::Infallible;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let path = std::env::args_os()
        .nth(1)
        .ok_or_else(|| std::io::Error::other("usage: bare_get BODY-FILE"))?;
    let body = Bytes::from(std::fs::read(path)?);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    println!("listening on {}", listener.local_addr()?);
    loop {
        let (stream, _) = listener.accept().await?;
        let _ = stream.set_nodelay(true);
        let body = body.clone();
        let service = service_fn(move |_request| {
            let body = body.clone();
            async move {
                let mut response = hyper::Response::new(Full::new(body));
                response.headers_mut().insert(
                    hyper::header::CONTENT_TYPE,
                    hyper::header::HeaderValue::from_static("application/json"),
                );
                Ok::<_, Infallible>(response)
            }
        });
        let connection = http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(Duration::from_secs(10))
            .serve_connection(TokioIo::new(stream), service);
        tokio::spawn(connection);
    }
}
