//! The mock engine's speed and memory: creates per second, search latency by id and by scope at 1k, 10k and 100k
//! clients, and memory per client. Prints figures; ratios against the 1k run of the same process are what to
//! compare (the machine is shared and noisy).
//!
//! `cargo bench -p stytch-m2m-mock --bench engine`

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering};
use std::time::{Duration, Instant};

use stytch_m2m_core::models::{CreateRequest, SearchOperand, SearchRequest};
use stytch_m2m_mock::MockStytch;

/// Counts live heap bytes, to measure memory per client.
struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);

// SAFETY: forwards to the system allocator and only counts.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        // SAFETY: same layout contract as the caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        // SAFETY: `ptr` was allocated by `System` with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn request(i: usize) -> CreateRequest {
    CreateRequest::new(["common:all".to_owned(), format!("group:{}", i % 100)])
        .client_name(format!("client-{i}"))
}

struct Figures {
    n: usize,
    creates_per_sec: f64,
    bytes_per_client: f64,
    by_id: Duration,
    by_scope: Duration,
    by_common_scope: Duration,
}

fn run(n: usize) -> Figures {
    let mock = MockStytch::builder().deterministic(1).build();
    let engine = mock.engine();
    let before = LIVE.load(Ordering::Relaxed);
    let started = Instant::now();
    let mut ids = Vec::with_capacity(n);
    for i in 0..n {
        ids.push(engine.create(request(i)).expect("create").client_id);
    }
    let elapsed = started.elapsed();
    let ids_bytes: usize = ids.iter().map(|s| s.capacity()).sum::<usize>() + ids.capacity() * 24;
    let bytes = (LIVE.load(Ordering::Relaxed) - before) as f64 - ids_bytes as f64;
    let samples = 2000;
    let by_id = median(
        (0..samples)
            .map(|k| {
                let id = &ids[(k * 7919) % n];
                let req = SearchRequest::all_of([SearchOperand::client_ids([id.as_str()])]);
                let t = Instant::now();
                let (page, _) = engine.search(&req).expect("search");
                assert_eq!(page.len(), 1);
                t.elapsed()
            })
            .collect(),
    );
    let scoped = |scope: &str, expect_total: usize| {
        let req = SearchRequest::all_of([SearchOperand::scopes([scope])]).limit(100);
        median(
            (0..samples / 4)
                .map(|_| {
                    let t = Instant::now();
                    let (_, meta) = engine.search(&req).expect("search");
                    assert_eq!(meta.total as usize, expect_total);
                    t.elapsed()
                })
                .collect(),
        )
    };
    Figures {
        n,
        creates_per_sec: n as f64 / elapsed.as_secs_f64(),
        bytes_per_client: bytes / n as f64,
        by_id,
        by_scope: scoped("group:7", n / 100),
        by_common_scope: scoped("common:all", n),
    }
}

fn main() {
    let runs: Vec<Figures> = [1_000, 10_000, 100_000].into_iter().map(run).collect();
    let base = &runs[0];
    println!("mock engine (one process; ratios are against the 1k run)");
    println!(
        "{:>8} {:>12} {:>10} {:>14} {:>16} {:>22}",
        "clients",
        "creates/s",
        "bytes/cl",
        "by id (ratio)",
        "by scope 1% (ratio)",
        "by scope 100%, page 100"
    );
    for f in &runs {
        println!(
            "{:>8} {:>12.0} {:>10.0} {:>7.2?} ({:.2}) {:>9.2?} ({:.2}) {:>14.2?} ({:.2})",
            f.n,
            f.creates_per_sec,
            f.bytes_per_client,
            f.by_id,
            f.by_id.as_secs_f64() / base.by_id.as_secs_f64(),
            f.by_scope,
            f.by_scope.as_secs_f64() / base.by_scope.as_secs_f64(),
            f.by_common_scope,
            f.by_common_scope.as_secs_f64() / base.by_common_scope.as_secs_f64(),
        );
    }
}
