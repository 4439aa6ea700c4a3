//! An ordered set of small integers (node or GPU-slot numbers below a fixed bound) as a
//! hierarchy of 64-bit words: bit `i` of level 0 says whether `i` is in the set, bit `w` of
//! level `k + 1` whether word `w` of level `k` is non-zero. Insert and remove are
//! O(log₆₄ n), and so are the smallest member and the successor of any number, with no
//! allocation after the first insert. It replaces ordered trees in the scheduler's indexes,
//! whose O(log n) pointer-chasing per node dominated a million-job build-out.

/// An ordered set of `u32` below a bound given at construction.
#[derive(Clone, Debug, Default)]
pub struct NodeSet {
    bound: u32,
    len: u32,
    /// `levels[0]` holds the members, each further level one bit per non-zero word of the one
    /// below; the top level is one word. Empty until the first insert.
    levels: Vec<Vec<u64>>,
}

impl NodeSet {
    /// An empty set of numbers below `bound`.
    pub fn new(bound: u32) -> NodeSet {
        NodeSet { bound, len: 0, levels: Vec::new() }
    }

    /// Every number below `bound`.
    pub fn full(bound: u32) -> NodeSet {
        let mut s = NodeSet::new(bound);
        for i in 0..bound {
            s.insert(i);
        }
        s
    }

    fn allocate(&mut self) {
        let mut words = (self.bound as usize).div_ceil(64).max(1);
        loop {
            self.levels.push(vec![0; words]);
            if words == 1 {
                break;
            }
            words = words.div_ceil(64);
        }
    }

    /// How many numbers the set holds.
    pub fn len(&self) -> u32 {
        self.len
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Whether `x` is in the set.
    pub fn contains(&self, x: u32) -> bool {
        self.levels.first().is_some_and(|l| l.get(x as usize / 64).is_some_and(|w| w >> (x % 64) & 1 == 1))
    }

    /// Adds `x` (below the bound); false if it was there.
    pub fn insert(&mut self, x: u32) -> bool {
        debug_assert!(x < self.bound, "{x} is not below the set's bound {}", self.bound);
        if self.levels.is_empty() {
            self.allocate();
        }
        if self.contains(x) {
            return false;
        }
        let mut i = x as usize;
        for level in &mut self.levels {
            let word = &mut level[i / 64];
            let was = *word;
            *word |= 1 << (i % 64);
            if was != 0 {
                break;
            }
            i /= 64;
        }
        self.len += 1;
        true
    }

    /// Removes `x`; false if it was not there.
    pub fn remove(&mut self, x: u32) -> bool {
        if !self.contains(x) {
            return false;
        }
        let mut i = x as usize;
        for level in &mut self.levels {
            let word = &mut level[i / 64];
            *word &= !(1 << (i % 64));
            if *word != 0 {
                break;
            }
            i /= 64;
        }
        self.len -= 1;
        true
    }

    /// The smallest member.
    pub fn first(&self) -> Option<u32> {
        if self.len == 0 {
            return None;
        }
        let mut i = 0usize;
        for level in self.levels.iter().rev() {
            i = i * 64 + level[i].trailing_zeros() as usize;
        }
        Some(i as u32)
    }

    /// The smallest member at or above `x`.
    pub fn next_from(&self, x: u32) -> Option<u32> {
        if self.len == 0 {
            return None;
        }
        self.succ(0, x as usize).map(|i| i as u32)
    }

    /// The smallest set position at or after `i` on `level`, descending to that level.
    fn succ(&self, level: usize, i: usize) -> Option<usize> {
        let words = &self.levels[level];
        let w = i / 64;
        let here = words.get(w)? & (u64::MAX << (i % 64));
        if here != 0 {
            return Some(w * 64 + here.trailing_zeros() as usize);
        }
        if level + 1 == self.levels.len() {
            return None;
        }
        let next = self.succ(level + 1, w + 1)?;
        Some(next * 64 + words[next].trailing_zeros() as usize)
    }

    /// The members in `from..to`, in increasing order.
    pub fn range(&self, from: u32, to: u32) -> impl Iterator<Item = u32> + '_ {
        let mut at = from;
        std::iter::from_fn(move || {
            if at >= to {
                return None;
            }
            let x = self.next_from(at).filter(|&x| x < to)?;
            at = x + 1;
            Some(x)
        })
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use proptest::prelude::*;

    use super::*;

    proptest! {
        /// The set answers as an ordered tree does, through any sequence of inserts and removes.
        #[test]
        fn behaves_as_an_ordered_tree(
            bound in 1u32..20_000,
            ops in prop::collection::vec((any::<bool>(), any::<u32>()), 0..400),
            probes in prop::collection::vec((any::<u32>(), any::<u32>()), 0..20),
        ) {
            let mut s = NodeSet::new(bound);
            let mut t = BTreeSet::new();
            for (add, x) in ops {
                let x = x % bound;
                if add {
                    prop_assert_eq!(s.insert(x), t.insert(x));
                } else {
                    prop_assert_eq!(s.remove(x), t.remove(&x));
                }
                prop_assert_eq!(s.len() as usize, t.len());
                prop_assert_eq!(s.first(), t.first().copied());
            }
            for (a, b) in probes {
                let (a, b) = (a % (bound + 1), b % (bound + 1));
                prop_assert_eq!(s.next_from(a), t.range(a..).next().copied());
                let got: Vec<u32> = s.range(a, b).collect();
                let want: Vec<u32> = if a < b { t.range(a..b).copied().collect() } else { Vec::new() };
                prop_assert_eq!(got, want);
            }
        }
    }

    #[test]
    fn a_full_set_of_a_million_finds_its_ends() {
        let mut s = NodeSet::full(1_000_000);
        assert_eq!(s.len(), 1_000_000);
        assert_eq!(s.first(), Some(0));
        for x in 0..999_999 {
            assert!(s.remove(x));
        }
        assert_eq!(s.first(), Some(999_999));
        assert_eq!(s.next_from(5), Some(999_999));
        assert!(s.remove(999_999));
        assert_eq!(s.first(), None);
        assert!(s.is_empty());
    }
}
