//! Search: the indexes by id, scope and name, in creation order, with an opaque cursor.

use base64::Engine as _;
use stytch_m2m_core::models::{M2mClient, ResultsMetadata, SearchRequest};

use super::record::Record;
use super::{DEFAULT_SEARCH_LIMIT, Engine, Failure};

impl Engine {
    /// One page of the clients matching a search, in creation order.
    ///
    /// `limit` absent or 0 means the default of 100 (go cannot send 0: it omits it); the cursor is opaque.
    pub fn search(
        &self,
        request: &SearchRequest,
    ) -> Result<(Vec<M2mClient>, ResultsMetadata), Failure> {
        self.rules()
            .check("SearchRequest", &super::as_json(request))?;
        let limit = match request.limit {
            None | Some(0) => DEFAULT_SEARCH_LIMIT,
            Some(n) => n,
        } as usize;
        let after = match request.cursor.as_deref() {
            None | Some("") => None,
            Some(cursor) => Some(
                decode_cursor(cursor)
                    .ok_or_else(|| Failure::bad_request("The cursor is invalid."))?,
            ),
        };
        let store = self.lock();
        let matches = store.matching(request.query.as_ref());
        let total = i32::try_from(matches.len()).unwrap_or(i32::MAX);
        let mut seqs = matches.after(after);
        let page: Vec<u64> = seqs.by_ref().take(limit).collect();
        let more = seqs.next().is_some();
        let clients = page
            .iter()
            .filter_map(|seq| store.by_seq(*seq))
            .map(Record::to_model)
            .collect();
        let next_cursor = more
            .then(|| page.last().map(|last| encode_cursor(*last)))
            .flatten();
        let metadata = ResultsMetadata::builder()
            .total(total)
            .next_cursor(next_cursor)
            .try_into()
            .expect("total is the only required field");
        Ok((clients, metadata))
    }
}

const CURSOR_PREFIX: &str = "after:";

fn encode_cursor(seq: u64) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{CURSOR_PREFIX}{seq}"))
}

fn decode_cursor(cursor: &str) -> Option<u64> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()?;
    std::str::from_utf8(&bytes)
        .ok()?
        .strip_prefix(CURSOR_PREFIX)?
        .parse()
        .ok()
}
