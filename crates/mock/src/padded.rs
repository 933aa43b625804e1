//! [`Padded`]: a value alone on its cache lines.

/// A value alone on its cache lines (128 bytes, as x86 prefetches lines in pairs). For a lock every request
/// takes: its word is written by whichever core took it last, and a field read on every request that shared its
/// line (the project's credentials, the journal's limits, the fault table's flag) would be fetched from the
/// other core each time.
#[repr(align(128))]
#[derive(Debug, Default)]
pub(crate) struct Padded<T>(pub(crate) T);

impl<T> std::ops::Deref for Padded<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::Padded;

    #[test]
    fn a_padded_value_shares_no_line_with_its_neighbours() {
        struct Neighbours {
            before: u8,
            lock: Padded<std::sync::Mutex<u64>>,
            after: u8,
        }
        let n = Neighbours {
            before: 1,
            lock: Padded(std::sync::Mutex::new(2)),
            after: 3,
        };
        let lock = std::ptr::from_ref(&n.lock) as usize;
        assert_eq!(lock % 128, 0);
        for other in [
            std::ptr::from_ref(&n.before) as usize,
            std::ptr::from_ref(&n.after) as usize,
        ] {
            assert!(other / 128 != lock / 128, "shares a 128-byte block");
        }
        assert_eq!(n.before + n.after, 4);
        assert_eq!(*n.lock.lock().unwrap(), 2);
    }
}
