//! The request journal: what the mock received, bounded in entries and bytes, with credentials and secrets
//! redacted before anything is kept. Requests that fail the project's credentials are only counted.

mod head;
mod packed;
mod redact;

pub use head::RequestHead;
use redact::{redacted_body, redacted_header};

use std::borrow::Cow;
use std::cell::Cell;
use std::collections::VecDeque;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use bytes::Bytes;
use stytch_m2m_core::transport::HttpRequest;

thread_local! {
    /// Where this thread packs an entry before taking the journal's lock (its room kept from one to the next).
    static SCRATCH: Cell<Vec<u8>> = const { Cell::new(Vec::new()) };
}

/// How much the journal keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct JournalLimits {
    /// The most requests kept (oldest dropped first); default 10 000.
    pub max_entries: usize,
    /// The most bytes of URLs, headers and bodies kept; default 16 MiB.
    pub max_bytes: usize,
}

impl Default for JournalLimits {
    fn default() -> Self {
        Self {
            max_entries: 10_000,
            max_bytes: 16 * 1024 * 1024,
        }
    }
}

impl JournalLimits {
    /// Sets both bounds.
    pub fn new(max_entries: usize, max_bytes: usize) -> Self {
        Self {
            max_entries,
            max_bytes,
        }
    }
}

/// The entries, oldest first, packed one after another in one ring of bytes ([`packed`]).
#[derive(Default)]
struct Entries {
    ring: VecDeque<u8>,
    /// Per entry: its length in `ring`, and its size as the limits count it (URL, header names and values,
    /// body).
    spans: VecDeque<(usize, usize)>,
    /// The sum of the sizes.
    bytes: usize,
}

/// The journal.
pub(crate) struct Journal {
    limits: JournalLimits,
    /// Taken by every request recorded: alone on its cache lines, away from the limits read before it.
    entries: crate::padded::Padded<Mutex<Entries>>,
    unauthenticated: AtomicU64,
}

impl std::fmt::Debug for Journal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Journal")
            .field("limits", &self.limits)
            .field("unauthenticated", &self.unauthenticated())
            .finish_non_exhaustive()
    }
}

impl Journal {
    pub fn new(limits: JournalLimits) -> Self {
        Self {
            limits,
            entries: crate::padded::Padded::default(),
            unauthenticated: AtomicU64::new(0),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Keeps a redacted copy of `request`, dropping the oldest entries past the limits. The copy is packed
    /// before the lock is taken, into this thread's scratch buffer; under the lock the oldest entries are let go
    /// and the new one is appended to the ring: one copy into memory that follows the previous entry's.
    pub fn record(&self, request: &HttpRequest) {
        self.record_head(request, &request.body);
    }

    /// [`Journal::record`] for a request read where it lies: its head and its body.
    pub fn record_head(&self, head: &impl RequestHead, body: &Bytes) {
        if self.limits.max_entries == 0 {
            return;
        }
        let mut packed = SCRATCH.try_with(Cell::take).unwrap_or_default();
        packed.clear();
        let size = pack_redacted(&mut packed, head, body);
        if size <= self.limits.max_bytes {
            let mut entries = self.lock();
            while entries.spans.len() >= self.limits.max_entries
                || entries.bytes + size > self.limits.max_bytes
            {
                let Some((len, oldest)) = entries.spans.pop_front() else {
                    break;
                };
                entries.bytes -= oldest;
                entries.ring.drain(..len);
            }
            entries.ring.extend(&packed);
            entries.spans.push_back((packed.len(), size));
            entries.bytes += size;
        }
        // Nothing of the request stays in the scratch buffer but its room.
        packed.clear();
        let _ = SCRATCH.try_with(|scratch| scratch.set(packed));
    }

    /// Counts a request refused for its credentials (nothing of it is kept).
    pub fn count_unauthenticated(&self) {
        self.unauthenticated.fetch_add(1, Ordering::Relaxed);
    }

    pub fn unauthenticated(&self) -> u64 {
        self.unauthenticated.load(Ordering::Relaxed)
    }

    pub fn requests(&self) -> Vec<HttpRequest> {
        let mut entries = self.lock();
        let Entries { ring, spans, .. } = &mut *entries;
        let mut ring: &[u8] = ring.make_contiguous();
        let mut requests = Vec::with_capacity(spans.len());
        for &(len, _) in spans.iter() {
            let (entry, rest) = ring.split_at(len);
            requests.extend(packed::unpack(entry));
            ring = rest;
        }
        requests
    }

    pub fn clear(&self) {
        let mut entries = self.lock();
        entries.ring.clear();
        entries.spans.clear();
        entries.bytes = 0;
    }
}

/// Packs a request as the journal keeps it (credentials and secrets redacted); its size as the limits count it.
fn pack_redacted(out: &mut Vec<u8>, head: &impl RequestHead, body: &Bytes) -> usize {
    let url = head.url();
    packed::push_method(out, head.method());
    packed::push_bytes(out, url.as_bytes());
    // The count is written once the headers kept are known (those whose value is text).
    let count_at = out.len();
    packed::push_len(out, 0);
    let (mut size, mut count) = (url.len(), 0);
    for (name, value) in head.headers() {
        let Some(value) = value else { continue };
        // As a server receives names (lowercase) first: one compare for every header but this one.
        let value = match redacted_header(name, value) {
            Some(redacted) => redacted,
            None => Cow::Borrowed(value),
        };
        packed::push_header(out, name, &value);
        size += name.len() + value.len();
        count += 1;
    }
    packed::set_len(out, count_at, count);
    if body.is_empty() {
        // A get or a delete: nothing to look through for secrets.
        packed::push_len(out, 0);
        return size;
    }
    let body = redacted_body(body);
    packed::push_bytes(out, &body);
    size + body.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use stytch_m2m_core::transport::{Headers, Method};

    fn request(body: &str, authorization: &str) -> HttpRequest {
        let mut headers = Headers::new();
        headers.insert("authorization", authorization);
        headers.insert("content-type", "application/json");
        HttpRequest::new(Method::Post, "/v1/m2m/clients")
            .with_headers(headers)
            .with_body(Bytes::from(body.to_owned()))
    }

    #[test]
    fn secrets_and_credentials_are_never_kept() {
        let journal = Journal::new(JournalLimits::default());
        journal.record(&request(
            r#"{"scopes":["a"],"client_secret":"x7Kp2QmZ-kept-nowhere"}"#,
            "Basic cHJvamVjdDpzZWNyZXQ=",
        ));
        journal.record(&request(
            "grant_type=client_credentials&client_id=c&client_secret=form-secret-value",
            "Bearer token-value",
        ));
        journal.record(&request("not json, secret inside", "Basic x"));
        let kept = format!("{:?}", journal.requests());
        let bodies: Vec<String> = journal
            .requests()
            .iter()
            .map(|r| String::from_utf8_lossy(&r.body).into_owned())
            .collect();
        let all = format!("{kept} {bodies:?}");
        for secret in [
            "x7Kp2QmZ",
            "form-secret-value",
            "cHJvamVjdDpzZWNyZXQ=",
            "token-value",
            "secret inside",
        ] {
            assert!(!all.contains(secret), "{secret} kept: {all}");
        }
        let headers: Vec<String> = journal
            .requests()
            .iter()
            .map(|r| r.headers.get("authorization").unwrap().to_owned())
            .collect();
        assert_eq!(
            headers,
            ["Basic [REDACTED]", "Bearer [REDACTED]", "Basic [REDACTED]"]
        );
        assert!(
            bodies[1].contains("client_id=c"),
            "the rest of the form is kept"
        );
    }

    #[test]
    fn secrets_are_found_whatever_their_spelling() {
        let journal = Journal::new(JournalLimits::default());
        for body in [
            r#"{"scopes":["a"],"client_\u0073ecret":"escaped-secret-value"}"#,
            r#"{"nested":{"next_client_secret":"nested-secret-value"}}"#,
            r#"{"client_secret": "malformed-secret-value""#,
            "grant_type=client_credentials&client_%73ecret=encoded-secret-value",
            "client_secret malformed-form-secret-value",
        ] {
            journal.record(&request(body, "Basic x"));
        }
        let mut with_headers = request("{}", "Basic x");
        with_headers
            .headers
            .insert("Proxy-Authorization", "Basic cHJveHk6cHc=");
        with_headers
            .headers
            .insert("cookie", "session=cookie-secret-value");
        journal.record(&with_headers);
        let kept = journal.requests();
        let all = format!(
            "{kept:?} {:?}",
            kept.iter()
                .map(|r| String::from_utf8_lossy(&r.body).into_owned())
                .collect::<Vec<_>>()
        );
        for secret in [
            "escaped-secret-value",
            "nested-secret-value",
            "malformed-secret-value",
            "encoded-secret-value",
            "malformed-form-secret-value",
            "cHJveHk6cHc=",
            "cookie-secret-value",
        ] {
            assert!(!all.contains(secret), "{secret} kept: {all}");
        }
        assert_eq!(&kept[2].body[..], redact::UNREADABLE);
        assert_eq!(&kept[4].body[..], redact::UNREADABLE);
        let last = kept.last().unwrap();
        assert_eq!(
            last.headers.get("proxy-authorization"),
            Some("Basic [REDACTED]")
        );
        assert_eq!(last.headers.get("cookie"), Some("[REDACTED]"));
        // A body without secrets is kept byte for byte.
        journal.record(&request(r#"{ "scopes" : ["a"] }"#, "Basic x"));
        assert_eq!(
            &journal.requests().last().unwrap().body[..],
            br#"{ "scopes" : ["a"] }"#
        );
    }

    #[test]
    fn only_a_registered_scheme_survives_redaction() {
        for (sent, kept) in [
            ("Basic cHJvamVjdDpzZWNyZXQ=", "Basic [REDACTED]"),
            ("Bearer eyJ.x.y", "Bearer [REDACTED]"),
            ("digest username=\"a\"", "digest [REDACTED]"),
            ("DPoP eyJ.x.y", "DPoP [REDACTED]"),
            // No scheme, or a word that is none: the whole value may be the credential.
            ("cHJvamVjdDpzZWNyZXQ=", "[REDACTED]"),
            ("s3cret-value more", "[REDACTED]"),
            ("", "[REDACTED]"),
            (" leading-space", "[REDACTED]"),
        ] {
            let journal = Journal::new(JournalLimits::default());
            journal.record(&request("{}", sent));
            let entry = journal.requests().pop().unwrap();
            assert_eq!(entry.headers.get("authorization"), Some(kept), "{sent}");
        }
    }

    #[test]
    fn bounded_in_entries_and_bytes() {
        let journal = Journal::new(JournalLimits::new(100, 64 * 1024));
        // A JSON string: a readable body, kept whole (an unreadable one would be kept as a short placeholder).
        let big = format!("\"{}\"", "x".repeat(9_998));
        for _ in 0..1_000 {
            journal.record(&request(&big, "Basic x"));
            let entries = journal.lock();
            assert!(entries.spans.len() <= 100 && entries.bytes <= 64 * 1024);
        }
        assert_eq!(journal.requests().len(), 6);
        for _ in 0..1_000 {
            journal.record(&request("{}", "Basic x"));
        }
        assert_eq!(journal.requests().len(), 100);
        // A request larger than the whole budget is not kept at all.
        journal.record(&request(
            &format!("\"{}\"", "y".repeat(100 * 1024)),
            "Basic x",
        ));
        assert!(journal.requests().iter().all(|r| r.body.len() < 1024));
    }

    #[test]
    fn a_full_journal_drops_the_oldest_entries_and_keeps_nothing_of_them() {
        let journal = Journal::new(JournalLimits::new(2, 64 * 1024));
        let mut long = request(
            r#"{"client_secret":"first-secret-value"}"#,
            "Basic Zmlyc3Q=",
        );
        long.url = "/v1/m2m/clients/m2m-client-test-a-much-longer-id-than-the-next".to_owned();
        long.headers.insert("x-trace", "kept-only-in-its-own-entry");
        journal.record(&long);
        journal.record(&long);
        for i in 0..5 {
            let short = HttpRequest::new(Method::Get, format!("/v1/m2m/clients/c{i}"))
                .with_header("Authorization", "Bearer second");
            journal.record(&short);
        }
        let kept = journal.requests();
        let expected: Vec<HttpRequest> = (3..5)
            .map(|i| {
                HttpRequest::new(Method::Get, format!("/v1/m2m/clients/c{i}"))
                    .with_header("Authorization", "Bearer [REDACTED]")
            })
            .collect();
        assert_eq!(kept, expected);
        let entries = journal.lock();
        let sizes: usize = entries.spans.iter().map(|(_, size)| size).sum();
        assert_eq!(entries.bytes, sizes);
        // The ring holds the two entries kept and nothing else.
        let packed: usize = entries.spans.iter().map(|(len, _)| len).sum();
        assert_eq!(entries.ring.len(), packed);
        let ring: Vec<u8> = entries.ring.iter().copied().collect();
        assert!(!String::from_utf8_lossy(&ring).contains("first"));
        assert_eq!(
            sizes,
            kept.iter()
                .map(|r| r.url.len()
                    + r.headers
                        .iter()
                        .map(|(n, v)| n.len() + v.len())
                        .sum::<usize>())
                .sum::<usize>()
        );
    }
}
