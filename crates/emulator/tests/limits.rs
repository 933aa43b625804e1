//! Every connection is bounded in time and memory, whatever it sends: header, body and idle timeouts, a
//! connection cap, a shutdown deadline (paused tokio clock, real sockets on 127.0.0.1), and the process's memory
//! under unauthenticated floods (through the binary).

use std::io::{Read as _, Write as _};
use std::process::{Command, Stdio};
use std::time::Duration;

use stytch_m2m_emulator::{Emulator, ServerLimits};
use stytch_m2m_mock::MockStytch;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

mod support;
use support::{KillOnDrop, address_of};

type Serving = (
    String,
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<std::io::Result<()>>,
);

async fn serve(limits: ServerLimits) -> Serving {
    serve_mock(MockStytch::new(), limits).await
}

async fn serve_mock(mock: MockStytch, limits: ServerLimits) -> Serving {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap().to_string();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let emulator = Emulator::with_limits(mock, None, limits);
    let task = tokio::spawn(emulator.serve(listener, async move {
        let _ = stopped.await;
    }));
    (address, stop, task)
}

/// Whether the server closed the connection (reads EOF or a reset), after answering whatever it answered.
async fn closed(stream: &mut TcpStream) -> bool {
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return true,
            Ok(_) => continue,
        }
    }
}

const GET: &[u8] = b"GET /openapi.json HTTP/1.1\r\nhost: x\r\n\r\n";

#[tokio::test(start_paused = true)]
async fn slow_headers_and_idle_connections_are_closed() {
    let (address, _stop, _task) = serve(ServerLimits::default()).await;
    // 50 clients that send one header byte and then nothing.
    let mut slow = Vec::new();
    for _ in 0..50 {
        let mut stream = TcpStream::connect(&address).await.unwrap();
        stream.write_all(b"G").await.unwrap();
        slow.push(stream);
    }
    // A client that makes one request and then keeps the connection idle.
    let mut idle = TcpStream::connect(&address).await.unwrap();
    idle.write_all(GET).await.unwrap();
    let mut first = [0u8; 12];
    idle.read_exact(&mut first).await.unwrap();
    assert_eq!(&first, b"HTTP/1.1 200");
    tokio::time::sleep(Duration::from_secs(11)).await;
    for stream in &mut slow {
        assert!(closed(stream).await);
    }
    assert!(
        closed(&mut idle).await,
        "an idle keep-alive connection is closed too"
    );
}

#[tokio::test(start_paused = true)]
async fn a_slow_body_gets_408_in_time() {
    let (address, _stop, _task) = serve(ServerLimits::default()).await;
    let mut stream = TcpStream::connect(&address).await.unwrap();
    stream
        .write_all(b"POST /v1/public/p/oauth2/token HTTP/1.1\r\nhost: x\r\ncontent-length: 100\r\n\r\ngrant_type")
        .await
        .unwrap();
    let started = tokio::time::Instant::now();
    let mut answer = Vec::new();
    let mut buf = [0u8; 1024];
    while !answer.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut buf).await.unwrap();
        assert!(n > 0, "closed without an answer");
        answer.extend_from_slice(&buf[..n]);
    }
    assert!(
        answer.starts_with(b"HTTP/1.1 408"),
        "{}",
        String::from_utf8_lossy(&answer)
    );
    assert!(started.elapsed() <= Duration::from_secs(11));
}

#[tokio::test(start_paused = true)]
async fn connections_past_the_cap_wait_for_a_free_slot() {
    let (address, _stop, _task) = serve(ServerLimits::default().with_max_connections(3)).await;
    let mut holding = Vec::new();
    for _ in 0..3 {
        let mut stream = TcpStream::connect(&address).await.unwrap();
        stream.write_all(GET).await.unwrap();
        let mut status = [0u8; 12];
        stream.read_exact(&mut status).await.unwrap();
        holding.push(stream);
    }
    // The fourth connects (the kernel's backlog) but is not served while three are open.
    let mut waiting = TcpStream::connect(&address).await.unwrap();
    waiting.write_all(GET).await.unwrap();
    let mut status = [0u8; 12];
    let early = tokio::time::timeout(Duration::from_secs(2), waiting.read_exact(&mut status)).await;
    assert!(early.is_err(), "served past the cap");
    drop(holding.pop());
    // Waits on the answer itself, with no timer of its own: on the paused clock, a timeout fires as soon as the
    // runtime finds nothing ready, which on a loaded machine can come before the kernel reports the closed
    // connection to the server.
    waiting
        .read_exact(&mut status)
        .await
        .expect("served once a slot is free");
    assert_eq!(&status, b"HTTP/1.1 200");
}

#[tokio::test(start_paused = true)]
async fn shutdown_completes_by_its_deadline_with_a_request_half_sent() {
    let limits = ServerLimits::default()
        .with_timeouts(Duration::from_secs(60), Duration::from_secs(60))
        .with_shutdown_deadline(Duration::from_secs(5));
    let (address, stop, task) = serve(limits).await;
    let mut stream = TcpStream::connect(&address).await.unwrap();
    stream
        .write_all(b"POST /v1/m2m/clients HTTP/1.1\r\nhost: x\r\ncontent-length: 100\r\n\r\n{")
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(10)).await;
    let started = tokio::time::Instant::now();
    stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(6), task)
        .await
        .expect("serve returned by the deadline")
        .unwrap()
        .unwrap();
    assert!(started.elapsed() <= Duration::from_secs(6));
}

#[tokio::test(start_paused = true)]
async fn shutdown_answers_the_request_in_flight_and_closes_idle_connections_without_waiting() {
    // The clock is paused: every duration here is tokio's, advanced only when all tasks wait. Serving that waited
    // for a timeout or the deadline would move it by 30 s or more; serving that did not moves it by none.
    let limits = ServerLimits::default()
        .with_timeouts(Duration::from_secs(60), Duration::from_secs(60))
        .with_shutdown_deadline(Duration::from_secs(30));
    let mock = MockStytch::new();
    let auth = support::project_auth(&mock);
    let (address, stop, task) = serve_mock(mock, limits).await;
    // A keep-alive connection, idle after one request.
    let mut idle = TcpStream::connect(&address).await.unwrap();
    idle.write_all(GET).await.unwrap();
    let mut status = [0u8; 12];
    idle.read_exact(&mut status).await.unwrap();
    assert_eq!(&status, b"HTTP/1.1 200");
    // A create whose body is half sent when the shutdown starts.
    let body = br#"{"scopes":["read:invoices"]}"#;
    let head = format!(
        "POST /v1/m2m/clients HTTP/1.1\r\nhost: x\r\nauthorization: {}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
        auth.get("authorization").unwrap(),
        body.len()
    );
    let mut in_flight = TcpStream::connect(&address).await.unwrap();
    in_flight.write_all(head.as_bytes()).await.unwrap();
    in_flight.write_all(&body[..5]).await.unwrap();
    tokio::time::sleep(Duration::from_millis(10)).await;

    let started = tokio::time::Instant::now();
    stop.send(()).unwrap();
    assert!(closed(&mut idle).await, "the idle connection is closed");
    in_flight.write_all(&body[5..]).await.unwrap();
    let mut answer = Vec::new();
    in_flight.read_to_end(&mut answer).await.unwrap();
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains("\"client_id\":\"m2m-client-"), "{answer}");
    tokio::time::timeout(Duration::from_secs(1), task)
        .await
        .expect("serve returned once its connections ended, long before the deadline")
        .unwrap()
        .unwrap();
    assert!(started.elapsed() < Duration::from_secs(1));
}

fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap()
}

#[cfg(target_os = "linux")]
#[test]
fn unauthenticated_floods_leave_memory_flat() {
    let child = Command::new(env!("CARGO_BIN_EXE_stytch-m2m-emulator"))
        .args(["--port", "0"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut child = KillOnDrop(child);
    let address = address_of(&mut child);
    let before = rss_kib(child.0.id());
    let body = vec![b'x'; 1024 * 1024];
    for _ in 0..200 {
        let mut stream = std::net::TcpStream::connect(&address).unwrap();
        let head = format!(
            "POST /v1/m2m/clients HTTP/1.1\r\nhost: x\r\nauthorization: Basic bm9wZTpub3Bl\r\ncontent-length: {}\r\n\r\n",
            body.len()
        );
        stream.write_all(head.as_bytes()).unwrap();
        let _ = stream.write_all(&body); // the server may answer 401 and close before reading it
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer);
        assert!(
            answer.starts_with(b"HTTP/1.1 401"),
            "{}",
            String::from_utf8_lossy(&answer[..answer.len().min(80)])
        );
    }
    let after = rss_kib(child.0.id());
    assert!(
        after < before + 32 * 1024,
        "RSS grew from {before} KiB to {after} KiB after 200 unauthenticated 1 MiB requests"
    );
}

#[cfg(unix)]
#[test]
fn sigterm_completes_while_a_client_holds_a_half_sent_request() {
    let child = Command::new(env!("CARGO_BIN_EXE_stytch-m2m-emulator"))
        .args(["--port", "0"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut child = KillOnDrop(child);
    let address = address_of(&mut child);
    let mut held = std::net::TcpStream::connect(&address).unwrap();
    held.write_all(b"POST /v1/m2m/clients HTTP/1.1\r\nhost: x\r\ncontent-length: 100\r\n\r\n{")
        .unwrap();
    let killed = Command::new("kill")
        .args(["-TERM", &child.0.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    // The shutdown deadline is 5 s; give the process a little more to exit.
    let deadline = std::time::Instant::now() + Duration::from_secs(8);
    loop {
        if let Some(status) = child.0.try_wait().unwrap() {
            assert!(status.success(), "{status:?}");
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "SIGTERM did not complete while a request was half sent"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    drop(held);
}

/// Ticks of CPU time (user + system) the process has used.
#[cfg(target_os = "linux")]
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let after_name = &stat[stat.rfind(')').unwrap() + 2..];
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap()
}

#[cfg(target_os = "linux")]
#[test]
fn running_out_of_file_descriptors_does_not_spin() {
    let child = Command::new("sh")
        .args([
            "-c",
            &format!(
                "ulimit -n 48 && exec {} --port 0",
                env!("CARGO_BIN_EXE_stytch-m2m-emulator")
            ),
        ])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut child = KillOnDrop(child);
    let address = address_of(&mut child);
    // More connections than the process has descriptors: accept fails with EMFILE while they wait.
    let held: Vec<_> = (0..80)
        .filter_map(|_| std::net::TcpStream::connect(&address).ok())
        .collect();
    std::thread::sleep(Duration::from_millis(200));
    let before = cpu_ticks(child.0.id());
    std::thread::sleep(Duration::from_millis(1000));
    let used = cpu_ticks(child.0.id()) - before;
    // A spinning accept loop burns the whole second (~100 ticks); backing off uses almost nothing.
    assert!(
        used < 30,
        "{used} ticks of CPU in one second with accept failing"
    );
    drop(held);
}
