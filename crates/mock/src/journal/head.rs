//! [`RequestHead`]: what the journal keeps of a request besides its body, read where it lies.

use stytch_m2m_core::transport::{HttpRequest, Method};

/// A request's head as a server received it, read where it lies (nothing copied): what the journal keeps of a
/// request besides its body. [`HttpRequest`] is one; a server can make its own request type one, to answer a
/// request ([`crate::MockStytch::get_now`]) without copying it into an [`HttpRequest`] first.
///
/// ```
/// # mod stytch_m2m { pub use stytch_m2m_core::*; pub use stytch_m2m_mock as mock; }
/// use stytch_m2m::transport::{HttpRequest, Method};
/// use stytch_m2m::mock::RequestHead;
///
/// let request = HttpRequest::new(Method::Get, "/v1/m2m/clients/c1").with_header("host", "h");
/// assert_eq!(request.method(), Method::Get);
/// assert_eq!(request.url(), "/v1/m2m/clients/c1");
/// assert_eq!(request.headers().collect::<Vec<_>>(), [("host", Some("h"))]);
/// ```
pub trait RequestHead {
    /// The method.
    fn method(&self) -> Method;
    /// The URL as received (path and query).
    fn url(&self) -> &str;
    /// The headers in order: each name, and its value when the value is text (UTF-8). A header whose value is
    /// not text is left out of the journal, as an [`HttpRequest`] cannot hold it.
    fn headers(&self) -> impl Iterator<Item = (&str, Option<&str>)>;
}

impl RequestHead for HttpRequest {
    fn method(&self) -> Method {
        self.method
    }

    fn url(&self) -> &str {
        &self.url
    }

    fn headers(&self) -> impl Iterator<Item = (&str, Option<&str>)> {
        self.headers.iter().map(|(name, value)| (name, Some(value)))
    }
}
