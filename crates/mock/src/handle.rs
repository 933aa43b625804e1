//! The request path: routing, the credential check, the journal, an armed fault, and the wire layer's answer.

use std::future::Future;

use stytch_m2m_core::transport::{BoxFuture, HttpRequest, HttpResponse, Transport, TransportError};

use bytes::Bytes;

use crate::{Fault, MockStytch, RequestHead, Route, wire};

impl MockStytch {
    /// Handles one request: logs it, applies an armed fault, answers through the wire layer.
    pub async fn handle(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        self.handle_routed(request).await.1
    }

    /// Like [`MockStytch::handle`], also telling the operation the request was routed to (routed once).
    pub async fn handle_routed(
        &self,
        request: HttpRequest,
    ) -> (Option<Route>, Result<HttpResponse, TransportError>) {
        let (route, _, answered) = self.handle_serialized(request, async {}).await;
        (route, answered)
    }

    /// Like [`MockStytch::handle_routed`], for a server that serializes changes: `serialize` (a lock, say) is
    /// awaited after any injected delay and just before the engine is reached, and its output handed back;
    /// `None` when the engine was not reached (an injected answer or transport error). A delayed request so holds
    /// no lock while it waits.
    pub async fn handle_serialized<G>(
        &self,
        request: HttpRequest,
        serialize: impl Future<Output = G>,
    ) -> (
        Option<Route>,
        Option<G>,
        Result<HttpResponse, TransportError>,
    ) {
        let routed = wire::route(request.method, &request.url);
        self.handle_inner(&request, routed, None, serialize).await
    }

    /// Like [`MockStytch::handle`], for a server in front of the mock that has already routed the request
    /// ([`wire::route`]) and checked its project credentials ([`wire::project_authorized`]; only read for routes
    /// that take them): neither is done twice. The request is borrowed: the server may reuse its buffers.
    pub async fn handle_checked(
        &self,
        request: &HttpRequest,
        routed: wire::Routed<'_>,
        authorized: bool,
    ) -> Result<HttpResponse, TransportError> {
        self.handle_inner(request, routed, Some(authorized), async {})
            .await
            .2
    }

    /// [`MockStytch::handle_checked`] answered at once, with nothing to wait for, when no fault is armed (the
    /// usual case); `Err` hands `routed` back when one is, for [`MockStytch::handle_checked`] to apply it. A server
    /// whose every request is a future keeps that future small this way: nothing of the engine's path is held
    /// across an await.
    ///
    /// ```
    /// # mod stytch_m2m { pub use stytch_m2m_core::*; pub use stytch_m2m_mock as mock; }
    /// use stytch_m2m::transport::{HttpRequest, Method};
    /// use stytch_m2m::mock::{MockStytch, wire};
    ///
    /// let mock = MockStytch::new();
    /// let request = HttpRequest::new(Method::Get, "/v1/m2m/clients/m2m-client-test-none");
    /// let routed = wire::route(request.method, &request.url);
    /// let authorized = wire::project_authorized(mock.engine(), &request);
    /// let response = mock.handle_checked_now(&request, routed, authorized).unwrap();
    /// assert_eq!(response.status, 401);
    /// ```
    pub fn handle_checked_now<'a>(
        &self,
        request: &HttpRequest,
        routed: wire::Routed<'a>,
        authorized: bool,
    ) -> Result<HttpResponse, wire::Routed<'a>> {
        if self.faults().is_armed() {
            return Err(routed);
        }
        let refused = self.admit(request, &routed, Some(authorized));
        Ok(wire::respond_checked(
            &self.shared.engine,
            request,
            routed,
            Some(!refused),
        ))
    }

    /// An authenticated `get` of client `id`, answered at once from a request a server reads where it lies
    /// ([`RequestHead`]), nothing copied: the server has routed it to [`Route::Get`] with `id`
    /// ([`wire::route`]), checked the project's credentials ([`wire::is_project_basic`]) and seen that it has no
    /// body. Journaled and answered as [`MockStytch::handle_checked`] would. `None`, with nothing journaled, when a
    /// fault is armed: answer through [`MockStytch::handle_checked`] then.
    ///
    /// ```
    /// # mod stytch_m2m { pub use stytch_m2m_core::*; pub use stytch_m2m_mock as mock; }
    /// use stytch_m2m::transport::{HttpRequest, Method};
    /// use stytch_m2m::mock::MockStytch;
    ///
    /// let mock = MockStytch::new();
    /// let head = HttpRequest::new(Method::Get, "/v1/m2m/clients/m2m-client-test-none");
    /// let response = mock.get_now(&head, "m2m-client-test-none").unwrap();
    /// assert_eq!(response.status, 404);
    /// assert_eq!(mock.requests().len(), 1);
    /// ```
    pub fn get_now(&self, head: &impl RequestHead, id: &str) -> Option<HttpResponse> {
        if self.faults().is_armed() {
            return None;
        }
        self.shared.log.record_head(head, &Bytes::new());
        Some(wire::respond_get(&self.shared.engine, id))
    }

    /// Journals the request, or only counts it when it fails the project's credentials; whether it failed.
    fn admit(
        &self,
        request: &HttpRequest,
        routed: &wire::Routed<'_>,
        authorized: Option<bool>,
    ) -> bool {
        let refused = matches!(routed, wire::Routed::Found(route, _) if route.needs_project_auth())
            && !authorized
                .unwrap_or_else(|| wire::project_authorized(&self.shared.engine, request));
        if refused {
            self.shared.log.count_unauthenticated();
        } else {
            self.shared.log.record(request);
        }
        refused
    }

    async fn handle_inner<G>(
        &self,
        request: &HttpRequest,
        routed: wire::Routed<'_>,
        authorized: Option<bool>,
        serialize: impl Future<Output = G>,
    ) -> (
        Option<Route>,
        Option<G>,
        Result<HttpResponse, TransportError>,
    ) {
        let route = match &routed {
            wire::Routed::Found(route, _) => Some(*route),
            _ => None,
        };
        let refused = self.admit(request, &routed, authorized);
        let fault = self.faults().take(route);
        let lose = match fault {
            Some(Fault::Respond(response)) => return (route, None, Ok(response)),
            Some(Fault::Transport(kind)) => {
                return (
                    route,
                    None,
                    Err(TransportError::new(kind, "injected by the mock")),
                );
            }
            Some(Fault::Delay(delay)) => {
                // Boxed: a timer is large, and every request's future would carry room for it.
                Box::pin(tokio::time::sleep(delay)).await;
                None
            }
            Some(Fault::ApplyThenLose(kind)) => Some(kind),
            None => None,
        };
        let serialized = serialize.await;
        let response = wire::respond_checked(&self.shared.engine, request, routed, Some(!refused));
        let answered = match lose {
            None => Ok(response),
            Some(kind) => Err(TransportError::new(
                kind,
                "the request was applied, then its response was lost (injected by the mock)",
            )),
        };
        (route, Some(serialized), answered)
    }
}

impl Transport for MockStytch {
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
        Box::pin(self.handle(request))
    }
}
