//! Training runs: compute, MFU, reliability overhead (ETTR) and the rate at which a run advances.
//!
//! ```text
//! C      = 6 · N_active · D                         (+ attention: 3 · a · S per token, full, or half of it, causal)
//! rate   = GPUs · peak(precision) · MFU · ETTR · O  (FLOP/s of useful training; O: non-failure overheads)
//! ETTR   = (1 − N·r·(u0 + Δt/2)) / (1 + w/Δt),  Δt* = √(2w / (N·r)),  clamped to [0, 1]   (Kokolis et al. 2024)
//! MFU    = given, or reference_mfu · per_doubling^max(0, log2(GPUs / reference_gpus))
//! ```
//!
//! N nodes, r failures per node-day, w checkpoint write time, u0 restart overhead, a the
//! attention FLOPs per token per context position of one forward pass ([`ModelArch::attention_flops_prefill`]),
//! S the sequence length. Where the ETTR comes from is pluggable: [`EttrSource`] is the hook through
//! which the fleet reliability simulator supplies a simulated ETTR in place of the closed form.

use serde::Serialize;

use crate::models::ModelArch;
use crate::precision::Precision;

/// Whether and how attention FLOPs are added to 6·N·D.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AttentionFlops {
    /// 6·N·D only (the Llama 3 paper's and Epoch's convention).
    None,
    /// Full attention matrices: + 3 · a · S per token (PaLM's and NVIDIA's recipe convention).
    Full {
        /// Sequence length, tokens.
        seq_len: f64,
    },
    /// Causal attention, only the lower triangle counted: + 3 · a · S / 2 per token.
    Causal {
        /// Sequence length, tokens.
        seq_len: f64,
    },
}

/// Training FLOPs of `tokens` tokens for a model with `params_active` active parameters.
pub fn training_flops(params_active: f64, tokens: f64, attention: AttentionFlops, arch: Option<&ModelArch>) -> f64 {
    let per_token_attention = |seq: f64| arch.map_or(0.0, |a| 3.0 * a.attention_flops_prefill() * seq);
    let per_token = 6.0 * params_active
        + match attention {
            AttentionFlops::None => 0.0,
            AttentionFlops::Full { seq_len } => per_token_attention(seq_len),
            AttentionFlops::Causal { seq_len } => per_token_attention(seq_len) / 2.0,
        };
    per_token * tokens
}

/// Inputs of the closed-form ETTR.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct ClosedForm {
    /// Unexpected interruptions per node per day.
    pub failures_per_node_day: f64,
    /// GPUs per node.
    pub gpus_per_node: f64,
    /// Checkpoint write time (job stalled), s.
    pub checkpoint_write_s: f64,
    /// Restart overhead per failure, s.
    pub restart_overhead_s: f64,
    /// Checkpoint interval, s (`None`: the optimum √(2w/(N·r))).
    pub checkpoint_interval_s: Option<f64>,
}

/// How a run's reliability overhead is obtained.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum Reliability {
    /// The closed form of Kokolis et al. (2024).
    ClosedForm(ClosedForm),
    /// The ETTR the fleet simulator (`gigawatt simulate`) gives the scenario's `[[job]]` named
    /// `job`; the closed form `fallback` applies when simulation is switched off.
    Simulated {
        /// Name of the scenario's `[[job]]` whose simulated ETTR the run takes.
        job: String,
        /// The closed form used when simulation is switched off.
        fallback: ClosedForm,
    },
    /// An ETTR given directly (measured, or from a simulation).
    Given {
        /// Effective training time ratio, 0–1.
        ettr: f64,
    },
    /// No reliability overhead (ETTR = 1).
    Ignored,
}

/// An effective-training-time ratio and how it was obtained.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Ettr {
    /// Useful training time ÷ wall-clock time, 0–1.
    pub ettr: f64,
    /// `closed_form`, `given`, `ignored` or `simulated`.
    pub method: &'static str,
    /// Checkpoint interval used, min (closed form only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checkpoint_interval_min: Option<f64>,
    /// Mean time between interruptions of the job, h (closed form only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub job_mtbf_h: Option<f64>,
    /// 95% confidence interval of a simulated ETTR's mean.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ci95: Option<[f64; 2]>,
    /// Monte Carlo replicas behind a simulated ETTR.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replicas: Option<u32>,
}

impl Ettr {
    /// An ETTR with no detail beyond its method.
    pub fn plain(ettr: f64, method: &'static str) -> Ettr {
        Ettr { ettr, method, checkpoint_interval_min: None, job_mtbf_h: None, ci95: None, replicas: None }
    }
}

/// E[ETTR] = (1 − N·r·(u0 + Δt/2)) / (1 + w/Δt) on `gpus` GPUs, clamped to [0, 1].
pub fn closed_form_ettr(gpus: f64, c: &ClosedForm) -> Ettr {
    let nodes = (gpus / c.gpus_per_node).max(1.0);
    let day = 86_400.0;
    let rate = nodes * c.failures_per_node_day / day; // job interruptions per second
    let w = c.checkpoint_write_s;
    if rate <= 0.0 {
        return Ettr::plain(1.0, "closed_form");
    }
    let dt = c.checkpoint_interval_s.unwrap_or_else(|| (2.0 * w / rate).sqrt()).max(1e-9);
    let e = (1.0 - rate * (c.restart_overhead_s + dt / 2.0)) / (1.0 + w / dt);
    Ettr {
        checkpoint_interval_min: Some(dt / 60.0),
        job_mtbf_h: Some(1.0 / rate / 3600.0),
        ..Ettr::plain(e.clamp(0.0, 1.0), "closed_form")
    }
}

/// Where a run's ETTR comes from: the hook for the fleet reliability simulator.
///
/// [`ScenarioEttr`] evaluates each run's own [`Reliability`] (the closed form, a given value, or
/// none). A simulator implements this trait to return its simulated ETTR for a run on `gpus`
/// GPUs (and may fall back to [`ScenarioEttr`] for runs it does not simulate); pass it to
/// [`crate::capacity::capacity_with`].
pub trait EttrSource {
    /// The ETTR of `run` when it holds `gpus` GPUs.
    fn ettr(&self, run: &TrainingRun, gpus: f64) -> Ettr;
}

/// The ETTR each run's scenario section asks for, without running the simulator (runs that ask
/// for a simulated ETTR get the closed form on their fallback settings).
#[derive(Clone, Copy, Debug, Default)]
pub struct ScenarioEttr;

impl EttrSource for ScenarioEttr {
    fn ettr(&self, run: &TrainingRun, gpus: f64) -> Ettr {
        match &run.reliability {
            Reliability::ClosedForm(c) => closed_form_ettr(gpus, c),
            // Simulation switched off: the closed form on the same job's settings.
            Reliability::Simulated { fallback, .. } => closed_form_ettr(gpus, fallback),
            Reliability::Given { ettr } => Ettr::plain(*ettr, "given"),
            Reliability::Ignored => Ettr::plain(1.0, "ignored"),
        }
    }
}

/// Non-failure overheads of a run: time it holds its GPUs without training, besides failures.
/// Useful time is `(1 − evaluation) · (1 − data stalls) · (1 − planned restarts per day ·
/// minutes per restart / 1,440)`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Overheads {
    /// Share of wall-clock time paused for in-run evaluation.
    pub evaluation_fraction: f64,
    /// Share of wall-clock time waiting on the input pipeline.
    pub data_stall_fraction: f64,
    /// Planned restarts per day.
    pub planned_restarts_per_day: f64,
    /// Time lost per planned restart, min.
    pub planned_restart_min: f64,
    /// Whether the run's ETTR already counts planned restarts (a simulated ETTR does).
    pub planned_in_ettr: bool,
}

impl TrainingRun {
    /// The stage the run is in once `done_flops` are done (the last when all are).
    pub fn stage_at(&self, done_flops: f64) -> usize {
        let tol = 1e-9 * self.flops;
        self.stages.iter().position(|s| done_flops < s.until_flops - tol).unwrap_or(self.stages.len().saturating_sub(1))
    }
}

impl Overheads {
    /// No overheads.
    pub fn none() -> Overheads {
        Overheads {
            evaluation_fraction: 0.0,
            data_stall_fraction: 0.0,
            planned_restarts_per_day: 0.0,
            planned_restart_min: 0.0,
            planned_in_ettr: false,
        }
    }

    /// Share of wall-clock time lost to planned restarts (0 when the ETTR counts them).
    pub fn planned_fraction(&self) -> f64 {
        if self.planned_in_ettr {
            0.0
        } else {
            (self.planned_restarts_per_day * self.planned_restart_min / 1440.0).min(1.0)
        }
    }

    /// Share of wall-clock time left for training after the non-failure overheads.
    pub fn factor(&self) -> f64 {
        (1.0 - self.evaluation_fraction) * (1.0 - self.data_stall_fraction) * (1.0 - self.planned_fraction())
    }
}

/// How MFU is set.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Mfu {
    /// Given by the scenario.
    Given {
        /// Model FLOPs utilisation against the dense peak of the run's precision.
        mfu: f64,
    },
    /// From the documented scale model (`catalog/workloads.toml` `[mfu]`).
    Scaled {
        /// MFU at the reference scale, on platforms without an entry of their own.
        reference_mfu: f64,
        /// Reference scale, GPUs.
        reference_gpus: f64,
        /// MFU kept per doubling beyond it.
        per_doubling: f64,
        /// MFU at the reference scale on each platform of the fleet (its `training_mfu`).
        platform_mfu: Vec<(String, f64)>,
    },
}

impl Mfu {
    /// MFU on `gpus` GPUs of `platform` (the run's whole size sets the scale loss).
    pub fn at(&self, gpus: f64, platform: &str) -> f64 {
        match self {
            Mfu::Given { mfu } => *mfu,
            Mfu::Scaled { reference_mfu, reference_gpus, per_doubling, platform_mfu } => {
                let base = platform_mfu.iter().find(|(p, _)| p == platform).map_or(*reference_mfu, |(_, m)| *m);
                base * per_doubling.powf((gpus / reference_gpus).log2().max(0.0))
            }
        }
    }
}

/// The GPUs a run asks for.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum GpuRequest {
    /// A fixed count of GPU packages.
    Count {
        /// GPUs.
        gpus: f64,
    },
    /// A share of the GPUs online each month.
    FleetShare {
        /// Share, 0–1.
        share: f64,
    },
}

/// A part of a run at one size.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Stage {
    /// GPUs asked for in this stage.
    pub gpus: GpuRequest,
    /// The run's cumulative FLOPs at which the stage ends (the run's FLOPs for the last).
    pub until_flops: f64,
}

/// One training run, validated.
#[derive(Clone, Debug, Serialize)]
pub struct TrainingRun {
    /// Display name.
    pub name: String,
    /// Catalog model, when the run names one.
    pub model: Option<String>,
    /// Active parameters.
    pub params_active: f64,
    /// Total parameters.
    pub params_total: f64,
    /// Training tokens.
    pub tokens: f64,
    /// Precision whose dense peak MFU is measured against.
    pub precision: Precision,
    /// Attention-FLOPs convention.
    pub attention: AttentionFlops,
    /// Training FLOPs.
    pub flops: f64,
    /// How MFU is set.
    pub mfu: Mfu,
    /// GPUs asked for (the first stage's).
    pub gpus: GpuRequest,
    /// Its stages in order (one, of `gpus`, unless the run gives `[[training.stage]]`).
    pub stages: Vec<Stage>,
    /// Only GPUs of this platform, if set.
    pub platform: Option<String>,
    /// Earliest start.
    pub start: gigawatt_core::date::Date,
    /// Reliability overhead.
    pub reliability: Reliability,
    /// Non-failure overheads.
    pub overheads: Overheads,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::ModelCatalog;

    #[test]
    fn llama31_405b_is_3_8e25_flop_by_6nd() {
        let c = training_flops(405e9, 15.6e12, AttentionFlops::None, None);
        assert!((c / 3.79e25 - 1.0).abs() < 0.001, "{c:e}");
    }

    #[test]
    fn full_attention_at_8k_adds_about_9_percent_to_405b_as_nvidia_counts() {
        let cat = ModelCatalog::bundled().unwrap();
        let arch = cat.get("llama3.1-405b").unwrap();
        let ratio = training_flops(405e9, 1.0, AttentionFlops::Full { seq_len: 8192.0 }, Some(arch)) / (6.0 * 405e9);
        // NVIDIA's recipe: 2.17e16 FLOP per 8,192-token sequence = 1.09 × 6N.
        assert!((ratio - 1.09).abs() < 0.01, "{ratio}");
        let causal = training_flops(405e9, 1.0, AttentionFlops::Causal { seq_len: 8192.0 }, Some(arch)) / (6.0 * 405e9);
        assert!((causal - 1.0 - (ratio - 1.0) / 2.0).abs() < 1e-12);
    }

    fn llama3() -> ClosedForm {
        ClosedForm {
            failures_per_node_day: 3.789e-3,
            gpus_per_node: 8.0,
            checkpoint_write_s: 60.0,
            restart_overhead_s: 600.0,
            checkpoint_interval_s: None,
        }
    }

    #[test]
    fn llama3_rate_gives_a_job_mtbf_of_about_3_hours_on_16k_gpus() {
        let e = closed_form_ettr(16_384.0, &llama3());
        // 419 unexpected interruptions in 54 days ≈ one every 3.09 h.
        assert!((e.job_mtbf_h.unwrap() - 54.0 * 24.0 / 419.0).abs() < 0.01, "{e:?}");
        // Young's interval at δ = 60 s and M = 3.09 h: 19.3 min (reliability reference §4.1).
        assert!((e.checkpoint_interval_min.unwrap() - 19.3).abs() < 0.1, "{e:?}");
        assert!(e.ettr > 0.8 && e.ettr < 0.9, "{e:?}");
    }

    #[test]
    fn ettr_falls_with_scale_and_clamps_at_zero() {
        let c = llama3();
        let small = closed_form_ettr(1024.0, &c).ettr;
        let big = closed_form_ettr(131_072.0, &c).ettr;
        assert!(small > big);
        let absurd = ClosedForm { failures_per_node_day: 10.0, ..c };
        assert_eq!(closed_form_ettr(131_072.0, &absurd).ettr, 0.0);
        let none = ClosedForm { failures_per_node_day: 0.0, ..c };
        assert_eq!(closed_form_ettr(131_072.0, &none).ettr, 1.0);
    }
}
