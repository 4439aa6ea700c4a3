//! Where a gang goes: the nodes a job gets, chosen from the free-capacity index of each group
//! ([`GroupIndex`]) without scanning the cluster.
//!
//! A job of at most one node's GPUs runs inside one node; a larger job takes whole nodes,
//! `ceil(gpus / gpus_per_node)` of them. The placements:
//! * `first-fit`: the lowest-numbered node that fits (or the lowest-numbered idle nodes);
//! * `best-fit`: the node with the fewest free GPUs that fits; a multi-node gang goes to the
//!   smallest block (domain, rack, pod) that holds it, the fullest such block, else anywhere;
//! * `consolidated` (`-domain`, `-rack`, `-pod`): like best-fit, but a gang that fits in one
//!   block of that level (or of the next larger level that can hold it) waits until such a
//!   block has room rather than spreading;
//! * `frag-aware`: each candidate free-GPU count is scored by how much the placement changes the
//!   fragmentation of that node, the expected free GPUs left that no waiting job could use, with
//!   the waiting jobs' sizes as the distribution (after FGD, ATC'23). Gangs go as best-fit.

use crate::cluster::{Cluster, Level};
use crate::index::GroupIndex;

/// A placement strategy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Placement {
    /// Lowest-numbered fit.
    FirstFit,
    /// Tightest fit.
    BestFit,
    /// Kept inside one block of a level.
    Consolidated(Level),
    /// Fragmentation-aware.
    FragAware,
}

/// The placements' names and what they do.
pub const KNOWN: [(&str, &str); 6] = [
    ("first-fit", "lowest-numbered node(s) that fit"),
    ("best-fit", "the fullest node that fits; gangs in the smallest block that holds them"),
    ("consolidated-domain", "gangs wait for room inside one NVLink domain (or the smallest level that holds them)"),
    ("consolidated-rack", "gangs wait for room inside one rack"),
    ("consolidated-pod", "gangs wait for room inside one pod"),
    ("frag-aware", "the node whose fragmentation for the waiting jobs grows least (FGD)"),
];

impl Placement {
    /// The placement called `name`; an unknown name gets the list.
    pub fn by_name(name: &str) -> Result<Placement, String> {
        Ok(match name.trim().to_ascii_lowercase().as_str() {
            "first-fit" | "firstfit" => Placement::FirstFit,
            "best-fit" | "bestfit" => Placement::BestFit,
            "consolidated" | "consolidated-domain" => Placement::Consolidated(Level::Domain),
            "consolidated-rack" => Placement::Consolidated(Level::Rack),
            "consolidated-pod" => Placement::Consolidated(Level::Pod),
            "frag-aware" | "fgd" => Placement::FragAware,
            _ => {
                let known: Vec<String> = KNOWN.iter().map(|(n, h)| format!("  {n:<20} {h}")).collect();
                return Err(format!("unknown placement `{name}`; the placements are:\n{}", known.join("\n")));
            }
        })
    }

    /// The placement's name.
    pub fn name(self) -> &'static str {
        match self {
            Placement::FirstFit => "first-fit",
            Placement::BestFit => "best-fit",
            Placement::Consolidated(Level::Domain) => "consolidated-domain",
            Placement::Consolidated(Level::Rack) => "consolidated-rack",
            Placement::Consolidated(Level::Pod) => "consolidated-pod",
            Placement::FragAware => "frag-aware",
        }
    }
}

/// Where a job goes: a group, its nodes (in `nodes` of the caller) and GPUs taken on each.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Spot {
    /// Group index.
    pub group: u16,
    /// GPUs taken on each node.
    pub per_node: u32,
}

/// Waiting jobs by size, for the fragmentation-aware placement and the fragmentation metric.
#[derive(Clone, Debug, Default)]
pub struct WaitingSizes {
    /// `small[s]`: waiting jobs of `s` GPUs, for `s` up to the largest node.
    pub(crate) small: Vec<u32>,
    /// Waiting jobs larger than the largest node.
    pub(crate) large: u32,
    /// The smallest `s` with `small[s] > 0`, `small.len()` when none: read once per scheduling
    /// pass, kept as jobs come and go rather than found by a scan.
    min_small: usize,
}

impl WaitingSizes {
    /// An empty histogram for nodes of up to `max_node` GPUs.
    pub fn new(max_node: u32) -> WaitingSizes {
        WaitingSizes { small: vec![0; max_node as usize + 1], large: 0, min_small: max_node as usize + 1 }
    }

    /// Counts a job of `gpus` in (`+1`) or out (`-1`).
    pub fn add(&mut self, gpus: u32, delta: i32) {
        let slot = match self.small.get_mut(gpus as usize) {
            Some(s) => s,
            None => &mut self.large,
        };
        *slot = slot.saturating_add_signed(delta);
        let s = gpus as usize;
        if s < self.small.len() {
            if self.small[s] > 0 && s < self.min_small {
                self.min_small = s;
            } else if self.small[s] == 0 && s == self.min_small {
                self.min_small = (s..self.small.len()).find(|&i| self.small[i] > 0).unwrap_or(self.small.len());
            }
        }
    }

    /// The fewest GPUs any waiting job asks for (`None` with no job waiting).
    pub fn smallest(&self) -> Option<u32> {
        if self.min_small < self.small.len() {
            return Some(self.min_small as u32);
        }
        (self.large > 0).then_some(self.small.len() as u32)
    }

    /// The smallest waiting job of at most `g` GPUs (of one GPU or more).
    pub fn smallest_up_to(&self, g: u32) -> Option<u32> {
        let top = g.min(self.small.len().saturating_sub(1) as u32);
        let from = self.min_small.max(1) as u32;
        (from..=top).find(|&s| self.small[s as usize] > 0)
    }
}

/// Free GPUs on `group` that no waiting job could use: those on partly free nodes with fewer
/// free GPUs than the smallest waiting job that fits a node (all of them when only multi-node
/// jobs wait). Idle nodes count as usable.
pub fn unusable_gpus(ix: &GroupIndex, waiting: &WaitingSizes) -> u64 {
    let g = ix.gpus_per_node();
    let limit = waiting.smallest_up_to(g).unwrap_or(g);
    (1..limit).map(|f| u64::from(f) * u64::from(ix.nodes_with_free(f))).sum()
}

/// Finds a spot for a job of `gpus` GPUs; its nodes are appended to `nodes` (cleared first).
pub fn find(
    cluster: &Cluster,
    groups: &[GroupIndex],
    placement: Placement,
    gpus: u32,
    waiting: &WaitingSizes,
    exclude: Option<u16>,
    nodes: &mut Vec<u32>,
) -> Option<Spot> {
    nodes.clear();
    let mut best: Option<(u64, u16, u32, u32)> = None; // (score, group, node, per_node)
    for (i, ix) in groups.iter().enumerate() {
        if exclude == Some(i as u16) || u64::from(gpus) > cluster.groups[i].gpus() || ix.free_gpus() < u64::from(gpus) {
            continue;
        }
        let g = ix.gpus_per_node();
        if gpus > g {
            if gang(ix, placement, gpus.div_ceil(g), nodes) {
                return Some(Spot { group: i as u16, per_node: g });
            }
            continue;
        }
        if let Some((score, node)) = small(ix, placement, gpus, waiting)
            && best.is_none_or(|b| score < b.0)
        {
            best = Some((score, i as u16, node, gpus));
            if placement == Placement::FirstFit {
                break;
            }
        }
    }
    let (_, group, node, per_node) = best?;
    nodes.push(node);
    Some(Spot { group, per_node })
}

/// The node for a job of `k ≤ G` GPUs, with a score (lower is better) to compare groups.
fn small(ix: &GroupIndex, placement: Placement, k: u32, waiting: &WaitingSizes) -> Option<(u64, u32)> {
    match placement {
        Placement::FirstFit => ix.first_fit(k).map(|n| (0, n)),
        Placement::BestFit | Placement::Consolidated(_) => {
            let n = ix.best_fit(k)?;
            Some((u64::from(ix.free_on(n) - k), n))
        }
        Placement::FragAware => frag_aware(ix, k, waiting),
    }
}

/// The free-GPU count whose node's fragmentation grows least when `k` GPUs are taken from it.
fn frag_aware(ix: &GroupIndex, k: u32, waiting: &WaitingSizes) -> Option<(u64, u32)> {
    let g = ix.gpus_per_node();
    // larger[f] = waiting jobs (that fit a node) of more than f GPUs.
    let mut larger = vec![0u64; g as usize + 1];
    for f in (0..g).rev() {
        larger[f as usize] = larger[f as usize + 1] + u64::from(*waiting.small.get(f as usize + 1).unwrap_or(&0));
    }
    let total = larger[0].max(1) as f64;
    // Expected free GPUs on a node with f free that a job drawn from the waiting ones cannot use.
    let frag = |f: u32| f64::from(f) * larger[f as usize] as f64 / total;
    let mut best: Option<(f64, u32)> = None;
    for f in k..=g {
        if ix.nodes_with_free(f) == 0 {
            continue;
        }
        let delta = frag(f - k) - frag(f);
        if best.is_none_or(|(d, _)| delta < d - 1e-12) {
            best = Some((delta, f));
        }
    }
    let (delta, f) = best?;
    // Scores must order across groups: shift the delta (at least −G) to a non-negative integer.
    let score = ((delta + f64::from(g)) * 1e6) as u64;
    Some((score, ix.first_with(f)?))
}

/// The idle nodes for a gang of `n` whole nodes, appended to `nodes`.
fn gang(ix: &GroupIndex, placement: Placement, n: u32, nodes: &mut Vec<u32>) -> bool {
    if ix.idle_nodes() < n {
        return false;
    }
    match placement {
        Placement::FirstFit => ix.idle_in(0, u32::MAX, n, nodes),
        Placement::BestFit | Placement::FragAware => {
            Level::ALL.iter().any(|&l| ix.block_size(l) >= n && ix.idle_in_one_block(l, n, nodes))
                || ix.idle_in(0, u32::MAX, n, nodes)
        }
        Placement::Consolidated(level) => {
            match Level::ALL.iter().find(|&&l| l >= level && ix.block_size(l) >= n) {
                Some(&l) => ix.idle_in_one_block(l, n, nodes),
                // Larger than any block: it spans blocks whatever the placement.
                None => ix.idle_in(0, u32::MAX, n, nodes),
            }
        }
    }
}
