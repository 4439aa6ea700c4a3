//! Replay sweeps (`command = "replay"`): a job trace replayed on a cluster under one policy per
//! point, with the options of `gigawatt replay` as a `[replay]` table whose keys are axes
//! (`replay.policy`, `replay.checkpoint_interval`), and the cluster's and a synthetic trace's
//! keys as axes too (`cluster.group[0].nodes`, `trace.arrivals.rate_per_hour`).
//!
//! A point's JSON is `gigawatt replay --format json` of its one policy, with that policy's
//! object also at `policy`, so that one metric path (`policy.jct_s.mean`) reads every point
//! whatever its policy is called.

use std::io::Read;
use std::sync::Arc;

use gigawatt_core::{InputError, SourceFile};
use gigawatt_sched::policy::{LasParams, PolicyContext, by_name};
use gigawatt_sched::{ClusterSource, Placement, ReplayRequest};
use gigawatt_trace::Trace;
use gigawatt_trace::synthetic::{Arrivals, Synthetic, parse_synthetic};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

fn fifo() -> String {
    "fifo".into()
}

fn first_fit() -> String {
    "first-fit".into()
}

/// `gigawatt replay`'s default `--checkpoint-interval`.
fn half_hour() -> f64 {
    1800.0
}

/// The options of `gigawatt replay`, one policy per point: the `[replay]` table of a sweep file.
/// Keys and defaults are the command's flags (`--checkpoint-interval` is `checkpoint_interval`).
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ReplayOptions {
    /// The policy (`fifo`, `sjf`, `srtf`, `las`, `tiresias`, `gittins`, `priority`, `easy`,
    /// `NAME+easy`).
    #[serde(default = "fifo")]
    pub policy: String,
    /// The placement (`first-fit`, `best-fit`, `consolidated-domain`, `consolidated-rack`,
    /// `consolidated-pod`, `frag-aware`).
    #[serde(default = "first_fit")]
    pub placement: String,
    /// Let node failures hit the jobs.
    #[serde(default)]
    pub failures: bool,
    /// Run time between a job's checkpoints, seconds.
    #[serde(default = "half_hour")]
    pub checkpoint_interval: f64,
    /// Seconds a preempted job spends writing its checkpoint.
    #[serde(default)]
    pub checkpoint_cost: f64,
    /// Seconds a job spends restarting after a preemption or a failure.
    #[serde(default)]
    pub restart: f64,
    /// Queue thresholds of las (s) and tiresias/gittins (GPU-s); default: the command's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue_thresholds: Option<Vec<f64>>,
    /// Starvation guard factor (0: off); default: the command's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub starve_factor: Option<f64>,
    /// Pack fractional-GPU jobs onto shared GPUs.
    #[serde(default)]
    pub share_gpus: bool,
    /// A job larger than the cluster is an error instead of being counted and left out.
    #[serde(default)]
    pub strict: bool,
}

/// The keys of `[replay]`, as axes take them (`replay.KEY`).
pub const OPTION_KEYS: [&str; 10] = [
    "policy",
    "placement",
    "failures",
    "checkpoint_interval",
    "checkpoint_cost",
    "restart",
    "queue_thresholds",
    "starve_factor",
    "share_gpus",
    "strict",
];

impl Default for ReplayOptions {
    fn default() -> ReplayOptions {
        ReplayOptions {
            policy: fifo(),
            placement: first_fit(),
            failures: false,
            checkpoint_interval: half_hour(),
            checkpoint_cost: 0.0,
            restart: 0.0,
            queue_thresholds: None,
            starve_factor: None,
            share_gpus: false,
            strict: false,
        }
    }
}

impl ReplayOptions {
    /// Checks every value; `Err` names the key and what is wrong.
    pub fn check(&self) -> Result<(), (&'static str, String)> {
        let ctx = PolicyContext { las: LasParams::default(), gpu_seconds: vec![1.0] };
        if self.policy.contains(',') {
            return Err(("policy", "a replay sweep runs one policy per point: make `replay.policy` an axis".into()));
        }
        by_name(&self.policy, &ctx).map_err(|e| ("policy", e))?;
        Placement::by_name(&self.placement).map_err(|e| ("placement", e))?;
        let seconds = [
            ("checkpoint_interval", Some(self.checkpoint_interval)),
            ("checkpoint_cost", Some(self.checkpoint_cost)),
            ("restart", Some(self.restart)),
            ("starve_factor", self.starve_factor),
        ];
        for (key, value) in seconds {
            if let Some(x) = value
                && !(x.is_finite() && x >= 0.0)
            {
                return Err((key, format!("{key} must be a finite number, 0 or more, found {x}")));
            }
        }
        if let Some(t) = &self.queue_thresholds
            && t.iter().any(|x| !(x.is_finite() && *x >= 0.0))
        {
            return Err(("queue_thresholds", "queue thresholds must be finite numbers, 0 or more".into()));
        }
        Ok(())
    }

    /// The request for one replica seeded `seed`.
    pub fn request(&self, seed: u64) -> ReplayRequest {
        let defaults = LasParams::default();
        ReplayRequest {
            policies: vec![self.policy.trim().to_string()],
            placement: self.placement.clone(),
            checkpoint_s: self.checkpoint_cost,
            restart_s: self.restart,
            failures: self.failures,
            checkpoint_interval_s: self.checkpoint_interval,
            seed,
            strict: self.strict,
            share_gpus: self.share_gpus,
            las: LasParams {
                thresholds: self.queue_thresholds.clone().unwrap_or(defaults.thresholds),
                starve_factor: self.starve_factor.unwrap_or(defaults.starve_factor),
            },
        }
    }
}

/// A replay sweep's trace, as the caller read it.
#[derive(Clone, Debug)]
pub enum TraceInput {
    /// A recorded trace, read once and replayed at every point.
    Recorded {
        /// The trace.
        trace: Arc<Trace>,
        /// A digest of the files it was read from ([`file_digest`]): part of the sweep's identity.
        digest: String,
    },
    /// A synthetic spec, generated anew for each replica's seed; its keys can be swept.
    Synthetic {
        /// The spec's file.
        file: SourceFile,
        /// The spec as loaded (a `resample` of a trace file holds that trace's gaps).
        spec: Synthetic,
    },
}

/// What a replay sweep runs on, as the caller read it.
#[derive(Clone, Debug)]
pub struct ReplayFiles {
    /// The cluster: a scenario or a cluster spec.
    pub cluster: SourceFile,
    /// The trace.
    pub trace: TraceInput,
}

/// A point's trace: the shared recorded one, or its synthetic spec.
pub(crate) enum PointTrace {
    Recorded(Arc<Trace>),
    Synthetic(Box<Synthetic>),
}

/// A replay point ready to run its replicas.
pub(crate) struct ReplayPoint {
    pub cluster: ClusterSource,
    pub options: ReplayOptions,
    pub trace: PointTrace,
}

impl ReplayPoint {
    /// The point's JSON for the replica seeded `seed`: `gigawatt replay --format json` with the
    /// one policy also at `policy`.
    pub fn json(&self, seed: u64) -> Result<serde_json::Value, InputError> {
        let generated;
        let trace = match &self.trace {
            PointTrace::Recorded(t) => &**t,
            PointTrace::Synthetic(spec) => {
                generated = gigawatt_trace::generate(spec, seed);
                &generated
            }
        };
        let result = gigawatt_sched::workload::replay_trace(trace, &self.cluster, &self.options.request(seed))?;
        let mut json =
            serde_json::to_value(&result).map_err(|e| InputError::new(format!("cannot serialise the result: {e}")))?;
        let policy = json.get("policies").and_then(|p| p.as_object()).and_then(|m| m.values().next()).cloned();
        if let (Some(policy), Some(map)) = (policy, json.as_object_mut()) {
            map.insert("policy".into(), policy);
        }
        Ok(json)
    }

    /// Jobs a replica replays.
    pub fn jobs(&self) -> u64 {
        match &self.trace {
            PointTrace::Recorded(t) => t.jobs.len() as u64,
            PointTrace::Synthetic(spec) => spec.jobs,
        }
    }
}

/// A point's synthetic spec from its file; a `resample` of a trace file takes the gaps the base
/// spec read from it (a point cannot name another file).
pub(crate) fn point_synthetic(file: &SourceFile, base: &Synthetic) -> Result<Synthetic, InputError> {
    let mut spec = parse_synthetic(file)?;
    if let Arrivals::Resample { gaps_s, trace: Some(trace), .. } = &mut spec.arrivals {
        match &base.arrivals {
            Arrivals::Resample { gaps_s: base_gaps, trace: Some(base_trace), .. } if base_trace == trace => {
                gaps_s.clone_from(base_gaps);
            }
            _ => {
                return Err(InputError::new(format!(
                    "the point's arrivals resample `{trace}`, which the sweep did not read"
                ))
                .with_help("a sweep resamples the trace its base spec names; sweep its other keys"));
            }
        }
    }
    Ok(spec)
}

/// The bytes that identify a synthetic spec: its text and the gaps it resamples.
pub(crate) fn synthetic_identity(file: &SourceFile, spec: &Synthetic) -> Vec<u8> {
    let mut bytes = file.text.as_bytes().to_vec();
    if let Arrivals::Resample { gaps_s, .. } = &spec.arrivals {
        for g in gaps_s {
            bytes.extend_from_slice(&g.to_le_bytes());
        }
    }
    bytes
}

/// A SHA-256 of a trace's files (hex): the file itself, or every file of a directory (the PAI
/// 2020 tables) in name order with its name. Read in blocks, so a large trace costs no memory.
pub fn file_digest(path: &std::path::Path) -> std::io::Result<String> {
    let mut hasher = Sha256::new();
    let mut files = Vec::new();
    if path.is_dir() {
        for entry in std::fs::read_dir(path)? {
            let entry = entry?;
            if entry.file_type()?.is_file() {
                files.push(entry.path());
            }
        }
        files.sort();
    } else {
        files.push(path.to_path_buf());
    }
    let mut buf = vec![0u8; 1 << 16];
    for file in files {
        let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        hasher.update((name.len() as u64).to_le_bytes());
        hasher.update(name.as_bytes());
        let mut f = std::fs::File::open(&file)?;
        loop {
            let n = f.read(&mut buf)?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
        }
    }
    Ok(hasher.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_default_to_the_commands_flags_and_check_their_values() {
        let o: ReplayOptions = toml::from_str("").unwrap();
        assert_eq!(o, ReplayOptions::default());
        let r = o.request(7);
        assert_eq!((r.policies.as_slice(), r.placement.as_str(), r.seed), (&["fifo".to_string()][..], "first-fit", 7));
        assert_eq!(r.checkpoint_interval_s, 1800.0);
        let o: ReplayOptions = toml::from_str("policy = \"tiresas\"").unwrap();
        assert_eq!(o.check().unwrap_err().0, "policy");
        let o: ReplayOptions = toml::from_str("policy = \"fifo,sjf\"").unwrap();
        assert!(o.check().is_err());
        let o: ReplayOptions = toml::from_str("restart = -1").unwrap();
        assert_eq!(o.check().unwrap_err().0, "restart");
        let o: ReplayOptions = toml::from_str("placement = \"frag-aware\"\ncheckpoint_interval = 600").unwrap();
        assert!(o.check().is_ok());
        assert!(toml::from_str::<ReplayOptions>("polcy = \"fifo\"").is_err());
        let keys: Vec<String> = toml::Table::try_from(ReplayOptions {
            queue_thresholds: Some(vec![1.0]),
            starve_factor: Some(2.0),
            ..ReplayOptions::default()
        })
        .unwrap()
        .keys()
        .cloned()
        .collect();
        let mut want: Vec<String> = OPTION_KEYS.iter().map(|k| k.to_string()).collect();
        want.sort();
        assert_eq!(keys, want, "OPTION_KEYS lists every key of [replay]");
    }
}
