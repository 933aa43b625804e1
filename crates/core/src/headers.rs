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
#[derive(Default, PartialEq, Eq)]
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
    /// use stytch_m2m_core::transport::Headers;
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
                (v - n) as usize == name.len()
                    && text[n as usize..v as usize].eq_ignore_ascii_case(name.as_bytes())
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

    /// Replaces the value of every header named `name` (compared case-insensitively) by what `f` makes of it,
    /// in place: order, names and other headers are kept.
    ///
    /// ```
    /// use std::borrow::Cow;
    /// use stytch_m2m_core::transport::Headers;
    ///
    /// let mut headers = Headers::new();
    /// headers.insert("Authorization", "Basic cHJvamVjdDpzZWNyZXQ=");
    /// headers.insert("accept", "application/json");
    /// headers.replace_values("authorization", |value| {
    ///     Cow::Owned(format!("{} [REDACTED]", value.split(' ').next().unwrap_or_default()))
    /// });
    /// assert_eq!(headers.get("authorization"), Some("Basic [REDACTED]"));
    /// assert_eq!(headers.get("accept"), Some("application/json"));
    /// ```
    pub fn replace_values(&mut self, name: &str, mut f: impl FnMut(&str) -> Cow<'static, str>) {
        for index in 0..self.entries.len() {
            let (start, value_start, value_end) = self.entries[index];
            let (start, value_start, value_end) =
                (start as usize, value_start as usize, value_end as usize);
            if !self.text[start..value_start].eq_ignore_ascii_case(name) {
                continue;
            }
            let value = f(&self.text[value_start..value_end]);
            if value == self.text[value_start..value_end] {
                continue;
            }
            // Two moves of the bytes after the value (`replace_range` goes through a generic splice).
            let text = self.text.to_mut();
            text.drain(value_start..value_end);
            text.insert_str(value_start, &value);
            let offset = |n: usize| u32::try_from(n).expect("headers are far smaller than 4 GiB");
            let entries = self.entries.to_mut();
            let new_end = value_start + value.len();
            entries[index].2 = offset(new_end);
            // Every later header moved by the change in length.
            for entry in &mut entries[index + 1..] {
                let shift = |n: u32| offset(n as usize - value_end + new_end);
                *entry = (shift(entry.0), shift(entry.1), shift(entry.2));
            }
        }
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

impl Clone for Headers {
    fn clone(&self) -> Self {
        Self {
            text: self.text.clone(),
            entries: self.entries.clone(),
        }
    }

    /// Copies into the room `self` already has (two copies, no allocation when it is large enough).
    fn clone_from(&mut self, source: &Self) {
        self.text.clone_from(&source.text);
        self.entries.clone_from(&source.entries);
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
    use std::borrow::Cow;

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
    fn values_are_replaced_in_place_longer_shorter_or_the_same() {
        let mut headers = Headers::new();
        headers.insert("Authorization", "Basic abc");
        headers.insert("x-a", "1");
        headers.insert("authorization", "Bearer a-much-longer-token-value");
        headers.insert("x-b", "");
        headers.replace_values("AUTHORIZATION", |v| {
            Cow::Owned(format!("{} [R]", v.split(' ').next().unwrap_or_default()))
        });
        assert_eq!(
            headers.iter().collect::<Vec<_>>(),
            [
                ("Authorization", "Basic [R]"),
                ("x-a", "1"),
                ("authorization", "Bearer [R]"),
                ("x-b", "")
            ]
        );
        let mut built = Headers::new();
        for (n, v) in headers.iter() {
            built.insert(n, v);
        }
        assert_eq!(built, headers);
        headers.replace_values("x-b", |_| Cow::Borrowed("now-longer"));
        headers.replace_values("missing", |_| Cow::Borrowed("never"));
        assert_eq!(headers.get("x-b"), Some("now-longer"));
        assert_eq!(headers.len(), 4);
        // On the borrowed constant: it becomes owned, the constant stays as it was.
        let mut json = Headers::json_content_type();
        json.replace_values("content-type", |_| Cow::Borrowed("text/plain"));
        assert_eq!(json.get("content-type"), Some("text/plain"));
        assert_eq!(
            Headers::json_content_type().get("content-type"),
            Some("application/json")
        );
        // clone_from copies into the room it has.
        let mut target = Headers::with_capacity(8, 256);
        target.clone_from(&headers);
        assert_eq!(target, headers);
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
