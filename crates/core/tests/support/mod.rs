//! A scripted transport: answers from a list, records every request.
#![allow(dead_code)]

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use stytch_m2m_core::transport::{
    BoxFuture, HttpRequest, HttpResponse, Transport, TransportError, TransportErrorKind,
};
use stytch_m2m_core::{Client, RetryPolicy, TimeoutPolicy};

pub const PROJECT_ID: &str = "project-test-00000000-0000-4000-8000-000000000000";
pub const PROJECT_SECRET: &str = "secret-test-Zk3Qv9pL2xR7mN4tW8yB1cD6fH0jK5sA";

/// What the scripted transport does for one request.
pub enum Reply {
    Respond(HttpResponse),
    Fail(TransportErrorKind),
    Hang,
}

#[derive(Clone, Default)]
pub struct Scripted {
    replies: Arc<Mutex<VecDeque<Reply>>>,
    pub seen: Arc<Mutex<Vec<HttpRequest>>>,
}

impl Scripted {
    pub fn new(replies: impl IntoIterator<Item = Reply>) -> Self {
        Self {
            replies: Arc::new(Mutex::new(replies.into_iter().collect())),
            seen: Arc::default(),
        }
    }

    pub fn json(status: u16, body: &str) -> Reply {
        Reply::Respond(HttpResponse::new(status, body.as_bytes().to_vec()))
    }

    pub fn calls(&self) -> usize {
        self.seen.lock().unwrap().len()
    }

    pub fn requests(&self) -> Vec<HttpRequest> {
        self.seen.lock().unwrap().clone()
    }

    pub fn client(&self) -> Client {
        self.client_with(RetryPolicy::default(), TimeoutPolicy::default())
    }

    pub fn client_with(&self, retry: RetryPolicy, timeouts: TimeoutPolicy) -> Client {
        Client::builder(PROJECT_ID, PROJECT_SECRET, self.clone())
            .retry(retry)
            .timeouts(timeouts)
            .build()
            .unwrap()
    }
}

impl Transport for Scripted {
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
        self.seen.lock().unwrap().push(request);
        let reply = self.replies.lock().unwrap().pop_front();
        Box::pin(async move {
            match reply {
                Some(Reply::Respond(r)) => Ok(r),
                Some(Reply::Fail(kind)) => Err(TransportError::new(kind, "scripted failure")),
                Some(Reply::Hang) => std::future::pending().await,
                None => panic!("the script ran out of replies"),
            }
        })
    }
}

pub fn fixture(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../models/tests/fixtures")
        .join(name);
    std::fs::read_to_string(path).unwrap()
}
