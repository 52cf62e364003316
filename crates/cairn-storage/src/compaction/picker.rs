//! Size-tiered picking: a run of adjacent (by age) tables of similar size.

/// Tables in one tier differ in size by at most this factor.
const TIER_RATIO: u64 = 4;

/// Given table sizes newest first, returns the index range of tables to merge: the
/// first run of `min..=max` adjacent tables within `TIER_RATIO` of each other. Only
/// adjacent tables are merged so sequence ranges of tables never overlap. When there
/// are `force_at` tables or more and no tier is ready, the oldest `max` are merged, which
/// bounds the table count (and so read amplification and write stalls).
pub(crate) fn pick_size_tiered(
    sizes: &[u64],
    min: usize,
    max: usize,
    force_at: usize,
) -> Option<std::ops::Range<usize>> {
    for start in 0..sizes.len() {
        let (mut lo, mut hi) = (u64::MAX, 0u64);
        let mut end = start;
        while end < sizes.len() && end - start < max {
            let s = sizes[end].max(1);
            let (nlo, nhi) = (lo.min(s), hi.max(s));
            if nhi > nlo.saturating_mul(TIER_RATIO) {
                break;
            }
            (lo, hi) = (nlo, nhi);
            end += 1;
        }
        if end - start >= min {
            return Some(start..end);
        }
    }
    if sizes.len() >= force_at {
        return Some(sizes.len().saturating_sub(max)..sizes.len());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_similar_adjacent_tables() {
        assert_eq!(pick_size_tiered(&[10, 10, 10], 4, 8, 20), None);
        assert_eq!(
            pick_size_tiered(&[10, 12, 9, 11, 1000], 4, 8, 20),
            Some(0..4)
        );
        assert_eq!(
            pick_size_tiered(&[1000, 10, 12, 9, 11], 4, 8, 20),
            Some(1..5)
        );
        let many: Vec<u64> = (0..30).map(|i| 1u64 << i).collect();
        assert_eq!(pick_size_tiered(&many, 4, 8, 20), Some(22..30));
    }
}
