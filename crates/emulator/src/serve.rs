//! Serving connections: the accept loop, its connection cap and backoff, each connection's HTTP/1.1 and the
//! graceful shutdown. What a request is answered is the rest of the crate's.

use std::future::Future;
use std::sync::Arc;

use bytes::Bytes;
use futures_util::future::Either;
use http_body_util::Full;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use stytch_m2m_mock::Route;
use tokio::net::TcpListener;
use tokio_util::task::TaskTracker;

use crate::limits::AcceptBackoff;
use crate::received::Received;
use crate::response::{respond_with, to_hyper_in};
use crate::stop::Stop;
use crate::{Emulator, Now};

impl Emulator {
    /// Accepts connections until `shutdown` completes, then lets requests in flight finish, for at most the
    /// shutdown deadline. At most [`crate::ServerLimits::max_connections`] are served at once; accept errors (such as
    /// running out of file descriptors) back off instead of spinning.
    pub async fn serve(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()>,
    ) -> std::io::Result<()> {
        let limits = self.inner.limits;
        // Every connection reads the stop signal whenever it is polled: a flag, not hyper-util's graceful
        // shutdown, whose one watch channel each connection polls under its lock (passed from core to core on
        // every request).
        let stop = Stop::default();
        let connections = TaskTracker::new();
        let slots = Arc::new(tokio::sync::Semaphore::new(limits.max_connections));
        let mut backoff = AcceptBackoff::default();
        tokio::pin!(shutdown);
        loop {
            let slot = tokio::select! {
                slot = slots.clone().acquire_owned() => slot.map_err(std::io::Error::other)?,
                () = &mut shutdown => break,
            };
            let stream = tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok((stream, _)) => {
                        backoff.reset();
                        stream
                    }
                    Err(e) => {
                        let wait = backoff.next();
                        tracing::warn!(error = %e, ?wait, "accept failed; backing off");
                        tokio::select! {
                            () = tokio::time::sleep(wait) => continue,
                            () = &mut shutdown => break,
                        }
                    }
                },
                () = &mut shutdown => break,
            };
            let _ = stream.set_nodelay(true);
            // One handle per connection: each request clones this one, not a count every connection shares (a
            // cache line two cores would pass back and forth on every request).
            let emulator = Arc::new(self.clone());
            let service = service_fn(move |request| {
                // Answered here when nothing needs waiting for (as a bare hyper service answers): hyper gets a
                // ready future, not a state machine to move and poll. The rest goes the general, boxed way.
                if let Some(answer) = emulator.get_now(&request) {
                    emulator
                        .inner
                        .counters
                        .count(Some(Route::Get), answer.status);
                    // The request's header map becomes the response's: no map allocated per request.
                    let headers = request.into_parts().0.headers;
                    return Either::Left(std::future::ready(Ok(to_hyper_in(answer, headers))));
                }
                match emulator.answer_now(Received::of(request)) {
                    Now::Answered(answer, route) => {
                        emulator.inner.counters.count(Some(route), answer.status);
                        Either::Left(std::future::ready(respond_with(Some(answer))))
                    }
                    Now::Later(received) => {
                        let emulator = emulator.clone();
                        let route = received.route();
                        Either::Right(Box::pin(async move {
                            let answered = emulator.respond(received).await;
                            if let Ok(response) = &answered {
                                emulator
                                    .inner
                                    .counters
                                    .count(route, response.status().as_u16());
                            }
                            answered
                        }))
                    }
                }
            });
            let connection = http1::Builder::new()
                // Each response's head and body in one buffer, sent by one `write`: hyper's default for a socket
                // queues the body beside the head and sends both by `writev`, which measured about 460 instructions
                // and 1 µs of CPU more per `get` here (bodies are small, and copied once).
                .writev(false)
                .timer(hyper_util::rt::TokioTimer::new())
                .header_read_timeout(limits.header_timeout)
                .serve_connection(TokioIo::new(stream), service);
            let watch = stop.watch();
            connections.spawn(async move {
                let mut connection = std::pin::pin!(connection);
                let mut stopping = false;
                let ended = std::future::poll_fn(|cx| {
                    if !stopping && watch.poll_stopped(cx) {
                        // The request in flight is answered; an idle connection closes now.
                        stopping = true;
                        connection.as_mut().graceful_shutdown();
                    }
                    connection.as_mut().poll(cx)
                })
                .await;
                drop(watch);
                if let Err(e) = ended {
                    tracing::debug!(error = %e, "connection ended with an error");
                }
                drop(slot);
            });
        }
        drop(listener);
        stop.stop();
        connections.close();
        if tokio::time::timeout(limits.shutdown_deadline, connections.wait())
            .await
            .is_err()
        {
            tracing::warn!(deadline = ?limits.shutdown_deadline, "requests still in flight at the shutdown deadline");
        }
        Ok(())
    }

    async fn respond(
        &self,
        request: Received,
    ) -> Result<hyper::Response<Full<Bytes>>, std::io::Error> {
        respond_with(self.answer(request).await)
    }
}
