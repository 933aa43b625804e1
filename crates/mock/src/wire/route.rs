//! Which operation a method and path name, as Stytch routes them.

use std::borrow::Cow;

use percent_encoding::percent_decode_str;
use stytch_m2m_core::transport::Method;

/// An operation of the M2M API (also what fault injection targets).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Route {
    /// `POST /v1/m2m/clients`
    Create,
    /// `POST /v1/m2m/clients/search`
    Search,
    /// `GET /v1/m2m/clients/{client_id}`
    Get,
    /// `PUT /v1/m2m/clients/{client_id}`
    Update,
    /// `DELETE /v1/m2m/clients/{client_id}`
    Delete,
    /// `POST /v1/m2m/clients/{client_id}/secrets/rotate/start`
    RotateStart,
    /// `POST /v1/m2m/clients/{client_id}/secrets/rotate/cancel`
    RotateCancel,
    /// `POST /v1/m2m/clients/{client_id}/secrets/rotate`
    Rotate,
    /// `POST /v1/public/{project_id}/oauth2/token`
    Token,
    /// `GET /v1/sessions/jwks/{project_id}` (or `/v1/b2b/sessions/jwks/{project_id}`)
    Jwks,
}

impl Route {
    /// Whether the route takes the project's Basic credentials (the client-management routes).
    pub fn needs_project_auth(self) -> bool {
        !matches!(self, Route::Token | Route::Jwks)
    }

    /// Whether the route changes a client (create, update, delete, the three rotation steps).
    ///
    /// ```
    /// # mod stytch_m2m { pub use stytch_m2m_core::*; pub use stytch_m2m_mock as mock; }
    /// use stytch_m2m::mock::Route;
    ///
    /// assert!(Route::Create.is_mutating() && Route::RotateCancel.is_mutating());
    /// assert!(!Route::Get.is_mutating() && !Route::Token.is_mutating());
    /// ```
    pub fn is_mutating(self) -> bool {
        matches!(
            self,
            Route::Create
                | Route::Update
                | Route::Delete
                | Route::RotateStart
                | Route::RotateCancel
                | Route::Rotate
        )
    }

    /// Whether errors of this route are OAuth2-style (`error`, `error_description`, `error_uri`).
    pub fn oauth_errors(self) -> bool {
        self == Route::Token
    }
}

/// What routing found.
#[derive(Debug, PartialEq, Eq)]
pub enum Routed<'a> {
    /// An operation, with its path parameter (a client id or a project id), percent-decoded: borrowed from the
    /// URL when it needed no decoding.
    Found(Route, Option<Cow<'a, str>>),
    /// A known path with a method it does not take.
    MethodNotAllowed,
    /// No such path.
    NotFound,
}

impl Routed<'_> {
    /// The same, owning its parameter (to keep past the URL it was found in).
    ///
    /// ```
    /// # mod stytch_m2m { pub use stytch_m2m_core::*; pub use stytch_m2m_mock as mock; }
    /// use stytch_m2m::transport::Method;
    /// use stytch_m2m::mock::wire::{Route, Routed, route};
    ///
    /// let url = String::from("/v1/m2m/clients/m2m-client-test-1");
    /// let routed = route(Method::Get, &url).into_owned();
    /// drop(url);
    /// assert_eq!(routed, Routed::Found(Route::Get, Some("m2m-client-test-1".into())));
    /// ```
    pub fn into_owned(self) -> Routed<'static> {
        match self {
            Routed::Found(route, param) => {
                Routed::Found(route, param.map(|p| Cow::Owned(p.into_owned())))
            }
            Routed::MethodNotAllowed => Routed::MethodNotAllowed,
            Routed::NotFound => Routed::NotFound,
        }
    }
}

/// The path of a URL (`http://host:1/v1/x?y` or `/v1/x?y` -> `/v1/x`). A `scheme://authority` prefix is only
/// recognised at the start of the URL (a scheme is letters, digits, `+`, `-`, `.`), never inside the path or the
/// query: `/nothing?n=http://x/v1/…` is the path `/nothing`.
pub fn path_of(url: &str) -> &str {
    // A path (what a server sees) has no scheme: no search for one.
    let split = match url.starts_with('/') {
        true => None,
        false => url.split_once("://"),
    };
    let without_authority = match split {
        Some((scheme, rest))
            if !scheme.is_empty()
                && scheme
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.')) =>
        {
            rest.find('/').map_or("/", |i| &rest[i..])
        }
        _ => url,
    };
    // Two single-character searches (each a `memchr`): every request asks, and a search for either of a set of
    // characters goes one character at a time.
    let before_query = without_authority
        .find('?')
        .map_or(without_authority, |end| &without_authority[..end]);
    before_query
        .find('#')
        .map_or(before_query, |end| &before_query[..end])
}

/// Routes a method and URL. Leading slashes may repeat (a base URL ending in `/` joined with a path starting with
/// one); an empty segment anywhere else (`/v1//m2m/clients`, a trailing `/`) names no route.
pub fn route(method: Method, url: &str) -> Routed<'_> {
    // What a server is sent most: `/v1/m2m/clients/{id}` read, updated or deleted, with nothing to split off or
    // decode. One pass over the id, then the same answer as the general path below gives.
    if let Some(id) = url.strip_prefix("/v1/m2m/clients/")
        && !id.is_empty()
        && is_plain_segment(id.as_bytes())
    {
        let route = match method {
            Method::Get => Route::Get,
            Method::Put => Route::Update,
            Method::Delete => Route::Delete,
            // `POST …/search` and the refusals: the general path.
            _ => return route_segments(method, url),
        };
        return Routed::Found(route, Some(Cow::Borrowed(id)));
    }
    route_segments(method, url)
}

/// Whether `bytes` hold none of `/`, `?`, `#` and `%`: one segment, nothing to split off or decode. Sixteen bytes
/// at a time with no branch inside (the compiler makes each block a few vector compares), the last block
/// overlapping the one before it: an id is 40 to 60 bytes, too short for `memchr`'s searches (one for three
/// characters, one for the fourth) to pay for starting (about 90 instructions against 150).
fn is_plain_segment(bytes: &[u8]) -> bool {
    #[inline(always)]
    fn special(b: u8) -> u8 {
        u8::from(b == b'/') | u8::from(b == b'?') | u8::from(b == b'#') | u8::from(b == b'%')
    }
    #[inline(always)]
    fn any_special(block: &[u8]) -> bool {
        block.iter().fold(0, |found, &b| found | special(b)) != 0
    }
    let Some(last) = bytes.len().checked_sub(16) else {
        return !any_special(bytes);
    };
    let mut blocks = bytes.chunks_exact(16);
    if blocks.any(any_special) {
        return false;
    }
    blocks.remainder().is_empty() || !any_special(&bytes[last..])
}

/// [`route`] for any URL: split into segments, each percent-decoded.
fn route_segments(method: Method, url: &str) -> Routed<'_> {
    // The longest route has 7 segments; segments are borrowed unless percent-encoded (no allocation on the way).
    const MOST: usize = 7;
    let path = path_of(url).trim_start_matches('/');
    let mut decoded: [Cow<'_, str>; MOST] = Default::default();
    let mut count = 0;
    for raw in path.split('/') {
        if raw.is_empty() || count == MOST {
            return Routed::NotFound;
        }
        if !raw.contains('%') {
            decoded[count] = Cow::Borrowed(raw);
        } else {
            match percent_decode_str(raw).decode_utf8() {
                Ok(segment) => decoded[count] = segment,
                Err(_) => return Routed::NotFound,
            }
        }
        count += 1;
    }
    let mut segments = [""; MOST];
    for (segment, text) in segments.iter_mut().zip(&decoded) {
        *segment = text;
    }
    let seg = &segments[..count];
    use Method::*;
    let (routes, param): (&[(Method, Route)], Option<&str>) = match seg {
        ["v1", "m2m", "clients"] => (&[(Post, Route::Create)], None),
        ["v1", "m2m", "clients", "search"] if method == Post => (&[(Post, Route::Search)], None),
        ["v1", "m2m", "clients", id] => (
            &[
                (Get, Route::Get),
                (Put, Route::Update),
                (Delete, Route::Delete),
            ],
            Some(id),
        ),
        ["v1", "m2m", "clients", id, "secrets", "rotate", "start"] => {
            (&[(Post, Route::RotateStart)], Some(id))
        }
        ["v1", "m2m", "clients", id, "secrets", "rotate", "cancel"] => {
            (&[(Post, Route::RotateCancel)], Some(id))
        }
        ["v1", "m2m", "clients", id, "secrets", "rotate"] => (&[(Post, Route::Rotate)], Some(id)),
        ["v1", "public", pid, "oauth2", "token"] => (&[(Post, Route::Token)], Some(pid)),
        ["v1", "sessions", "jwks", pid] | ["v1", "b2b", "sessions", "jwks", pid] => {
            (&[(Get, Route::Jwks)], Some(pid))
        }
        _ => return Routed::NotFound,
    };
    match routes.iter().find(|(m, _)| *m == method) {
        Some((_, r)) => Routed::Found(*r, param.map(|p| Cow::Owned(p.to_owned()))),
        None => Routed::MethodNotAllowed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fast_path_answers_as_the_general_path_does() {
        let ids = [
            "m2m-client-test-4b204d6d-5004-48d6-90e3-1ca21139a7d5",
            "search",
            "a",
            "",
            "a/",
            "a/b",
            "a?x=1",
            "a#f",
            "a%2Fb",
            "%61",
            "a%zz",
            "a/secrets/rotate",
            "a/secrets/rotate/start",
            "é",
            "a b",
        ];
        for method in [Method::Get, Method::Post, Method::Put, Method::Delete] {
            for id in ids {
                for url in [
                    format!("/v1/m2m/clients/{id}"),
                    format!("//v1/m2m/clients/{id}"),
                    format!("http://h:1/v1/m2m/clients/{id}"),
                ] {
                    assert_eq!(
                        route(method, &url),
                        route_segments(method, &url),
                        "{method:?} {url}"
                    );
                }
            }
        }
        assert_eq!(
            route(Method::Get, "/v1/m2m/clients/abc"),
            Routed::Found(Route::Get, Some("abc".into()))
        );
        // A long id with a character to split at or decode anywhere: in a block of sixteen or in what is left.
        let long = "m2m-client-test-4b204d6d-5004-48d6-90e3-1ca21139a7d5";
        for special in ['/', '?', '#', '%'] {
            for at in 0..long.len() {
                let mut id = long.to_owned();
                id.replace_range(at..=at, &special.to_string());
                assert!(!is_plain_segment(id.as_bytes()), "{id}");
                let url = format!("/v1/m2m/clients/{id}");
                assert_eq!(
                    route(Method::Get, &url),
                    route_segments(Method::Get, &url),
                    "{url}"
                );
            }
        }
        assert!(is_plain_segment(long.as_bytes()));
    }

    #[test]
    fn empty_segments_name_no_route() {
        for path in [
            "//v1//m2m///clients",
            "/v1/m2m//clients",
            "/v1/m2m/clients/",
            "/v1/m2m/clients//secrets/rotate",
        ] {
            assert_eq!(route(Method::Post, path), Routed::NotFound, "{path}");
        }
        // Longer than any route, however long.
        for path in [
            "/v1/m2m/clients/a/secrets/rotate/start/x",
            &"/v1".repeat(10_000),
        ] {
            assert_eq!(route(Method::Post, path), Routed::NotFound, "{path}");
        }
        // A base URL with a trailing slash joined to `/v1/…`.
        assert_eq!(
            route(Method::Post, "http://127.0.0.1:1//v1/m2m/clients"),
            Routed::Found(Route::Create, None)
        );
    }

    #[test]
    fn a_url_inside_the_query_is_not_the_path() {
        assert_eq!(
            path_of("/nothing?n=http://x/v1/sessions/jwks/p"),
            "/nothing"
        );
        assert_eq!(
            route(Method::Get, "/nothing?n=http://x/v1/sessions/jwks/p"),
            Routed::NotFound
        );
        assert_eq!(path_of("/a#http://x/b"), "/a");
        assert_eq!(
            path_of("https://test.stytch.com/v1/m2m/clients?x=1"),
            "/v1/m2m/clients"
        );
        assert_eq!(path_of("http://127.0.0.1:4010"), "/");
        assert_eq!(path_of("/v1/m2m/clients/a://b"), "/v1/m2m/clients/a://b");
    }

    #[test]
    fn routes_every_operation_and_decodes_ids() {
        let id: Option<Cow<'_, str>> = Some("m2m-client-test-1".into());
        assert_eq!(
            route(Method::Post, "https://test.stytch.com/v1/m2m/clients"),
            Routed::Found(Route::Create, None)
        );
        assert_eq!(
            route(Method::Post, "/v1/m2m/clients/search"),
            Routed::Found(Route::Search, None)
        );
        assert_eq!(
            route(
                Method::Get,
                "/v1/m2m/clients/m2m%2Dclient%2Dtest%2D1?client_id=x"
            ),
            Routed::Found(Route::Get, id.clone())
        );
        assert_eq!(
            route(Method::Put, "/v1/m2m/clients/m2m-client-test-1"),
            Routed::Found(Route::Update, id.clone())
        );
        assert_eq!(
            route(Method::Delete, "/v1/m2m/clients/m2m-client-test-1"),
            Routed::Found(Route::Delete, id.clone())
        );
        assert_eq!(
            route(
                Method::Post,
                "/v1/m2m/clients/m2m-client-test-1/secrets/rotate/start"
            ),
            Routed::Found(Route::RotateStart, id.clone())
        );
        assert_eq!(
            route(
                Method::Post,
                "/v1/m2m/clients/m2m-client-test-1/secrets/rotate/cancel"
            ),
            Routed::Found(Route::RotateCancel, id.clone())
        );
        assert_eq!(
            route(
                Method::Post,
                "/v1/m2m/clients/m2m-client-test-1/secrets/rotate"
            ),
            Routed::Found(Route::Rotate, id)
        );
        assert_eq!(
            route(Method::Post, "/v1/public/p/oauth2/token"),
            Routed::Found(Route::Token, Some("p".into()))
        );
        assert_eq!(
            route(Method::Get, "/v1/b2b/sessions/jwks/p"),
            Routed::Found(Route::Jwks, Some("p".into()))
        );
        assert_eq!(
            route(Method::Get, "/v1/m2m/clients/search"),
            Routed::Found(Route::Get, Some("search".into()))
        );
        assert_eq!(
            route(Method::Get, "/v1/m2m/clients"),
            Routed::MethodNotAllowed
        );
        assert_eq!(route(Method::Get, "/v1/nope"), Routed::NotFound);
        assert_eq!(route(Method::Get, "/v1/m2m/clients/%FF"), Routed::NotFound);
    }
}
