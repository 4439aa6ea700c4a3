//! GPUs shared by fractional jobs (`--share-gpus`): each GPU of a group has a used share in
//! hundredths; partly used GPUs sit in buckets by free share, so a fractional job finds the
//! fullest GPU it fits on by looking at most 99 buckets. A fractional job never spans GPUs or
//! nodes. A shared GPU is taken from its node like a one-GPU job when its first job arrives and
//! given back when its last job leaves.

use crate::cluster::NodeGroup;
use crate::nodeset::NodeSet;

/// The shared GPUs of one group.
#[derive(Clone, Debug)]
pub struct ShareIndex {
    gpus_per_node: u32,
    /// Hundredths used on each GPU slot (node × G + index).
    used: Vec<u8>,
    /// `by_free[f]`: partly used GPUs with `f` hundredths free (1 ≤ f ≤ 99).
    by_free: Vec<NodeSet>,
}

impl ShareIndex {
    /// No GPU of `group` shared yet.
    pub fn new(group: &NodeGroup) -> ShareIndex {
        ShareIndex {
            gpus_per_node: group.gpus_per_node.max(1),
            used: vec![0; group.gpus() as usize],
            by_free: vec![NodeSet::new(group.gpus().try_into().unwrap_or(u32::MAX)); 100],
        }
    }

    /// The partly used GPU with the least free share that still holds `share`.
    pub fn tightest(&self, share: u8) -> Option<u32> {
        self.by_free.get(usize::from(share)..)?.iter().find_map(|s| s.first())
    }

    /// A GPU slot of `node` that no fractional job uses (the node has just given one up).
    pub fn fresh_slot(&self, node: u32) -> u32 {
        let first = node * self.gpus_per_node;
        (first..first + self.gpus_per_node).find(|&s| self.used[s as usize] == 0).unwrap_or(first)
    }

    /// The node of a slot.
    pub fn node_of(&self, slot: u32) -> u32 {
        slot / self.gpus_per_node
    }

    fn file(&mut self, slot: u32, on: bool) {
        let used = self.used[slot as usize];
        if (1..100).contains(&used) {
            let bucket = &mut self.by_free[usize::from(100 - used)];
            if on {
                bucket.insert(slot);
            } else {
                bucket.remove(slot);
            }
        }
    }

    /// A job takes `share` of `slot`.
    pub fn add(&mut self, slot: u32, share: u8) {
        self.file(slot, false);
        self.used[slot as usize] = self.used[slot as usize].saturating_add(share).min(100);
        self.file(slot, true);
    }

    /// A job gives `share` of `slot` back; true when the GPU is now unused.
    pub fn remove(&mut self, slot: u32, share: u8) -> bool {
        self.file(slot, false);
        self.used[slot as usize] = self.used[slot as usize].saturating_sub(share);
        self.file(slot, true);
        self.used[slot as usize] == 0
    }
}
