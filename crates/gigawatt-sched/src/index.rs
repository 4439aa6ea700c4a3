//! Free capacity of one group of nodes, indexed so that placing a gang never scans the group.
//!
//! * `by_free[k]`: the nodes that are up with exactly `k` free GPUs (`1 ≤ k ≤ G`), ordered by
//!   number. A job of `k ≤ G` GPUs looks at most `G` buckets: first-fit takes the lowest-numbered
//!   node over the buckets `k..=G`, best-fit the first node of the first non-empty bucket.
//! * For each level (domain, rack, pod), `by_idle[c]`: the blocks with exactly `c` idle nodes
//!   (up, every GPU free). A gang of `n` whole nodes kept inside one block takes the block with
//!   the fewest idle nodes that still hold it (best fit), then its `n` lowest-numbered idle nodes.
//!
//! Every update is O(log₆₄ n) per node whose free count changes ([`NodeSet`]).

use crate::cluster::{Level, NodeGroup};
use crate::nodeset::NodeSet;

/// Idle nodes per block of one level.
#[derive(Clone, Debug)]
struct LevelIndex {
    block: u32,
    idle: Vec<u32>,
    by_idle: Vec<NodeSet>,
}

impl LevelIndex {
    fn new(nodes: u32, block: u32) -> LevelIndex {
        if block <= 1 {
            // A block of one node is idle exactly when its node is: `GroupIndex` answers from
            // its own idle nodes, and nothing is kept here.
            return LevelIndex { block: 1, idle: Vec::new(), by_idle: Vec::new() };
        }
        let blocks = nodes.div_ceil(block);
        let mut by_idle = vec![NodeSet::new(blocks); block as usize + 1];
        let idle: Vec<u32> = (0..blocks).map(|b| block.min(nodes - b * block)).collect();
        for (b, &c) in idle.iter().enumerate() {
            by_idle[c as usize].insert(b as u32);
        }
        LevelIndex { block, idle, by_idle }
    }

    fn change(&mut self, node: u32, up: bool) {
        if self.block == 1 {
            return;
        }
        let b = node / self.block;
        let c = &mut self.idle[b as usize];
        self.by_idle[*c as usize].remove(b);
        if up {
            *c += 1;
        } else {
            *c -= 1;
        }
        self.by_idle[*c as usize].insert(b);
    }

    /// The block with the fewest idle nodes, at least `n`.
    fn best_block(&self, n: u32) -> Option<u32> {
        let from = n as usize;
        self.by_idle.get(from..)?.iter().find_map(|set| set.first())
    }
}

/// Free GPUs of one group of identical nodes, with the indexes above.
#[derive(Clone, Debug)]
pub struct GroupIndex {
    gpus_per_node: u32,
    free: Vec<u16>,
    up: Vec<bool>,
    by_free: Vec<NodeSet>,
    levels: Vec<LevelIndex>,
    free_gpus: u64,
}

impl GroupIndex {
    /// Every node of `group` up and free.
    pub fn new(group: &NodeGroup) -> GroupIndex {
        let g = group.gpus_per_node;
        let mut by_free = vec![NodeSet::new(group.nodes); g as usize + 1];
        by_free[g as usize] = NodeSet::full(group.nodes);
        GroupIndex {
            gpus_per_node: g,
            free: vec![g as u16; group.nodes as usize],
            up: vec![true; group.nodes as usize],
            by_free,
            levels: Level::ALL.iter().map(|&l| LevelIndex::new(group.nodes, group.block(l))).collect(),
            free_gpus: group.gpus(),
        }
    }

    /// GPUs per node.
    pub fn gpus_per_node(&self) -> u32 {
        self.gpus_per_node
    }

    /// Free GPUs on nodes that are up.
    pub fn free_gpus(&self) -> u64 {
        self.free_gpus
    }

    /// Nodes that are up with every GPU free.
    pub fn idle_nodes(&self) -> u32 {
        self.by_free[self.gpus_per_node as usize].len()
    }

    /// The most GPUs one job could be placed on in this group now: every idle node's for a gang
    /// of whole nodes, else the most free on one node.
    pub fn largest_fit(&self) -> u64 {
        let g = self.gpus_per_node;
        match self.idle_nodes() {
            0 => (1..g).rev().find(|&f| self.nodes_with_free(f) > 0).map_or(0, u64::from),
            idle => u64::from(idle) * u64::from(g),
        }
    }

    /// Nodes that are up with exactly `k` free GPUs.
    pub fn nodes_with_free(&self, k: u32) -> u32 {
        self.by_free.get(k as usize).map_or(0, |s| s.len())
    }

    /// Free GPUs on `node` (0 when it is down).
    pub fn free_on(&self, node: u32) -> u32 {
        if self.up[node as usize] { u32::from(self.free[node as usize]) } else { 0 }
    }

    /// Whether `node` is up.
    pub fn is_up(&self, node: u32) -> bool {
        self.up[node as usize]
    }

    /// The block of `level` that `node` is in.
    pub fn block_of(&self, level: Level, node: u32) -> u32 {
        node / self.levels[level as usize].block
    }

    /// Nodes per block of `level`.
    pub fn block_size(&self, level: Level) -> u32 {
        self.levels[level as usize].block
    }

    fn set_free(&mut self, node: u32, to: u32) {
        let g = self.gpus_per_node;
        let i = node as usize;
        let from = u32::from(self.free[i]);
        if self.up[i] {
            self.by_free[from as usize].remove(node);
            self.by_free[to as usize].insert(node);
            self.free_gpus = self.free_gpus + u64::from(to) - u64::from(from);
            if (from == g) != (to == g) {
                for l in &mut self.levels {
                    l.change(node, to == g);
                }
            }
        }
        self.free[i] = to as u16;
    }

    /// Takes `k` GPUs on `node` (which has them free).
    pub fn take(&mut self, node: u32, k: u32) {
        let f = u32::from(self.free[node as usize]);
        debug_assert!(k <= f, "taking {k} of {f} free GPUs");
        self.set_free(node, f - k.min(f));
    }

    /// Gives back `k` GPUs on `node`.
    pub fn give(&mut self, node: u32, k: u32) {
        let f = u32::from(self.free[node as usize]);
        self.set_free(node, (f + k).min(self.gpus_per_node));
    }

    /// Takes `node` out of service (its GPUs are no longer free to anyone) or brings it back.
    pub fn set_up(&mut self, node: u32, up: bool) {
        let i = node as usize;
        if self.up[i] == up {
            return;
        }
        let f = u32::from(self.free[i]);
        if up {
            self.up[i] = true;
            self.by_free[f as usize].insert(node);
            self.free_gpus += u64::from(f);
            if f == self.gpus_per_node {
                for l in &mut self.levels {
                    l.change(node, true);
                }
            }
        } else {
            self.by_free[f as usize].remove(node);
            self.free_gpus -= u64::from(f);
            if f == self.gpus_per_node {
                for l in &mut self.levels {
                    l.change(node, false);
                }
            }
            self.up[i] = false;
        }
    }

    /// The lowest-numbered node with at least `k` free GPUs.
    pub fn first_fit(&self, k: u32) -> Option<u32> {
        self.by_free.get(k.max(1) as usize..)?.iter().filter_map(|s| s.first()).min()
    }

    /// A node with the fewest free GPUs, at least `k` (the lowest-numbered of them).
    pub fn best_fit(&self, k: u32) -> Option<u32> {
        self.by_free.get(k.max(1) as usize..)?.iter().find_map(|s| s.first())
    }

    /// The lowest-numbered node with exactly `f` free GPUs.
    pub fn first_with(&self, f: u32) -> Option<u32> {
        self.by_free.get(f as usize)?.first()
    }

    /// Appends the `n` lowest-numbered idle nodes in `from..to` to `out`; false (and `out`
    /// unchanged) if there are fewer.
    pub fn idle_in(&self, from: u32, to: u32, n: u32, out: &mut Vec<u32>) -> bool {
        let start = out.len();
        out.extend(self.by_free[self.gpus_per_node as usize].range(from, to).take(n as usize));
        if out.len() - start < n as usize {
            out.truncate(start);
            return false;
        }
        true
    }

    /// Appends `n` idle nodes inside one block of `level` (the block with the fewest idle nodes
    /// that hold them) to `out`; false if no block holds them.
    pub fn idle_in_one_block(&self, level: Level, n: u32, out: &mut Vec<u32>) -> bool {
        let l = &self.levels[level as usize];
        if l.block == 1 {
            if n == 0 {
                return true;
            }
            // Every block with an idle node has exactly one: the lowest-numbered idle node.
            let Some(node) = self.by_free[self.gpus_per_node as usize].first().filter(|_| n <= 1) else {
                return false;
            };
            out.push(node);
            return true;
        }
        let Some(b) = l.best_block(n) else {
            return false;
        };
        let from = b * l.block;
        self.idle_in(from, from.saturating_add(l.block), n, out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(nodes: u32, g: u32, per_domain: u32) -> NodeGroup {
        NodeGroup {
            name: "t".into(),
            gpu_type: String::new(),
            nodes,
            gpus_per_node: g,
            nodes_per_domain: per_domain,
            nodes_per_rack: per_domain * 2,
            nodes_per_pod: 0,
        }
    }

    #[test]
    fn first_fit_takes_the_lowest_node_and_best_fit_the_fullest() {
        let mut ix = GroupIndex::new(&group(4, 8, 1));
        ix.take(0, 6); // node 0: 2 free
        ix.take(2, 3); // node 2: 5 free
        assert_eq!(ix.first_fit(2), Some(0));
        assert_eq!(ix.first_fit(3), Some(1));
        assert_eq!(ix.best_fit(3), Some(2));
        assert_eq!(ix.best_fit(2), Some(0));
        assert_eq!(ix.free_gpus(), 32 - 9);
        assert_eq!(ix.idle_nodes(), 2);
        ix.give(0, 6);
        assert_eq!(ix.idle_nodes(), 3);
    }

    #[test]
    fn the_largest_fit_is_every_idle_node_else_the_freest_node() {
        let mut ix = GroupIndex::new(&group(3, 8, 1));
        assert_eq!(ix.largest_fit(), 24);
        ix.take(0, 3);
        assert_eq!(ix.largest_fit(), 16, "two idle nodes hold a gang of 16");
        ix.take(1, 8);
        ix.take(2, 7);
        assert_eq!(ix.largest_fit(), 5, "no idle node: node 0's 5 free GPUs");
        ix.set_up(0, false);
        assert_eq!(ix.largest_fit(), 1, "a node that is down holds nothing");
        ix.take(2, 1);
        assert_eq!(ix.largest_fit(), 0);
    }

    #[test]
    fn a_gang_inside_one_domain_takes_the_fullest_domain_that_holds_it() {
        // Domains of 4 nodes: 0-3, 4-7, 8-11.
        let mut ix = GroupIndex::new(&group(12, 8, 4));
        ix.take(0, 8);
        ix.take(5, 1);
        ix.take(6, 1);
        let mut out = Vec::new();
        assert!(ix.idle_in_one_block(Level::Domain, 2, &mut out));
        assert_eq!(out, vec![4, 7], "domain 1 has 2 idle nodes: the best fit");
        out.clear();
        assert!(ix.idle_in_one_block(Level::Domain, 3, &mut out));
        assert_eq!(out, vec![1, 2, 3]);
        out.clear();
        assert!(!ix.idle_in_one_block(Level::Domain, 5, &mut out));
        assert!(out.is_empty());
    }

    #[test]
    fn blocks_of_one_node_answer_from_the_idle_nodes() {
        let mut ix = GroupIndex::new(&group(6, 8, 1));
        ix.take(0, 1);
        ix.take(1, 8);
        let mut out = Vec::new();
        assert!(ix.idle_in_one_block(Level::Domain, 1, &mut out));
        assert_eq!(out, vec![2], "the lowest idle node");
        out.clear();
        assert!(!ix.idle_in_one_block(Level::Domain, 2, &mut out), "no domain of one node holds two");
        assert!(ix.idle_in_one_block(Level::Domain, 0, &mut out) && out.is_empty());
        for n in 2..6 {
            ix.set_up(n, false);
        }
        assert!(!ix.idle_in_one_block(Level::Domain, 1, &mut out), "no idle node left");
    }

    #[test]
    fn a_node_down_offers_nothing_and_comes_back_as_it_was() {
        let mut ix = GroupIndex::new(&group(2, 4, 1));
        ix.take(1, 1);
        ix.set_up(1, false);
        assert_eq!(ix.free_gpus(), 4);
        assert_eq!(ix.first_fit(1), Some(0));
        ix.give(1, 1);
        assert_eq!(ix.free_gpus(), 4, "a down node's GPUs are not free");
        ix.set_up(1, true);
        assert_eq!(ix.free_gpus(), 8);
        assert_eq!(ix.idle_nodes(), 2);
    }
}
