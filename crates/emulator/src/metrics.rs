//! What the emulator answered, for `GET /_emulator/metrics` (Prometheus text): requests by route and status
//! class, faults fired, tokens minted. Counted in shards of their own cache lines, one per thread (round robin),
//! so that two cores answering `get`s never write the same line; the shards are summed when read.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use stytch_m2m_mock::Route;

/// The routes counted, by index; the last is every other path (control, discovery, unknown).
const ROUTES: [(Option<Route>, &str); 11] = [
    (Some(Route::Create), "create"),
    (Some(Route::Search), "search"),
    (Some(Route::Get), "get"),
    (Some(Route::Update), "update"),
    (Some(Route::Delete), "delete"),
    (Some(Route::RotateStart), "rotate_start"),
    (Some(Route::RotateCancel), "rotate_cancel"),
    (Some(Route::Rotate), "rotate"),
    (Some(Route::Token), "token"),
    (Some(Route::Jwks), "jwks"),
    (None, "other"),
];

/// Status classes: 1xx and 2xx, 3xx, 4xx, 5xx.
const CLASSES: [&str; 4] = ["2xx", "3xx", "4xx", "5xx"];

const SHARDS: usize = 8;

/// One thread's counters, on cache lines of their own.
#[repr(align(128))]
struct Shard([AtomicU64; ROUTES.len() * CLASSES.len()]);

impl Default for Shard {
    fn default() -> Self {
        Self(std::array::from_fn(|_| AtomicU64::new(0)))
    }
}

/// The counters of one emulator.
pub(crate) struct Counters {
    shards: Box<[Shard]>,
}

impl std::fmt::Debug for Counters {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Counters").finish_non_exhaustive()
    }
}

impl Default for Counters {
    fn default() -> Self {
        Self {
            shards: (0..SHARDS).map(|_| Shard::default()).collect(),
        }
    }
}

thread_local! {
    /// This thread's shard.
    static SHARD: usize = {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        NEXT.fetch_add(1, Ordering::Relaxed) % SHARDS
    };
}

fn route_index(route: Option<Route>) -> usize {
    ROUTES
        .iter()
        .position(|(r, _)| *r == route)
        .unwrap_or(ROUTES.len() - 1)
}

fn class_index(status: u16) -> usize {
    match status {
        ..300 => 0,
        300..400 => 1,
        400..500 => 2,
        _ => 3,
    }
}

impl Counters {
    /// One answer of this route (`None`: any other path) with this status.
    #[inline]
    pub(crate) fn count(&self, route: Option<Route>, status: u16) {
        let slot = route_index(route) * CLASSES.len() + class_index(status);
        let shard = SHARD.with(|s| *s);
        self.shards[shard].0[slot].fetch_add(1, Ordering::Relaxed);
    }

    fn total(&self, slot: usize) -> u64 {
        self.shards
            .iter()
            .map(|s| s.0[slot].load(Ordering::Relaxed))
            .sum()
    }

    /// The Prometheus text of the counters, with the faults fired so far.
    pub(crate) fn render(&self, faults_fired: u64) -> String {
        let mut text = String::from(
            "# HELP stytch_m2m_emulator_requests_total Requests answered, by route and status class.\n\
             # TYPE stytch_m2m_emulator_requests_total counter\n",
        );
        for (r, (_, route)) in ROUTES.iter().enumerate() {
            for (c, class) in CLASSES.iter().enumerate() {
                let n = self.total(r * CLASSES.len() + c);
                if n > 0 {
                    let _ = writeln!(
                        text,
                        "stytch_m2m_emulator_requests_total{{route=\"{route}\",status_class=\"{class}\"}} {n}"
                    );
                }
            }
        }
        let minted = self.total(route_index(Some(Route::Token)) * CLASSES.len());
        let _ = write!(
            text,
            "# HELP stytch_m2m_emulator_tokens_minted_total Token requests answered with a token.\n\
             # TYPE stytch_m2m_emulator_tokens_minted_total counter\n\
             stytch_m2m_emulator_tokens_minted_total {minted}\n\
             # HELP stytch_m2m_emulator_faults_fired_total Injected faults that answered a request.\n\
             # TYPE stytch_m2m_emulator_faults_fired_total counter\n\
             stytch_m2m_emulator_faults_fired_total {faults_fired}\n"
        );
        text
    }
}
