//! [`Headers`]: the header list of a plain-data request or response.

use std::borrow::Cow;
use std::fmt;

/// Header names whose values are never shown by `Debug`.
const SENSITIVE_HEADERS: &[&str] = &["authorization", "cookie", "set-cookie"];

/// Headers as an ordered list of (name, value) pairs; names are compared case-insensitively.
///
/// Stored packed (every name and value in one buffer), so that building or copying a set of headers costs two
/// allocations however many headers it holds: the request path builds one per call, the HTTP transport one per
/// response. A constant set (the JSON content type every answer of the mock carries) is borrowed: none.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Headers {
    text: Cow<'static, str>,
    /// (name start, value start, value end) in `text`; a name ends where its value starts.
    entries: Cow<'static, [(u32, u32, u32)]>,
}

/// `content-type: application/json`, packed.
const JSON_TEXT: &str = "content-typeapplication/json";
const JSON_ENTRIES: &[(u32, u32, u32)] = &[(0, 12, 28)];

impl Headers {
    /// No headers.
    pub fn new() -> Self {
        Self::default()
    }

    /// No headers yet, with room for `count` headers of `bytes` bytes of names and values in all.
    pub fn with_capacity(count: usize, bytes: usize) -> Self {
        Self {
            text: Cow::Owned(String::with_capacity(bytes)),
            entries: Cow::Owned(Vec::with_capacity(count)),
        }
    }

    /// Exactly `content-type: application/json`, allocating nothing (until a header is added).
    pub(crate) fn json_content_type() -> Self {
        Self {
            text: Cow::Borrowed(JSON_TEXT),
            entries: Cow::Borrowed(JSON_ENTRIES),
        }
    }

    /// Adds a header (an existing one of the same name is kept: HTTP allows repeats).
    pub fn insert(&mut self, name: impl AsRef<str>, value: impl AsRef<str>) {
        let (name, value) = (name.as_ref(), value.as_ref());
        let text = self.text.to_mut();
        let start = text.len();
        text.push_str(name);
        text.push_str(value);
        let offset = |n: usize| u32::try_from(n).expect("headers are far smaller than 4 GiB");
        let end = offset(text.len());
        self.entries
            .to_mut()
            .push((offset(start), offset(start + name.len()), end));
    }

    /// Removes every header, keeping the room they took (a list reused for another request allocates nothing).
    ///
    /// ```
    /// # use stytch_m2m_core as stytch_m2m;
    /// use stytch_m2m::transport::Headers;
    ///
    /// let mut headers = Headers::new();
    /// headers.insert("accept", "application/json");
    /// headers.clear();
    /// assert!(headers.is_empty());
    /// assert_eq!(headers.get("accept"), None);
    /// ```
    pub fn clear(&mut self) {
        match &mut self.text {
            Cow::Owned(text) => text.clear(),
            borrowed => *borrowed = Cow::Borrowed(""),
        }
        match &mut self.entries {
            Cow::Owned(entries) => entries.clear(),
            borrowed => *borrowed = Cow::Borrowed(&[]),
        }
    }

    /// The number of headers.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there is no header.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The first value of header `name`, if any.
    pub fn get(&self, name: &str) -> Option<&str> {
        // Lengths first, then bytes: no text is sliced (and checked) but the value found.
        let text = self.text.as_bytes();
        self.entries
            .iter()
            .find(|&&(n, v, _)| {
                let stored = &text[n as usize..v as usize];
                // Exactly as asked first (one compare, as a server receives names: lowercase), then any case.
                stored.len() == name.len()
                    && (stored == name.as_bytes() || stored.eq_ignore_ascii_case(name.as_bytes()))
            })
            .map(|&(_, v, end)| &self.text[v as usize..end as usize])
    }

    /// Every (name, value) pair, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries.iter().map(|&(n, v, end)| {
            (
                &self.text[n as usize..v as usize],
                &self.text[v as usize..end as usize],
            )
        })
    }

    /// The pairs with the values of `Authorization` and cookies replaced by `[REDACTED]`.
    pub fn redacted(&self) -> Vec<(String, String)> {
        self.iter()
            .map(|(n, v)| {
                let sensitive = SENSITIVE_HEADERS.iter().any(|s| n.eq_ignore_ascii_case(s));
                (
                    n.to_owned(),
                    if sensitive {
                        "[REDACTED]".to_owned()
                    } else {
                        v.to_owned()
                    },
                )
            })
            .collect()
    }
}

impl fmt::Debug for Headers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.redacted()).finish()
    }
}

impl<N: AsRef<str>, V: AsRef<str>> FromIterator<(N, V)> for Headers {
    fn from_iter<I: IntoIterator<Item = (N, V)>>(iter: I) -> Self {
        let mut headers = Self::new();
        for (n, v) in iter {
            headers.insert(n, v);
        }
        headers
    }
}

#[cfg(test)]
mod tests {
    use super::Headers;

    #[test]
    fn packed_headers_keep_order_repeats_and_case_insensitive_lookup() {
        let mut headers = Headers::with_capacity(1, 4);
        assert!(headers.is_empty());
        headers.insert("Set-Cookie", "a=1");
        headers.insert("content-type", "application/json");
        headers.insert("set-cookie", "b=2");
        headers.insert("x-empty", "");
        assert_eq!(headers.len(), 4);
        assert_eq!(headers.get("SET-COOKIE"), Some("a=1"));
        assert_eq!(headers.get("Content-Type"), Some("application/json"));
        assert_eq!(headers.get("x-empty"), Some(""));
        assert_eq!(headers.get("missing"), None);
        let pairs: Vec<(&str, &str)> = headers.iter().collect();
        assert_eq!(
            pairs,
            [
                ("Set-Cookie", "a=1"),
                ("content-type", "application/json"),
                ("set-cookie", "b=2"),
                ("x-empty", "")
            ]
        );
        let rebuilt: Headers = pairs.into_iter().collect();
        assert_eq!(rebuilt, headers);
        let shown = format!("{headers:?}");
        assert!(!shown.contains("a=1") && !shown.contains("b=2"), "{shown}");
        assert!(shown.contains("application/json"));
        headers.clear();
        assert!(headers.is_empty() && headers.get("set-cookie").is_none());
    }

    #[test]
    fn the_borrowed_json_content_type_is_the_same_as_one_built_and_becomes_owned_when_changed() {
        let mut built = Headers::new();
        built.insert("content-type", "application/json");
        let mut constant = Headers::json_content_type();
        assert_eq!(constant, built);
        assert_eq!(constant.get("Content-Type"), Some("application/json"));
        assert_eq!(constant.len(), 1);
        constant.insert("cache-control", "no-store");
        built.insert("cache-control", "no-store");
        assert_eq!(constant, built);
        assert_eq!(
            constant.iter().collect::<Vec<_>>(),
            [
                ("content-type", "application/json"),
                ("cache-control", "no-store")
            ]
        );
        let mut cleared = Headers::json_content_type();
        cleared.clear();
        assert!(cleared.is_empty());
        cleared.insert("x-a", "1");
        assert_eq!(cleared.iter().collect::<Vec<_>>(), [("x-a", "1")]);
    }
}
