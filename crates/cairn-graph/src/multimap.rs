//! [`MultiMap`]: the values of each key side by side in one vector, for the symbol
//! table's indexes.
//!
//! A map of `Vec`s costs an allocation per key to build and a free per key to drop.
//! The symbol table's indexes hold a few hundred thousand keys each, and dropping
//! them took about a fifth of a second at the end of every sync, on one thread. Here a
//! map is two allocations: keys to their ranges, and the values grouped by key (a
//! stable sort keeps each key's values in the order they were pushed).

use crate::id::FastMap;
use std::borrow::Borrow;
use std::hash::Hash;

/// Keys with their values, in the order they were pushed; see the module docs.
#[derive(Debug)]
pub(crate) struct MultiMap<K, V> {
    /// Each key's values: `values[start..end]`.
    ranges: FastMap<K, (u32, u32)>,
    values: Vec<V>,
}

impl<K: Hash + Eq, V> MultiMap<K, V> {
    /// The values of `key`, in the order they were pushed; `None` if it has none.
    #[inline]
    pub(crate) fn get<Q>(&self, key: &Q) -> Option<&[V]>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let &(start, end) = self.ranges.get(key)?;
        Some(&self.values[start as usize..end as usize])
    }

    /// The values of `key`, or none.
    #[inline]
    pub(crate) fn get_or_empty<Q>(&self, key: &Q) -> &[V]
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.get(key).unwrap_or(&[])
    }
}

/// Collects (key, value) pairs for a [`MultiMap`].
#[derive(Debug)]
pub(crate) struct MultiMapBuilder<K, V> {
    /// Each key's number (and 0), until [`Self::finish`] makes them ranges.
    numbers: FastMap<K, (u32, u32)>,
    counts: Vec<u32>,
    /// (key number, value), in push order.
    pairs: Vec<(u32, V)>,
}

impl<K, V> Default for MultiMapBuilder<K, V> {
    fn default() -> Self {
        MultiMapBuilder {
            numbers: FastMap::default(),
            counts: Vec::new(),
            pairs: Vec::new(),
        }
    }
}

impl<K: Hash + Eq, V> MultiMapBuilder<K, V> {
    pub(crate) fn push(&mut self, key: K, value: V) {
        let next = self.counts.len() as u32;
        let (n, _) = *self.numbers.entry(key).or_insert((next, 0));
        if n == next {
            self.counts.push(0);
        }
        self.counts[n as usize] += 1;
        self.pairs.push((n, value));
    }

    /// The map, each key's values in push order.
    pub(crate) fn build(mut self) -> MultiMap<K, V> {
        // Stable: a key's values keep their order.
        self.pairs.sort_by_key(|&(n, _)| n);
        self.finish()
    }

    /// The map, each key's values sorted.
    pub(crate) fn build_sorted(mut self) -> MultiMap<K, V>
    where
        V: Ord,
    {
        self.pairs
            .sort_unstable_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
        self.finish()
    }

    fn finish(mut self) -> MultiMap<K, V> {
        // Key number n's values start where n - 1's end.
        let mut end = 0u32;
        for count in &mut self.counts {
            end += *count;
            *count = end;
        }
        debug_assert_eq!(end as usize, self.pairs.len());
        let ends = &self.counts;
        for range in self.numbers.values_mut() {
            let n = range.0 as usize;
            *range = (if n == 0 { 0 } else { ends[n - 1] }, ends[n]);
        }
        MultiMap {
            ranges: self.numbers,
            values: self.pairs.into_iter().map(|(_, v)| v).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_keep_push_order_per_key() {
        let mut b = MultiMapBuilder::default();
        for (k, v) in [("b", 3), ("a", 9), ("b", 1), ("c", 5), ("a", 2), ("b", 2)] {
            b.push(k, v);
        }
        let m = b.build();
        assert_eq!(m.get("a"), Some(&[9, 2][..]));
        assert_eq!(m.get("b"), Some(&[3, 1, 2][..]));
        assert_eq!(m.get("c"), Some(&[5][..]));
        assert_eq!(m.get("d"), None);
        assert!(m.get_or_empty("d").is_empty());
    }

    #[test]
    fn build_sorted_sorts_each_key() {
        let mut b = MultiMapBuilder::default();
        for (k, v) in [(2u32, 7), (1, 4), (2, 1), (1, 3), (2, 5)] {
            b.push(k, v);
        }
        let m = b.build_sorted();
        assert_eq!(m.get(&1), Some(&[3, 4][..]));
        assert_eq!(m.get(&2), Some(&[1, 5, 7][..]));
    }

    #[test]
    fn empty_builder_gives_empty_map() {
        let m = MultiMapBuilder::<&str, u32>::default().build();
        assert_eq!(m.get("x"), None);
    }
}
