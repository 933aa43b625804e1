//! `cargo xtask startup-bench`: how soon the emulator answers once started, the figure behind the image's target
//! "ready (health 200) within 100 ms of start".
//!
//! Each round, in alternating order, starts
//! - the image (`stytch-m2m-emulator:latest`, on the host's network): `docker create` first, untimed, then
//!   `docker start`, timed from the moment it is run, and from Docker's own `State.StartedAt` stamp (taken by the
//!   daemon once the process runs, so a little after it began), to the first `200` from `/_emulator/health`;
//! - the same static binary run directly (the baseline: what starting costs without Docker), timed from spawning it
//!   to the first `200`.
//!
//! The health route is polled every quarter of a millisecond (a busy poll would take a core from the process being
//! started, on a 2-core machine). Needs the image and its binary: `cargo xtask image` first.

use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::image::{IMAGE, TARGET};

/// How long one start may take before the round fails.
const DEADLINE: Duration = Duration::from_secs(10);

/// The pause between two polls of the health route.
pub const POLL: Duration = Duration::from_micros(250);

/// One round's figures, in milliseconds.
struct Round {
    /// The binary run directly: from spawning it to health 200.
    binary: f64,
    container: Container,
}

/// A container's figures, in milliseconds.
struct Container {
    /// From running `docker start` to health 200.
    docker_start: f64,
    /// How long `docker start` took to return.
    docker_returned: f64,
    /// From Docker's `StartedAt` stamp to health 200.
    started_at: f64,
}

/// Time as the health wait sees it: the system's, or a test's that moves only when the wait sleeps.
pub trait Clock {
    /// The current instant.
    fn now(&self) -> Instant;
    /// Waits `pause` (or moves the clock by it).
    fn sleep(&mut self, pause: Duration);
}

/// The system's monotonic clock and `std::thread::sleep`.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Instant {
        Instant::now()
    }

    fn sleep(&mut self, pause: Duration) {
        std::thread::sleep(pause);
    }
}

/// Runs `rounds` interleaved rounds and prints each, then the medians and ranges.
pub fn run(root: &Path, rounds: usize) -> Result<(), String> {
    let binary = root.join("target").join(TARGET).join("release").join(IMAGE);
    if !binary.exists() {
        return Err(format!(
            "{} is missing: run `cargo xtask image` first",
            binary.display()
        ));
    }
    let image = format!("{IMAGE}:latest");
    let inspect = Command::new("docker")
        .args(["image", "inspect", "--format", "{{.Id}}", &image])
        .output()
        .map_err(|e| format!("cannot run docker: {e}"))?;
    if !inspect.status.success() {
        return Err(format!(
            "no image {image} (is a Docker daemon running? then `cargo xtask image`)"
        ));
    }
    println!(
        "{rounds} rounds; each: the image (docker start -> health 200) and its binary run directly"
    );
    let mut all = Vec::with_capacity(rounds);
    for round in 1..=rounds {
        let (binary, container) = if round % 2 == 1 {
            let b = start_binary(&binary)?;
            (b, start_container(&image)?)
        } else {
            let c = start_container(&image)?;
            (start_binary(&binary)?, c)
        };
        println!(
            "round {round}: image {:.1} ms after `docker start` (which returned after {:.1} ms), {:.1} ms after \
             Docker's StartedAt; binary {binary:.1} ms after spawn",
            container.docker_start, container.docker_returned, container.started_at
        );
        all.push(Round { binary, container });
    }
    let summary = |name: &str, pick: fn(&Round) -> f64| {
        let (median, min, max) = spread(all.iter().map(pick).collect());
        println!("{name}: median {median:.1} ms (range {min:.1}-{max:.1})");
    };
    summary("image, from `docker start`", |r| r.container.docker_start);
    summary("`docker start` itself (Docker's own work)", |r| {
        r.container.docker_returned
    });
    summary("image, from Docker's StartedAt", |r| r.container.started_at);
    summary("binary, from spawn (baseline)", |r| r.binary);
    println!("target: health 200 within 100 ms of start");
    Ok(())
}

/// Spawns the binary on a free port; milliseconds until its health route answers 200.
fn start_binary(binary: &Path) -> Result<f64, String> {
    let address = free_address()?;
    let started = Instant::now();
    let mut child = Command::new(binary)
        .env_clear()
        .env("STYTCH_EMULATOR_HOST", "127.0.0.1")
        .env("STYTCH_EMULATOR_PORT", address.port().to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
    let ready = wait_ready(address, &mut SystemClock, started + DEADLINE);
    let _ = child.kill();
    let _ = child.wait();
    ready.map(|at| millis(at - started))
}

/// Creates and starts a container of the image on a free port of the host's network: milliseconds from
/// `docker start` and from Docker's `StartedAt` until its health route answers 200, and how long `docker start` took.
fn start_container(image: &str) -> Result<Container, String> {
    let address = free_address()?;
    let created = Command::new("docker")
        .args(["create", "--network", "host"])
        .args(["-e", "STYTCH_EMULATOR_HOST=127.0.0.1"])
        .args(["-e", &format!("STYTCH_EMULATOR_PORT={}", address.port())])
        .arg(image)
        .output()
        .map_err(|e| format!("cannot run docker: {e}"))?;
    if !created.status.success() {
        return Err(format!(
            "docker create failed: {}",
            String::from_utf8_lossy(&created.stderr).trim()
        ));
    }
    let id = String::from_utf8_lossy(&created.stdout).trim().to_owned();
    let result = time_container(&id, address);
    let _ = Command::new("docker")
        .args(["rm", "--force", &id])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    result
}

fn time_container(id: &str, address: SocketAddr) -> Result<Container, String> {
    let wall = SystemTime::now();
    let started = Instant::now();
    // `docker start` returns once the daemon has started the process; the health route is polled meanwhile.
    let mut docker = Command::new("docker")
        .args(["start", id])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run docker: {e}"))?;
    let mut returned = None;
    let ready = polling(
        address,
        &mut SystemClock,
        started + DEADLINE,
        READ_TIMEOUT,
        || {
            if returned.is_none()
                && let Ok(Some(status)) = docker.try_wait()
            {
                returned = Some((started.elapsed(), status));
            }
        },
    );
    let (returned, status) = match returned {
        Some(done) => done,
        None => {
            let status = docker.wait().map_err(|e| format!("docker start: {e}"))?;
            (started.elapsed(), status)
        }
    };
    if !status.success() {
        let mut stderr = String::new();
        if let Some(mut pipe) = docker.stderr.take() {
            let _ = pipe.read_to_string(&mut stderr);
        }
        return Err(format!("docker start failed: {}", stderr.trim()));
    }
    let at = ready?;
    let ready_wall = wall + (at - started);
    let inspect = Command::new("docker")
        .args(["inspect", "--format", "{{.State.StartedAt}}", id])
        .output()
        .map_err(|e| format!("cannot run docker: {e}"))?;
    let stamp = String::from_utf8_lossy(&inspect.stdout).trim().to_owned();
    let started_at = parse_utc(&stamp)
        .ok_or_else(|| format!("docker gave an unreadable StartedAt: {stamp:?}"))?;
    let ready_nanos = ready_wall
        .duration_since(UNIX_EPOCH)
        .map_err(|_| "the clock is before 1970".to_owned())?
        .as_nanos() as i128;
    Ok(Container {
        docker_start: millis(at - started),
        docker_returned: millis(returned),
        started_at: (ready_nanos - started_at) as f64 / 1e6,
    })
}

/// A port on 127.0.0.1 that was free a moment ago.
fn free_address() -> Result<SocketAddr, String> {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(|e| format!("no free port: {e}"))
}

/// Polls `GET /_emulator/health` at `address` until it answers 200, pausing [`POLL`] on `clock` between polls; the
/// clock's instant when it did. An error once the clock passes `deadline`.
pub fn wait_ready(
    address: SocketAddr,
    clock: &mut impl Clock,
    deadline: Instant,
) -> Result<Instant, String> {
    wait_ready_within(address, clock, deadline, READ_TIMEOUT)
}

/// How long one health poll waits for the answer's first bytes.
const READ_TIMEOUT: Duration = Duration::from_secs(1);

/// [`wait_ready`], each poll waiting up to `read_timeout` for its answer (a test gives it ample time, so that its
/// outcome does not depend on how soon a loaded machine schedules the server).
pub fn wait_ready_within(
    address: SocketAddr,
    clock: &mut impl Clock,
    deadline: Instant,
    read_timeout: Duration,
) -> Result<Instant, String> {
    polling(address, clock, deadline, read_timeout, || {})
}

/// [`wait_ready`], calling `between` before each poll.
fn polling(
    address: SocketAddr,
    clock: &mut impl Clock,
    deadline: Instant,
    read_timeout: Duration,
    mut between: impl FnMut(),
) -> Result<Instant, String> {
    loop {
        between();
        if health_ok(address, read_timeout) {
            return Ok(clock.now());
        }
        if clock.now() >= deadline {
            return Err(format!("{address} did not answer health 200 in time"));
        }
        clock.sleep(POLL);
    }
}

fn health_ok(address: SocketAddr, read_timeout: Duration) -> bool {
    let Ok(mut stream) = TcpStream::connect(address) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(read_timeout));
    if stream
        .write_all(
            b"GET /_emulator/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
        )
        .is_err()
    {
        return false;
    }
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).is_ok() && &head == b"HTTP/1.1 200"
}

/// Nanoseconds since the Unix epoch of an RFC 3339 time in UTC as Docker writes it
/// (`2026-12-04T14:02:34.74347173Z`: a fraction of up to nine digits, or none); `None` for anything else.
pub fn parse_utc(text: &str) -> Option<i128> {
    let (date, time) = text.strip_suffix('Z')?.split_once('T')?;
    let mut date = date.splitn(3, '-');
    let year: i64 = date.next()?.parse().ok()?;
    let month: u32 = date.next()?.parse().ok()?;
    let day: u32 = date.next()?.parse().ok()?;
    let (clock, fraction) = time.split_once('.').unwrap_or((time, ""));
    let mut clock = clock.splitn(3, ':');
    let hour: i64 = clock.next()?.parse().ok()?;
    let minute: i64 = clock.next()?.parse().ok()?;
    let second: i64 = clock.next()?.parse().ok()?;
    let in_range = (1..=12).contains(&month)
        && (1..=31).contains(&day)
        && hour < 24
        && minute < 60
        && second < 61
        && fraction.len() <= 9
        && fraction.bytes().all(|b| b.is_ascii_digit());
    if !in_range {
        return None;
    }
    let nanos: i128 = if fraction.is_empty() {
        0
    } else {
        fraction.parse::<i128>().ok()? * 10i128.pow(9 - fraction.len() as u32)
    };
    let seconds = days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second;
    Some(i128::from(seconds) * 1_000_000_000 + nanos)
}

/// Days from 1970-01-01 to a date of the proleptic Gregorian calendar (Howard Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month = i64::from(month);
    let day_of_year =
        (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The median, least and greatest of some figures.
fn spread(mut figures: Vec<f64>) -> (f64, f64, f64) {
    figures.sort_by(f64::total_cmp);
    let n = figures.len();
    let median = if n % 2 == 1 {
        figures[n / 2]
    } else {
        (figures[n / 2 - 1] + figures[n / 2]) / 2.0
    };
    (median, figures[0], figures[n - 1])
}

fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e3
}
