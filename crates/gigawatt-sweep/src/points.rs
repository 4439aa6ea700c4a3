//! The points of a sweep, their seeds and their shards: pure functions of the sweep file and its
//! seed, so that any machine computes the same point i with the same random numbers.
//!
//! * Grid: point i is the cartesian product's element i (the last list axis varies fastest),
//!   each with every sample: `i = grid_index × samples + sample`.
//! * One-at-a-time: point 0 is the base scenario; then each axis's values in turn, alone.
//! * Sampled axes draw from the triangular distribution on (low, central, high) — the
//!   distribution the plan's own Monte Carlo draws disputed inputs from — through its inverse
//!   CDF: Monte Carlo from one uniform per (axis, sample), Latin hypercube from a stratified
//!   uniform whose strata are permuted per axis.
//! * Seeds: point i's seed is [`point_seed`]`(sweep seed, i)`, replica r's is
//!   [`replica_seed`]`(point seed, r)` (SplitMix64 mixing).
//! * Shards: point i belongs to shard `i mod N` of N.

/// SplitMix64's finaliser: a bijective mix of 64 bits.
pub fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A hash of two words.
fn mix(a: u64, b: u64) -> u64 {
    splitmix64(a ^ splitmix64(b).rotate_left(23))
}

/// Point i's seed under sweep seed `seed`.
pub fn point_seed(seed: u64, point: u64) -> u64 {
    mix(seed, point)
}

/// Replica r's seed at a point seeded `point_seed`: the seed the command runs with.
pub fn replica_seed(point_seed: u64, replica: u32) -> u64 {
    mix(point_seed ^ 0x5EED_5EED_5EED_5EED, u64::from(replica))
}

/// A uniform number in [0, 1) from 64 bits.
fn unit(x: u64) -> f64 {
    (x >> 11) as f64 / (1u64 << 53) as f64
}

/// The inverse CDF of the triangular distribution on (low, central, high) at `u` in [0, 1).
pub fn triangular(u: f64, low: f64, central: f64, high: f64) -> f64 {
    if high <= low {
        return central;
    }
    let split = (central - low) / (high - low);
    if u < split {
        low + (u * (high - low) * (central - low)).sqrt()
    } else {
        high - ((1.0 - u) * (high - low) * (high - central)).sqrt()
    }
}

/// The uniforms of one sampled axis (the k-th sampled axis of the file), one per sample.
pub fn axis_uniforms(seed: u64, axis: u64, samples: u64, latin: bool) -> Vec<f64> {
    let stream = mix(seed ^ 0xA715_A715_A715_A715, axis);
    let jitter: Vec<f64> = (0..samples).map(|j| unit(mix(stream, j))).collect();
    if !latin {
        return jitter;
    }
    // A Fisher–Yates permutation of the strata, driven by the axis's own stream.
    let mut strata: Vec<u64> = (0..samples).collect();
    for j in (1..samples as usize).rev() {
        let r = (mix(stream ^ 0x9E37_79B9, j as u64) % (j as u64 + 1)) as usize;
        strata.swap(j, r);
    }
    strata.iter().zip(&jitter).map(|(&s, &u)| (s as f64 + u) / samples as f64).collect()
}

/// Whether point `point` belongs to shard `shard` of `shards`.
pub fn in_shard(point: u64, shard: u64, shards: u64) -> bool {
    point % shards == shard
}

/// The points of shard `shard` of `shards` among `points`, in order.
pub fn shard_points(points: u64, shard: u64, shards: u64) -> impl Iterator<Item = u64> {
    (shard..points).step_by(shards.max(1) as usize)
}

/// Which value of each axis a point takes: `Some(k)` for the k-th value of a list axis or the
/// k-th sample of a sampled axis; `None` for the base scenario's own value (one-at-a-time).
pub fn point_choices(point: u64, sizes: &[Option<u64>], samples: u64, one_at_a_time: bool) -> Vec<Option<u64>> {
    if one_at_a_time {
        let mut out = vec![None; sizes.len()];
        let mut rest = point;
        if rest == 0 {
            return out;
        }
        rest -= 1;
        for (a, size) in sizes.iter().enumerate() {
            let n = size.unwrap_or(0);
            if rest < n {
                out[a] = Some(rest);
                return out;
            }
            rest -= n;
        }
        return out;
    }
    let samples = samples.max(1);
    let sample = point % samples;
    let mut grid = point / samples;
    let mut out = vec![None; sizes.len()];
    for (a, size) in sizes.iter().enumerate().rev() {
        match size {
            Some(n) => {
                out[a] = Some(grid % n);
                grid /= n;
            }
            None => out[a] = Some(sample),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_grid_varies_the_last_axis_fastest_and_samples_innermost() {
        let sizes = [Some(2), None, Some(3)];
        assert_eq!(point_choices(0, &sizes, 4, false), vec![Some(0), Some(0), Some(0)]);
        assert_eq!(point_choices(1, &sizes, 4, false), vec![Some(0), Some(1), Some(0)]);
        assert_eq!(point_choices(4, &sizes, 4, false), vec![Some(0), Some(0), Some(1)]);
        assert_eq!(point_choices(23, &sizes, 4, false), vec![Some(1), Some(3), Some(2)]);
    }

    #[test]
    fn one_at_a_time_moves_one_axis_from_the_base() {
        let sizes = [Some(2), Some(3)];
        assert_eq!(point_choices(0, &sizes, 0, true), vec![None, None]);
        assert_eq!(point_choices(2, &sizes, 0, true), vec![Some(1), None]);
        assert_eq!(point_choices(5, &sizes, 0, true), vec![None, Some(2)]);
    }

    #[test]
    fn latin_hypercube_hits_every_stratum_once() {
        let u = axis_uniforms(7, 0, 50, true);
        let mut strata: Vec<usize> = u.iter().map(|x| (x * 50.0) as usize).collect();
        strata.sort();
        assert_eq!(strata, (0..50).collect::<Vec<_>>());
        assert_ne!(u, axis_uniforms(7, 1, 50, true), "each axis has its own permutation");
    }

    #[test]
    fn the_triangular_inverse_cdf_spans_low_to_high_through_central() {
        assert_eq!(triangular(0.0, 1.0, 2.0, 4.0), 1.0);
        assert!((triangular(1.0 / 3.0, 1.0, 2.0, 4.0) - 2.0).abs() < 1e-12);
        assert!((triangular(0.999_999_999, 1.0, 2.0, 4.0) - 4.0).abs() < 1e-3);
        assert_eq!(triangular(0.5, 3.0, 3.0, 3.0), 3.0);
    }

    proptest! {
        #[test]
        fn every_point_is_in_exactly_one_shard_with_the_same_seed(points in 1u64..500, shards in 1u64..20, seed in any::<u64>()) {
            let mut seen = vec![0u32; points as usize];
            let mut seeds = vec![0u64; points as usize];
            for shard in 0..shards {
                for p in shard_points(points, shard, shards) {
                    prop_assert!(in_shard(p, shard, shards));
                    seen[p as usize] += 1;
                    seeds[p as usize] = point_seed(seed, p);
                }
            }
            prop_assert!(seen.iter().all(|&n| n == 1));
            let unsharded: Vec<u64> = shard_points(points, 0, 1).map(|p| point_seed(seed, p)).collect();
            prop_assert_eq!(seeds, unsharded);
        }

        #[test]
        fn point_choices_enumerate_the_grid_once(a in 1u64..5, b in 1u64..5, samples in 1u64..4) {
            let sizes = [Some(a), None, Some(b)];
            let mut all: Vec<Vec<Option<u64>>> = (0..a * b * samples).map(|p| point_choices(p, &sizes, samples, false)).collect();
            all.sort();
            all.dedup();
            prop_assert_eq!(all.len() as u64, a * b * samples);
        }
    }
}
