//! Request ids: every answer carries one, written on the stack.

use super::Engine;

impl Engine {
    /// A fresh `request-id-test-<uuid>`.
    pub fn request_id(&self) -> String {
        self.fresh_request_id().as_str().to_owned()
    }

    /// A fresh request id on the stack: every answer carries one, and writing it allocates nothing.
    pub(crate) fn fresh_request_id(&self) -> RequestId {
        let mut bytes = [0u8; RequestId::LEN];
        let (prefix, uuid) = bytes.split_at_mut(RequestId::LEN - 36);
        prefix[..11].copy_from_slice(b"request-id-");
        prefix[11..15].copy_from_slice(self.env().as_bytes());
        prefix[15] = b'-';
        if let Ok(uuid) = <&mut [u8; 36]>::try_from(uuid) {
            self.random.write_request_uuid(uuid);
        }
        RequestId { bytes }
    }
}

/// A request id (`request-id-{test|live}-{uuid}`, always 52 ASCII bytes), kept on the stack.
#[derive(Clone, Copy)]
pub(crate) struct RequestId {
    bytes: [u8; RequestId::LEN],
}

impl RequestId {
    const LEN: usize = "request-id-test-".len() + 36;

    /// The id's bytes (ASCII: written into a JSON body as they are, nothing to escape).
    pub(crate) fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The id as text.
    pub(crate) fn as_str(&self) -> &str {
        // Always ASCII (a fixed prefix and hexadecimal digits): the check cannot fail.
        std::str::from_utf8(&self.bytes).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn request_ids_are_the_usual_form_and_differ() {
        let mock = crate::MockStytch::new();
        let a = mock.engine().fresh_request_id();
        let b = mock.engine().request_id();
        for id in [a.as_str(), b.as_str()] {
            let uuid = id.strip_prefix("request-id-test-").expect(id);
            assert_eq!(uuid.len(), 36, "{id}");
            assert_eq!(
                uuid.match_indices('-').map(|(i, _)| i).collect::<Vec<_>>(),
                [8, 13, 18, 23]
            );
            assert!(uuid.bytes().all(|c| c == b'-' || c.is_ascii_hexdigit()));
            assert_eq!(&uuid[14..15], "4");
        }
        assert_ne!(a.as_str(), b);
        assert_eq!(a.as_bytes(), a.as_str().as_bytes());
    }
}
