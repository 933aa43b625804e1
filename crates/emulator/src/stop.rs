//! [`Stop`]: the signal that shuts every connection down gracefully, read on every poll of a connection at the
//! cost of one load of a flag no core writes until the end. A shared channel (hyper-util's graceful shutdown) or
//! a cancellation token would take a lock on every poll.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::Context;

use futures_util::task::AtomicWaker;

/// The signal, given once.
#[derive(Default)]
pub(crate) struct Stop {
    shared: Arc<Shared>,
}

#[derive(Default)]
struct Shared {
    stopped: AtomicBool,
    /// The waker of each connection watching, woken by the signal. Taken when a connection starts and ends.
    watching: Mutex<Watching>,
}

#[derive(Default)]
struct Watching {
    next: u64,
    wakers: HashMap<u64, Arc<AtomicWaker>>,
}

impl Shared {
    fn watching(&self) -> std::sync::MutexGuard<'_, Watching> {
        self.watching.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Stop {
    /// A watch for one connection.
    pub(crate) fn watch(&self) -> Watch {
        let waker = Arc::new(AtomicWaker::new());
        let mut watching = self.shared.watching();
        let id = watching.next;
        watching.next += 1;
        watching.wakers.insert(id, waker.clone());
        Watch {
            shared: self.shared.clone(),
            id,
            waker,
        }
    }

    /// Gives the signal: every watch sees it, and each connection waiting is woken to see it.
    pub(crate) fn stop(&self) {
        self.shared.stopped.store(true, Ordering::Release);
        for waker in self.shared.watching().wakers.values() {
            waker.wake();
        }
    }
}

/// One connection's view of the signal.
pub(crate) struct Watch {
    shared: Arc<Shared>,
    id: u64,
    waker: Arc<AtomicWaker>,
}

impl Watch {
    /// Whether the signal was given; if not, the task polling is woken when it is.
    pub(crate) fn poll_stopped(&self, cx: &mut Context<'_>) -> bool {
        if self.shared.stopped.load(Ordering::Acquire) {
            return true;
        }
        // Registering touches only this connection's waker (no clone when it is the same task's).
        self.waker.register(cx.waker());
        // A signal given between the load above and the registration is seen here.
        self.shared.stopped.load(Ordering::Acquire)
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        self.shared.watching().wakers.remove(&self.id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;
    use std::task::{Wake, Waker};

    #[derive(Default)]
    struct Counted(AtomicUsize);

    impl Wake for Counted {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    /// A waker that counts its wakes, and the waker.
    fn counted() -> (Arc<Counted>, Waker) {
        let woken = Arc::new(Counted::default());
        (woken.clone(), Waker::from(woken))
    }

    #[test]
    fn a_waiting_connection_is_woken_by_the_signal_and_sees_it() {
        let stop = Stop::default();
        let (woken, waker) = counted();
        let mut cx = Context::from_waker(&waker);
        let watch = stop.watch();
        assert!(!watch.poll_stopped(&mut cx));
        assert!(!watch.poll_stopped(&mut cx), "polled again, still serving");
        assert_eq!(woken.0.load(Ordering::SeqCst), 0);
        stop.stop();
        assert_eq!(woken.0.load(Ordering::SeqCst), 1, "woken once");
        assert!(watch.poll_stopped(&mut cx));
        // A connection that starts after the signal sees it at once.
        assert!(stop.watch().poll_stopped(&mut cx));
    }

    #[test]
    fn an_ended_connection_is_no_longer_watching() {
        let stop = Stop::default();
        let (woken, waker) = counted();
        let mut cx = Context::from_waker(&waker);
        let kept = stop.watch();
        let ended = stop.watch();
        assert!(!ended.poll_stopped(&mut cx));
        assert!(!kept.poll_stopped(&mut cx));
        drop(ended);
        assert_eq!(stop.shared.watching().wakers.len(), 1);
        stop.stop();
        assert_eq!(
            woken.0.load(Ordering::SeqCst),
            1,
            "only the connection still open is woken"
        );
        drop(kept);
        assert!(stop.shared.watching().wakers.is_empty());
    }
}
