//! `stytch-m2m-emulator health`: the container's health check, without a shell or curl in the image. One
//! `GET /_emulator/health` over HTTP/1.1 (hyper's client connection), bounded by a timeout.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use http_body_util::Empty;
use hyper_util::rt::TokioIo;

/// Whether the emulator on `host:port` answers 200; on failure, why.
pub async fn probe(host: IpAddr, port: u16, timeout: Duration) -> Result<(), String> {
    let host = match host {
        IpAddr::V4(v4) if v4.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(v6) if v6.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        other => other,
    };
    let address = SocketAddr::new(host, port);
    tokio::time::timeout(timeout, get(address))
        .await
        .map_err(|_| format!("no answer from {address} within {} ms", timeout.as_millis()))?
}

async fn get(address: SocketAddr) -> Result<(), String> {
    let stream = tokio::net::TcpStream::connect(address)
        .await
        .map_err(|e| format!("cannot connect to {address}: {e}"))?;
    let (mut sender, connection) =
        hyper::client::conn::http1::handshake::<_, Empty<bytes::Bytes>>(TokioIo::new(stream))
            .await
            .map_err(|e| format!("{address}: {e}"))?;
    tokio::spawn(connection);
    let request = hyper::Request::get("/_emulator/health")
        .header(hyper::header::HOST, address.to_string())
        .body(Empty::new())
        .map_err(|e| e.to_string())?;
    let response = sender
        .send_request(request)
        .await
        .map_err(|e| format!("{address}: {e}"))?;
    match response.status() {
        hyper::StatusCode::OK => Ok(()),
        status => Err(format!("{address} answered {status}")),
    }
}
