//! `cargo xtask startup-bench`'s parts that need no Docker: reading Docker's timestamps, and waiting for health.

use std::io::{Read as _, Write as _};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use xtask::startup_bench::{Clock, POLL, parse_utc, wait_ready, wait_ready_within};

/// A clock that moves only when the wait sleeps, by exactly the pause asked: no real time passes in these tests.
struct SteppedClock {
    now: Instant,
    sleeps: u32,
}

impl SteppedClock {
    fn new() -> Self {
        Self {
            now: Instant::now(),
            sleeps: 0,
        }
    }
}

impl Clock for SteppedClock {
    fn now(&self) -> Instant {
        self.now
    }

    fn sleep(&mut self, pause: Duration) {
        self.now += pause;
        self.sleeps += 1;
    }
}

#[test]
fn docker_timestamps_are_read_to_the_nanosecond() {
    // The expected figures are `date -u -d <text> +%s%N`.
    assert_eq!(
        parse_utc("2026-12-04T14:02:34.74347173Z"),
        Some(1_796_392_954_743_471_730)
    );
    assert_eq!(
        parse_utc("2000-02-29T23:59:59Z"),
        Some(951_868_799_000_000_000)
    );
    assert_eq!(parse_utc("1970-01-01T00:00:00.000000001Z"), Some(1));
    assert_eq!(parse_utc("1969-12-31T23:59:59.5Z"), Some(-500_000_000));
    // Docker's "never started".
    assert_eq!(
        parse_utc("0001-01-01T00:00:00Z"),
        Some(-62_135_596_800_000_000_000)
    );
}

#[test]
fn anything_else_is_not_a_timestamp() {
    for text in [
        "",
        "2026-12-04T14:02:34",
        "2026-12-04 14:02:34Z",
        "2026-13-04T14:02:34Z",
        "2026-12-00T14:02:34Z",
        "2026-12-04T24:00:00Z",
        "2026-12-04T14:60:00Z",
        "2026-12-04T14:02:34.1234567890Z",
        "2026-12-04T14:02:34.12a4Z",
        "2026-12-04T14:02:34+01:00",
    ] {
        assert_eq!(parse_utc(text), None, "{text:?}");
    }
}

#[test]
fn waiting_for_health_goes_on_until_a_200() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    // Answers 503 twice, then 200; counts its answers before sending each.
    let answered = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&answered);
    let server = std::thread::spawn(move || {
        for (n, status) in [
            "503 Service Unavailable",
            "503 Service Unavailable",
            "200 OK",
        ]
        .into_iter()
        .enumerate()
        {
            let (mut stream, _) = listener.accept().unwrap();
            let mut request = [0u8; 512];
            let read = stream.read(&mut request).unwrap();
            assert!(
                request[..read].starts_with(b"GET /_emulator/health HTTP/1.1\r\n"),
                "request {n}: {:?}",
                String::from_utf8_lossy(&request[..read])
            );
            counter.fetch_add(1, Ordering::SeqCst);
            // One write, its outcome ignored: the poll reads the status line and closes, which may reset the
            // connection before the rest arrives (with `write!`'s several writes, a later one failed on a loaded
            // machine).
            let answer = format!("HTTP/1.1 {status}\r\ncontent-length: 0\r\n\r\n");
            let _ = stream.write_all(answer.as_bytes());
        }
    });
    let mut clock = SteppedClock::new();
    let start = clock.now();
    // Each poll waits as long as the server may take to be scheduled on a loaded machine: the outcome depends on
    // the answers alone (with the bench's one second, a late server thread wrote into a closed socket).
    let ready = wait_ready_within(
        address,
        &mut clock,
        start + Duration::from_secs(30),
        Duration::from_secs(600),
    )
    .unwrap();
    // It returned only after the third answer, the 200, having paused once after each 503.
    assert_eq!(answered.load(Ordering::SeqCst), 3);
    assert_eq!(clock.sleeps, 2);
    assert_eq!(ready, start + 2 * POLL);
    server.join().unwrap();
}

#[test]
fn waiting_for_health_gives_up_at_the_deadline() {
    // A port nothing listens on (it was free a moment ago).
    let address = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let mut clock = SteppedClock::new();
    let deadline = clock.now() + 80 * POLL;
    let error = wait_ready(address, &mut clock, deadline).unwrap_err();
    assert!(error.contains("did not answer health 200"), "{error}");
    // It polled until the clock reached the deadline, and stopped there.
    assert_eq!(clock.sleeps, 80);
    assert_eq!(clock.now(), deadline);
}
