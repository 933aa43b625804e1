//! A flight: one piece of background work run as its own task, shared by every caller that waits for it, whose
//! end is always recorded. When the task finishes, panics, or is dropped (its runtime shut down), its `finish`
//! runs exactly once, so the owner never keeps a flight that nobody will ever end.
//!
//! The JWKS source and the token provider each keep at most one flight per entry and clear it in `finish`.

use std::future::Future;

use futures_util::FutureExt as _;
use futures_util::future::{BoxFuture, Shared};
use tokio::sync::oneshot;

/// The shared outcome of a flight; every clone resolves to the same value.
pub(crate) type Flight<T> = Shared<BoxFuture<'static, T>>;

/// How a flight's task ended without finishing its work.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Died {
    /// The work panicked.
    Panicked,
    /// The task was dropped before it finished (its runtime shut down, or it was aborted).
    Cancelled,
}

impl Died {
    /// The phrase for an error message.
    pub(crate) fn describe(self) -> &'static str {
        match self {
            Died::Panicked => "panicked",
            Died::Cancelled => "was cancelled (its runtime shut down)",
        }
    }
}

/// Runs `finish` with `Err(Died)` if dropped before it was used, and hands its result to the waiters.
struct Finish<F: FnOnce(Result<O, Died>) -> T, O, T> {
    finish: Option<F>,
    waiters: Option<oneshot::Sender<T>>,
    _output: std::marker::PhantomData<fn(O)>,
}

impl<F: FnOnce(Result<O, Died>) -> T, O, T> Finish<F, O, T> {
    fn run(&mut self, outcome: Result<O, Died>) {
        if let Some(finish) = self.finish.take() {
            let result = finish(outcome);
            if let Some(waiters) = self.waiters.take() {
                // Nobody may be waiting (a background refresh): that is fine.
                let _ = waiters.send(result);
            }
        }
    }
}

impl<F: FnOnce(Result<O, Died>) -> T, O, T> Drop for Finish<F, O, T> {
    fn drop(&mut self) {
        let died = if std::thread::panicking() {
            Died::Panicked
        } else {
            Died::Cancelled
        };
        self.run(Err(died));
    }
}

/// A flight's task, built but not yet running: [`start`](Self::start) it once the caller has released any
/// lock that `finish` takes (a runtime that is shutting down drops a task as it is spawned, and so runs `finish`
/// on the spawning thread). Dropped without being started, it finishes as cancelled.
#[must_use = "a launch does nothing until it is started"]
pub(crate) struct Launch(BoxFuture<'static, ()>);

impl Launch {
    /// Spawns the task on the current tokio runtime.
    pub(crate) fn start(self) {
        drop(tokio::spawn(self.0));
    }
}

/// Builds a flight of `work`. `finish` records its end exactly once, with the work's output or with how the task
/// died (panic, cancellation), and returns what every waiter gets. The flight can be cloned and awaited by many
/// callers, or dropped: the work goes on. `lost` answers waiters only if `finish` itself failed.
pub(crate) fn prepare<W, O, T>(
    work: W,
    finish: impl FnOnce(Result<O, Died>) -> T + Send + 'static,
    lost: fn(Died) -> T,
) -> (Flight<T>, Launch)
where
    W: Future<Output = O> + Send + 'static,
    O: Send + 'static,
    T: Clone + Send + Sync + 'static,
{
    let (tx, rx) = oneshot::channel();
    let mut guard = Finish {
        finish: Some(finish),
        waiters: Some(tx),
        _output: std::marker::PhantomData,
    };
    let task = async move {
        // `guard` is owned by this future: dropped with it whatever happens from here on, started or not.
        let output = work.await;
        guard.run(Ok(output));
    };
    let flight = async move { rx.await.unwrap_or_else(|_| lost(Died::Panicked)) }
        .boxed()
        .shared();
    (flight, Launch(task.boxed()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::sync::mpsc;

    type Recorded = Result<u8, Died>;

    fn recorder() -> (
        Arc<AtomicU32>,
        mpsc::Sender<Recorded>,
        mpsc::Receiver<Recorded>,
    ) {
        let (tx, rx) = mpsc::channel();
        (Arc::new(AtomicU32::new(0)), tx, rx)
    }

    #[tokio::test]
    async fn a_finished_flight_reaches_finish_and_every_waiter() {
        let (count, tx, rx) = recorder();
        let c = count.clone();
        let (flight, launch) = prepare(
            async { 7u8 },
            move |outcome| {
                c.fetch_add(1, Ordering::SeqCst);
                tx.send(outcome).unwrap();
                outcome.map_err(|_| ())
            },
            |_| Err(()),
        );
        launch.start();
        let (a, b) = tokio::join!(flight.clone(), flight);
        assert_eq!((a, b), (Ok(7), Ok(7)));
        assert_eq!(rx.recv().unwrap(), Ok(7));
        assert_eq!(count.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn a_panicking_flight_is_finished_as_panicked() {
        let (_, tx, rx) = recorder();
        let (flight, launch) = prepare(
            async { panic!("transport bug") },
            move |outcome: Result<u8, Died>| {
                tx.send(outcome).unwrap();
                outcome
            },
            Err,
        );
        launch.start();
        assert_eq!(flight.await, Err(Died::Panicked));
        assert_eq!(rx.recv().unwrap(), Err(Died::Panicked));
    }

    #[test]
    fn a_flight_whose_runtime_shuts_down_is_finished_as_cancelled() {
        let (_, tx, rx) = recorder();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        #[allow(clippy::async_yields_async)] // the flight is awaited on another runtime
        let flight = runtime.block_on(async {
            let (flight, launch) = prepare(
                std::future::pending::<u8>(),
                move |outcome| {
                    tx.send(outcome).unwrap();
                    outcome
                },
                Err,
            );
            launch.start();
            tokio::task::yield_now().await;
            flight
        });
        drop(runtime);
        assert_eq!(rx.recv().unwrap(), Err(Died::Cancelled));
        let other = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        assert_eq!(other.block_on(flight), Err(Died::Cancelled));
    }

    #[tokio::test]
    async fn a_launch_never_started_is_finished_as_cancelled() {
        let (_, tx, rx) = recorder();
        let (flight, launch) = prepare(
            async { 1u8 },
            move |outcome| {
                tx.send(outcome).unwrap();
                outcome
            },
            Err,
        );
        drop(launch);
        assert_eq!(rx.recv().unwrap(), Err(Died::Cancelled));
        assert_eq!(flight.await, Err(Died::Cancelled));
    }
}
