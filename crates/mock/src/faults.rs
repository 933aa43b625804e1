//! Fault injection: the next N requests to a route (or each request with a probability) answer with a given
//! status and body, a transport error, after a delay, or are applied and then lose their response.

use std::time::Duration;

use stytch_m2m_core::models::ErrorType;
use stytch_m2m_core::transport::{HttpResponse, TransportErrorKind};

use crate::engine::Failure;
use crate::wire::{self, Route};

/// What an injected fault does to a request.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Fault {
    /// Answer this response instead of the engine's (the request has no effect).
    Respond(HttpResponse),
    /// Fail with a transport error of this kind (the request has no effect).
    Transport(TransportErrorKind),
    /// Wait this long (on tokio's clock), then answer normally.
    Delay(Duration),
    /// Apply the request (a change is made), then fail with a transport error of this kind instead of answering:
    /// the only way to test that a client never repeats a non-idempotent call that was applied.
    ApplyThenLose(TransportErrorKind),
}

impl Fault {
    /// An error of this status in Stytch's wire shape (`too_many_requests` for 429, `internal_server_error` for
    /// 5xx, `bad_request` otherwise).
    pub fn status(status: u16) -> Self {
        let (error_type, message) = match status {
            429 => (
                ErrorType::TooManyRequests,
                "Too many requests have been made.",
            ),
            500..=599 => (
                ErrorType::InternalServerError,
                "Oops, something seems to have gone wrong, please reach out to support@stytch.com to let us know what went wrong.",
            ),
            _ => (ErrorType::BadRequest, "The submitted request is invalid."),
        };
        let id = "request-id-test-00000000-0000-4000-8000-000000000000";
        Fault::Respond(wire::error(
            id,
            false,
            &Failure::new(status, error_type, message),
        ))
    }

    /// A 429 `too_many_requests` with `Retry-After` (whole seconds).
    pub fn throttled(retry_after: Duration) -> Self {
        match Fault::status(429) {
            Fault::Respond(r) => {
                Fault::Respond(r.with_header("retry-after", retry_after.as_secs().to_string()))
            }
            other => other,
        }
    }
}

/// One armed fault.
#[derive(Debug)]
pub(crate) struct FaultRule {
    pub route: Option<Route>,
    /// How many more requests it hits; `None`: every matching request, with `probability`.
    pub remaining: Option<u32>,
    pub probability: f64,
    pub fault: Fault,
}

/// The armed faults, and whether there is any: a request reads a flag, not a lock, when none is armed (the
/// emulator's every request, from two threads).
#[derive(Debug, Default)]
pub(crate) struct FaultTable {
    rules: std::sync::Mutex<Vec<FaultRule>>,
    armed: std::sync::atomic::AtomicBool,
    /// How many faults have answered a request.
    fired: std::sync::atomic::AtomicU64,
}

impl FaultTable {
    fn rules(&self) -> std::sync::MutexGuard<'_, Vec<FaultRule>> {
        self.rules.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs `change` on the rules, keeping the flag true to them.
    fn change<R>(&self, change: impl FnOnce(&mut Vec<FaultRule>) -> R) -> R {
        let mut rules = self.rules();
        let out = change(&mut rules);
        self.armed
            .store(!rules.is_empty(), std::sync::atomic::Ordering::Release);
        out
    }

    /// Whether any fault is armed (one atomic load).
    pub fn is_armed(&self) -> bool {
        self.armed.load(std::sync::atomic::Ordering::Acquire)
    }

    /// Takes the fault for `route`, if one is armed.
    pub fn take(&self, route: Option<Route>) -> Option<Fault> {
        if !self.is_armed() {
            return None;
        }
        let fault = self.change(|rules| take(rules, route));
        if fault.is_some() {
            self.fired
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        fault
    }

    /// How many faults have answered a request.
    pub fn fired(&self) -> u64 {
        self.fired.load(std::sync::atomic::Ordering::Relaxed)
    }
}

/// Takes the fault for `route`, if one is armed (first armed first), counting it down.
fn take(rules: &mut Vec<FaultRule>, route: Option<Route>) -> Option<Fault> {
    let index = rules
        .iter()
        .position(|r| r.route.is_none() || r.route == route)?;
    let rule = &mut rules[index];
    match &mut rule.remaining {
        Some(remaining) => {
            *remaining -= 1;
            let fault = rule.fault.clone();
            if *remaining == 0 {
                rules.remove(index);
            }
            Some(fault)
        }
        None => (fastrand::f64() < rule.probability).then(|| rule.fault.clone()),
    }
}

impl crate::MockStytch {
    /// Arms a fault: the next `times` requests to `route` get `fault` (earlier armed faults go first).
    ///
    /// ```
    /// # mod stytch_m2m { pub use stytch_m2m_core::*; pub use stytch_m2m_mock as mock; }
    /// use std::time::Duration;
    /// use stytch_m2m::mock::{Fault, MockStytch, Route};
    ///
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)] async fn main() {
    /// let mock = MockStytch::new();
    /// mock.fail_next(Route::Search, 1, Fault::throttled(Duration::from_secs(2)));
    /// // The client waits 2 s (Retry-After), retries, and succeeds.
    /// let page = mock.client().clients().search(Default::default()).await.unwrap();
    /// assert_eq!(page.results_metadata.total, 0);
    /// assert_eq!(mock.requests().len(), 2);
    /// # }
    /// ```
    pub fn fail_next(&self, route: Route, times: u32, fault: Fault) {
        self.arm(Some(route), Some(times), 1.0, fault);
    }

    /// Arms a fault for the next `times` requests, whatever their route.
    pub fn fail_next_any(&self, times: u32, fault: Fault) {
        self.arm(None, Some(times), 1.0, fault);
    }

    /// Arms a fault for every request to `route` (any route with `None`) with this probability, until
    /// [`clear_faults`](Self::clear_faults).
    ///
    /// ```
    /// # mod stytch_m2m { pub use stytch_m2m_core::*; pub use stytch_m2m_mock as mock; }
    /// use stytch_m2m::mock::{Fault, MockStytch};
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let mock = MockStytch::new();
    /// mock.fail_with_probability(None, 1.0, Fault::status(503));
    /// assert!(mock.client().clients().get("x").await.is_err());
    /// mock.clear_faults();
    /// # }
    /// ```
    pub fn fail_with_probability(&self, route: Option<Route>, probability: f64, fault: Fault) {
        self.arm(route, None, probability.clamp(0.0, 1.0), fault);
    }

    /// How many armed faults have answered a request so far (the emulator's `/_emulator/metrics`).
    ///
    /// ```
    /// # mod stytch_m2m { pub use stytch_m2m_core::*; pub use stytch_m2m_mock as mock; }
    /// use stytch_m2m::mock::{Fault, MockStytch, Route};
    ///
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)] async fn main() {
    /// let mock = MockStytch::new();
    /// mock.fail_next(Route::Search, 1, Fault::status(503));
    /// let client = mock.client();
    /// let _ = client.clients().search(Default::default()).await; // 503, then retried: 200
    /// assert_eq!(mock.faults_fired(), 1);
    /// # }
    /// ```
    pub fn faults_fired(&self) -> u64 {
        self.faults().fired()
    }

    /// Disarms every fault not yet used.
    ///
    /// ```
    /// # mod stytch_m2m { pub use stytch_m2m_core::*; pub use stytch_m2m_mock as mock; }
    /// use stytch_m2m::mock::{Fault, MockStytch, Route};
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let mock = MockStytch::new();
    /// mock.fail_next(Route::Search, 100, Fault::status(503));
    /// mock.clear_faults();
    /// assert!(mock.client().clients().search(Default::default()).await.is_ok());
    /// # }
    /// ```
    pub fn clear_faults(&self) {
        self.faults().change(Vec::clear);
    }

    fn arm(&self, route: Option<Route>, times: Option<u32>, probability: f64, fault: Fault) {
        if times != Some(0) {
            self.faults().change(|rules| {
                rules.push(FaultRule {
                    route,
                    remaining: times,
                    probability,
                    fault,
                })
            });
        }
    }
}
