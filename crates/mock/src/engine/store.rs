//! The clients and their indexes: by id (hash map), by creation order, by scope and by name (ordered sets of
//! sequence numbers). A search by id or by scope reads only the matching entries. Each client is kept with its
//! wire JSON, written when it is stored: a `get` copies bytes and never serializes under the lock.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Bound;

use stytch_m2m_core::models::{SearchFilterName, SearchOperator, SearchQuery};

use super::record::Record;

/// A client and its wire JSON (`RecordWire`), written together by [`Store::put`].
#[derive(Debug)]
struct Stored {
    record: Record,
    wire: Box<[u8]>,
}

#[derive(Default, Debug)]
pub(crate) struct Store {
    next_seq: u64,
    /// Hashed with a randomly seeded foldhash: every request naming a client looks it up, and SipHash cost
    /// about ten times as much for an id (keys are ids the project's own credentials created).
    by_id: HashMap<String, Stored, foldhash::fast::RandomState>,
    order: BTreeMap<u64, String>,
    by_scope: HashMap<String, BTreeSet<u64>>,
    by_name: HashMap<String, BTreeSet<u64>>,
}

/// The candidates of a query: every client, an index set, or a computed set.
pub(crate) enum Candidates<'a> {
    All(&'a BTreeMap<u64, String>),
    Borrowed(&'a BTreeSet<u64>),
    Owned(BTreeSet<u64>),
}

impl Candidates<'_> {
    pub fn len(&self) -> usize {
        match self {
            Candidates::All(m) => m.len(),
            Candidates::Borrowed(s) => s.len(),
            Candidates::Owned(s) => s.len(),
        }
    }

    fn set(&self) -> Option<&BTreeSet<u64>> {
        match self {
            Candidates::All(_) => None,
            Candidates::Borrowed(s) => Some(s),
            Candidates::Owned(s) => Some(s),
        }
    }

    pub fn after(&self, after: Option<u64>) -> Box<dyn Iterator<Item = u64> + '_> {
        let lower = after.map_or(Bound::Unbounded, Bound::Excluded);
        match self {
            Candidates::All(m) => Box::new(m.range((lower, Bound::Unbounded)).map(|(k, _)| *k)),
            Candidates::Borrowed(s) => Box::new(s.range((lower, Bound::Unbounded)).copied()),
            Candidates::Owned(s) => Box::new(s.range((lower, Bound::Unbounded)).copied()),
        }
    }
}

static EMPTY: BTreeSet<u64> = BTreeSet::new();

impl Store {
    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    pub fn contains(&self, client_id: &str) -> bool {
        self.by_id.contains_key(client_id)
    }

    pub fn get(&self, client_id: &str) -> Option<&Record> {
        self.by_id.get(client_id).map(|s| &s.record)
    }

    /// The client's JSON as the API writes it.
    pub fn wire(&self, client_id: &str) -> Option<&[u8]> {
        self.by_id.get(client_id).map(|s| &s.wire[..])
    }

    pub fn by_seq(&self, seq: u64) -> Option<&Record> {
        self.order.get(&seq).and_then(|id| self.get(id))
    }

    pub fn next_seq(&mut self) -> u64 {
        self.next_seq += 1;
        self.next_seq
    }

    /// Inserts a new record or replaces the record of the same id, keeping every index right.
    pub fn put(&mut self, record: Record) {
        if let Some(old) = self.by_id.remove(&record.client_id) {
            self.unindex(&old.record);
        }
        self.next_seq = self.next_seq.max(record.seq);
        self.order.insert(record.seq, record.client_id.clone());
        for scope in &record.scopes {
            self.by_scope
                .entry(scope.clone())
                .or_default()
                .insert(record.seq);
        }
        self.by_name
            .entry(record.client_name.clone())
            .or_default()
            .insert(record.seq);
        let wire = super::record::record_json(&record);
        self.by_id
            .insert(record.client_id.clone(), Stored { record, wire });
    }

    pub fn remove(&mut self, client_id: &str) -> Option<Record> {
        let old = self.by_id.remove(client_id)?.record;
        self.unindex(&old);
        Some(old)
    }

    fn unindex(&mut self, old: &Record) {
        self.order.remove(&old.seq);
        for scope in &old.scopes {
            if let Some(set) = self.by_scope.get_mut(scope) {
                set.remove(&old.seq);
                if set.is_empty() {
                    self.by_scope.remove(scope);
                }
            }
        }
        if let Some(set) = self.by_name.get_mut(&old.client_name) {
            set.remove(&old.seq);
            if set.is_empty() {
                self.by_name.remove(&old.client_name);
            }
        }
    }

    pub fn records(&self) -> impl Iterator<Item = &Record> {
        self.order.values().filter_map(|id| self.get(id))
    }

    fn operand(&self, name: SearchFilterName, values: &[String]) -> Candidates<'_> {
        let index = match name {
            SearchFilterName::ClientId => {
                return Candidates::Owned(
                    values
                        .iter()
                        .filter_map(|v| self.get(v))
                        .map(|r| r.seq)
                        .collect(),
                );
            }
            SearchFilterName::ClientName => &self.by_name,
            SearchFilterName::Scopes => &self.by_scope,
            // A filter added to the schema after this mock was written matches nothing until it is taught here
            // (the wire parser refuses unknown names before this point).
            _ => return Candidates::Owned(BTreeSet::new()),
        };
        match values {
            [one] => Candidates::Borrowed(index.get(one).unwrap_or(&EMPTY)),
            many => Candidates::Owned(
                many.iter()
                    .filter_map(|v| index.get(v))
                    .flatten()
                    .copied()
                    .collect(),
            ),
        }
    }

    /// The clients a query matches (every client without a query or without operands).
    pub fn matching(&self, query: Option<&SearchQuery>) -> Candidates<'_> {
        let Some(query) = query.filter(|q| !q.operands.is_empty()) else {
            return Candidates::All(&self.order);
        };
        let mut sets: Vec<Candidates<'_>> = query
            .operands
            .iter()
            .map(|o| self.operand(o.filter_name, &o.filter_value))
            .collect();
        if sets.len() == 1 {
            return sets.pop().expect("one set");
        }
        match query.operator {
            SearchOperator::And => {
                sets.sort_by_key(Candidates::len);
                let (first, rest) = sets.split_first().expect("two or more sets");
                let first = first.set().expect("operands give sets");
                Candidates::Owned(
                    first
                        .iter()
                        .filter(|seq| {
                            rest.iter()
                                .all(|s| s.set().expect("operands give sets").contains(seq))
                        })
                        .copied()
                        .collect(),
                )
            }
            SearchOperator::Or => Candidates::Owned(
                sets.iter()
                    .flat_map(|s| s.set().expect("operands give sets").iter().copied())
                    .collect(),
            ),
            // As for filters: an operator this mock does not know matches nothing.
            _ => Candidates::Owned(BTreeSet::new()),
        }
    }
}
