//! The `[operate]` section validated, with the bundled defaults (`catalog/operations.toml`)
//! where it is silent. Every number is registered with its provenance, so reports list the
//! assumptions apart from the sourced inputs.

use gigawatt_core::Model;
use gigawatt_core::date::Date;
use gigawatt_core::defaults::Check;
use gigawatt_core::error::{InputError, KeyPath, SourceFile, closest};
use gigawatt_core::quantity::{BareNumbers, Quantity};
use gigawatt_core::schema::Input;
use gigawatt_workloads::parse::{At, Inputs};
use serde::{Deserialize, Serialize};

/// The bundled defaults, as (name, text).
pub const BUNDLED_OPERATIONS: (&str, &str) =
    ("catalog/operations.toml", include_str!("../../../catalog/operations.toml"));

/// The bundled research job shape (AcmeTrace's Seren cluster), as (name, text).
pub const BUNDLED_RESEARCH_SHAPE: (&str, &str) =
    ("examples/synthetic-acme-seren.toml", include_str!("../../../examples/synthetic-acme-seren.toml"));

/// Most research jobs a run may aim for.
pub const MAX_RESEARCH_JOBS: f64 = 50_000_000.0;

/// A workload class: who holds GPUs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Class {
    /// Serving demand, by tier.
    Inference,
    /// Frontier pre-training runs (`[[training]]`).
    Frontier,
    /// RL and post-training after each frontier run.
    Rl,
    /// Research and evaluation experiments.
    Research,
}

impl Class {
    /// Every class, in the default priority order (highest first).
    pub const ALL: [Class; 4] = [Class::Inference, Class::Frontier, Class::Rl, Class::Research];

    /// The class's name in files and output.
    pub fn name(self) -> &'static str {
        match self {
            Class::Inference => "inference",
            Class::Frontier => "frontier",
            Class::Rl => "rl",
            Class::Research => "research",
        }
    }

    /// Its index (the job type of its jobs in the scheduler).
    pub fn index(self) -> usize {
        self as usize
    }

    fn by_name(name: &str) -> Option<Class> {
        Class::ALL.into_iter().find(|c| c.name() == name)
    }
}

/// The operate inputs, validated.
#[derive(Clone, Debug)]
pub struct OperateSpec {
    /// First day operated (`None`: the first phase's ramp start).
    pub from: Option<Date>,
    /// Last day operated (`None`: see [`crate::horizon`]).
    pub to: Option<Date>,
    /// Classes, highest priority first.
    pub priorities: Vec<Class>,
    /// Classes a higher class may preempt.
    pub preemptible: Vec<Class>,
    /// EASY backfill behind a blocked head (`[operate] backfill`, default on).
    pub backfill: bool,
    /// Run time between checkpoints, minutes.
    pub checkpoint_interval_min: f64,
    /// Research GPU-time offered, as a share of the GPUs online (derived from
    /// `research_usd_per_year` when that is given, by [`crate::prepare`]).
    pub research_share: f64,
    /// The research stream's compute budget, USD a year, when given instead of `share`.
    pub research_usd_per_year: Option<f64>,
    /// Research jobs aimed for over the days operated.
    pub research_jobs: u64,
    /// What the scenario aims for over its whole run, when the days operated are a window of it
    /// (`--from`, `--to`) and `research_jobs` its share.
    pub research_jobs_whole_run: Option<WholeRunJobs>,
    /// GPUs of the cluster the research shape was measured on.
    pub research_reference_gpus: f64,
    /// The research job shape's file, as written (relative to the scenario); `None`: the bundled
    /// Seren shape.
    pub research_shape: Option<String>,
    /// Most of its platform's pool one frontier run holds.
    pub frontier_max_pool_share: f64,
    /// MFU lost by a frontier run larger than one phase.
    pub cross_phase_mfu_penalty: f64,
    /// Relative change in size at which an elastic run re-shards.
    pub grow_step: f64,
    /// Fewest days between two re-shards of an elastic run.
    pub min_stage_days: f64,
    /// RL GPU-time ÷ its pre-training run's.
    pub rl_compute_ratio: f64,
    /// RL GPUs ÷ its pre-training run's.
    pub rl_gpu_share: f64,
    /// The RL budget's jobs: one of `rl_gpu_share` unless `[[operate.rl.profile]]` says.
    pub rl_profile: Vec<RlPart>,
    /// Blocks serving capacity moves in at peak demand.
    pub inference_blocks: u32,
    /// Minutes a block is asked for before the hour it serves, loading the model.
    pub scale_up_min: f64,
    /// Published cuts of the same fleet's spend, shown beside the simulated shares.
    pub published: Vec<PublishedCut>,
    /// Every number used, with provenance.
    pub inputs: Inputs,
}

/// The research jobs a scenario aims for over its whole run, when a window of it is operated.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct WholeRunJobs {
    /// Jobs aimed for over the whole run.
    pub jobs: u64,
    /// The whole run's first day.
    pub from: Date,
    /// Its last day.
    pub to: Date,
}

/// A part of the RL budget: `jobs` jobs of one size.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RlPart {
    /// Each job's GPUs ÷ the pre-training run's.
    pub gpu_share: f64,
    /// The part's share of the RL GPU-time.
    pub compute_share: f64,
    /// Jobs (equal GPU-time each).
    pub jobs: u32,
}

fn rl_larger_message(gpu_share: f64) -> String {
    format!("gpu_share = {gpu_share}: an RL job larger than its pre-training run, which may never fit")
}

/// An RL job of more GPUs than its pre-training run asks for more than a run may hold of its
/// pool (the run is already as large as `max_pool_share` lets it be): it could never start.
fn rl_larger_than_its_run(e: InputError) -> InputError {
    e.with_help("give an RL job's GPUs as a share of its pre-training run's, more than 0 and at most 1, e.g. 0.25")
}

/// The `[[operate.rl.profile]]` parts, each checked, their compute shares adding up to 1.
fn rl_profile(
    file: &SourceFile,
    parts: &[gigawatt_core::schema::operate::OperateRlJob],
    inputs: &mut Inputs,
) -> Result<Vec<RlPart>, InputError> {
    let root = KeyPath::root().key("operate").key("rl").key("profile");
    let mut out = Vec::with_capacity(parts.len());
    for (i, p) in parts.iter().enumerate() {
        let path = root.index(i);
        let at = At::scenario(file, &path, "[[operate.rl.profile]]");
        let need = |key: &str, v: Option<&Input>| {
            v.is_none().then(|| {
                at.err(key, format!("a profile part needs `{key}`"))
                    .with_help("give gpu_share and compute_share, e.g. { gpu_share = 0.25, compute_share = 0.8 }")
            })
        };
        if let Some(e) =
            need("gpu_share", p.gpu_share.as_ref()).or_else(|| need("compute_share", p.compute_share.as_ref()))
        {
            return Err(e);
        }
        let mut num =
            |key: &str, v: Option<&Input>, label: &str, unit: &str, check: Check| -> Result<f64, InputError> {
                let Some(q) = at.quantity(key, v, label, check)? else { return Ok(1.0) };
                inputs.add(&format!("operate.rl.profile[{i}].{key}"), label, unit, &q);
                Ok(q.estimate.central)
            };
        let gpu_share = num(
            "gpu_share",
            p.gpu_share.as_ref(),
            "an RL job's GPUs ÷ its pre-training run's",
            "fraction",
            Check::Positive,
        )?;
        let compute_share = num(
            "compute_share",
            p.compute_share.as_ref(),
            "a part's share of the RL GPU-time",
            "fraction",
            Check::Fraction,
        )?;
        if gpu_share > 1.0 {
            return Err(rl_larger_than_its_run(at.err("gpu_share", rl_larger_message(gpu_share))));
        }
        let jobs = num("jobs", p.jobs.as_ref(), "jobs in a part of the RL budget", "jobs", Check::AtLeastOne)?;
        if !(jobs <= 10_000.0 && jobs.fract() == 0.0) {
            return Err(at.err("jobs", format!("jobs = {jobs}: a whole number from 1 to 10,000")));
        }
        out.push(RlPart { gpu_share, compute_share, jobs: jobs as u32 });
    }
    let total: f64 = out.iter().map(|p| p.compute_share).sum();
    if !out.is_empty() && (total - 1.0).abs() > 1e-6 {
        return Err(InputError::at(file, &root, format!("the profile's compute shares add up to {total}, not 1"))
            .with_help("give each part its share of the RL GPU-time so that they add up to 1"));
    }
    Ok(out)
}

/// A published cut of a fleet's compute spend (`[[operate.published]]`), for comparison only.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PublishedCut {
    /// Who published it.
    pub name: String,
    /// Inference's share of the compute spend, with its provenance.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inference_share: Option<Quantity>,
    /// Final training runs' share of the R&D compute spend, with its provenance.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub final_runs_share_of_rd: Option<Quantity>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Defaults {
    research: DefaultResearch,
    frontier: DefaultFrontier,
    rl: DefaultRl,
    checkpoints: DefaultCheckpoints,
    inference: DefaultInference,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DefaultResearch {
    share: Input,
    jobs: Input,
    reference_gpus: Input,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DefaultFrontier {
    max_pool_share: Input,
    cross_phase_mfu_penalty: Input,
    grow_step: Input,
    min_stage_days: Input,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DefaultRl {
    compute_ratio: Input,
    gpu_share: Input,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DefaultCheckpoints {
    interval_min: Input,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DefaultInference {
    blocks: Input,
    scale_up_min: Input,
}

/// One number: the scenario's when given, else the bundled default; registered in `inputs`.
struct Reader<'a> {
    scenario: &'a SourceFile,
    defaults: &'a SourceFile,
    raw: &'a Defaults,
    inputs: Inputs,
}

impl Reader<'_> {
    #[allow(clippy::too_many_arguments)]
    fn number(
        &mut self,
        section: &str,
        key: &str,
        given: Option<&Input>,
        default: &Input,
        label: &str,
        unit: &str,
        check: Check,
    ) -> Result<f64, InputError> {
        let spath = KeyPath::root().key("operate");
        let spath = if section.is_empty() { spath } else { spath.key(section) };
        let q: Quantity = match given {
            Some(input) => {
                let at = At::scenario(self.scenario, &spath, "[operate]");
                at.quantity(key, Some(input), label, check)?.expect("given")
            }
            None => {
                let dpath = KeyPath::root().key(if section.is_empty() { "checkpoints" } else { section });
                let at = At {
                    file: self.defaults,
                    path: &dpath,
                    name: "catalog/operations.toml",
                    bare: BareNumbers::Forbidden,
                };
                let key = if key == "checkpoint_interval_min" { "interval_min" } else { key };
                at.quantity(key, Some(default), label, check)?.expect("given")
            }
        };
        let full = if section.is_empty() { format!("operate.{key}") } else { format!("operate.{section}.{key}") };
        self.inputs.add(&full, label, unit, &q);
        Ok(q.estimate.central)
    }
}

/// The `[[operate.published]]` cuts, each share checked as a fraction.
fn published(
    file: &SourceFile,
    cuts: &[gigawatt_core::schema::operate::OperatePublished],
) -> Result<Vec<PublishedCut>, InputError> {
    cuts.iter()
        .enumerate()
        .map(|(i, c)| {
            let path = KeyPath::root().key("operate").key("published").index(i);
            let at = At::scenario(file, &path, "[[operate.published]]");
            Ok(PublishedCut {
                name: c.name.clone(),
                inference_share: at.quantity(
                    "inference_share",
                    c.inference_share.as_ref(),
                    "inference's share of the compute spend",
                    Check::Fraction,
                )?,
                final_runs_share_of_rd: at.quantity(
                    "final_runs_share_of_rd",
                    c.final_runs_share_of_rd.as_ref(),
                    "final training runs' share of the R&D compute spend",
                    Check::Fraction,
                )?,
            })
        })
        .collect()
}

impl OperateSpec {
    /// The `[operate]` section of `model` (defaults where it is silent).
    pub fn of(model: &Model) -> Result<OperateSpec, InputError> {
        let dfile = SourceFile::new(BUNDLED_OPERATIONS.0, BUNDLED_OPERATIONS.1);
        let raw: Defaults = toml::from_str(&dfile.text).map_err(|e| InputError::from_toml(&dfile, &e))?;
        let op = model.workloads.operate.as_ref();
        let file = &model.source;
        let mut r = Reader { scenario: file, defaults: &dfile, raw: &raw, inputs: Inputs::default() };
        let root = KeyPath::root().key("operate");
        let at = At::scenario(file, &root, "[operate]");
        let from = at.date("from", op.and_then(|o| o.from.as_ref()))?;
        let to = at.date("to", op.and_then(|o| o.to.as_ref()))?;
        if let (Some(f), Some(t)) = (from, to)
            && t < f
        {
            return Err(at
                .err("to", format!("`to` ({t}) is before `from` ({f})"))
                .with_help("give a `to` on or after `from`"));
        }
        let priorities = classes(file, &root, "priorities", op.and_then(|o| o.priorities.as_deref()))?
            .unwrap_or(Class::ALL.to_vec());
        if priorities.len() != Class::ALL.len() {
            let missing: Vec<&str> = Class::ALL.iter().filter(|c| !priorities.contains(c)).map(|c| c.name()).collect();
            return Err(at
                .err("priorities", format!("`priorities` must rank every class; it leaves out {}", missing.join(", ")))
                .with_help("list inference, frontier, rl and research, highest priority first"));
        }
        let preemptible = classes(file, &root, "preemptible", op.and_then(|o| o.preemptible.as_deref()))?
            .unwrap_or(vec![Class::Research]);
        let d = r.raw;
        let research = op.and_then(|o| o.research.as_ref());
        let rl = op.and_then(|o| o.rl.as_ref());
        let frontier = op.and_then(|o| o.frontier.as_ref());
        let inference = op.and_then(|o| o.inference.as_ref());
        let interval = op.and_then(|o| o.checkpoint_interval_min.as_ref());
        let budget = research.and_then(|x| x.usd_per_year.as_ref());
        if let Some(x) = research
            && x.share.is_some()
            && budget.is_some()
        {
            return Err(At::scenario(file, &root.key("research"), "[operate.research]")
                .err("usd_per_year", "give the research volume as `share` or as `usd_per_year`, not both")
                .with_help("keep `share` (a share of the GPU-time in service) or `usd_per_year` (a budget), and remove the other"));
        }
        let research_usd_per_year = match budget {
            Some(b) => Some(r.number(
                "research",
                "usd_per_year",
                Some(b),
                b,
                "research compute budget",
                "USD/year",
                Check::Positive,
            )?),
            None => None,
        };
        let research_share = match research_usd_per_year {
            Some(_) => 0.0,
            None => r.number(
                "research",
                "share",
                research.and_then(|x| x.share.as_ref()),
                &d.research.share,
                "research GPU-time offered, as a share of the GPUs online",
                "fraction",
                Check::NonNegative,
            )?,
        };
        let spec = OperateSpec {
            from,
            to,
            checkpoint_interval_min: r.number(
                "",
                "checkpoint_interval_min",
                interval,
                &d.checkpoints.interval_min,
                "run time between checkpoints of operated jobs",
                "min",
                Check::Positive,
            )?,
            research_share,
            research_usd_per_year,
            research_jobs: r
                .number(
                    "research",
                    "jobs",
                    research.and_then(|x| x.jobs.as_ref()),
                    &d.research.jobs,
                    "research jobs aimed for over the run",
                    "jobs",
                    Check::Positive,
                )?
                .round()
                .clamp(1.0, MAX_RESEARCH_JOBS) as u64,
            research_jobs_whole_run: None,
            research_shape: research.and_then(|x| x.shape.clone()),
            research_reference_gpus: r.number(
                "research",
                "reference_gpus",
                research.and_then(|x| x.reference_gpus.as_ref()),
                &d.research.reference_gpus,
                "GPUs of the cluster the research job shape was measured on",
                "GPUs",
                Check::Positive,
            )?,
            frontier_max_pool_share: r.number(
                "frontier",
                "max_pool_share",
                frontier.and_then(|x| x.max_pool_share.as_ref()),
                &d.frontier.max_pool_share,
                "most of its platform's pool one frontier run holds",
                "fraction",
                Check::Fraction,
            )?,
            cross_phase_mfu_penalty: r.number(
                "frontier",
                "cross_phase_mfu_penalty",
                frontier.and_then(|x| x.cross_phase_mfu_penalty.as_ref()),
                &d.frontier.cross_phase_mfu_penalty,
                "MFU lost by a frontier run larger than one phase",
                "fraction",
                Check::FractionBelowOne,
            )?,
            grow_step: r.number(
                "frontier",
                "grow_step",
                frontier.and_then(|x| x.grow_step.as_ref()),
                &d.frontier.grow_step,
                "relative change in size at which an elastic frontier run re-shards",
                "fraction",
                Check::Positive,
            )?,
            min_stage_days: r.number(
                "frontier",
                "min_stage_days",
                frontier.and_then(|x| x.min_stage_days.as_ref()),
                &d.frontier.min_stage_days,
                "fewest days between two re-shards of an elastic frontier run",
                "days",
                Check::NonNegative,
            )?,
            rl_compute_ratio: r.number(
                "rl",
                "compute_ratio",
                rl.and_then(|x| x.compute_ratio.as_ref()),
                &d.rl.compute_ratio,
                "RL GPU-time ÷ its pre-training run's",
                "ratio",
                Check::NonNegative,
            )?,
            rl_gpu_share: r.number(
                "rl",
                "gpu_share",
                rl.and_then(|x| x.gpu_share.as_ref()),
                &d.rl.gpu_share,
                "RL GPUs ÷ its pre-training run's GPUs",
                "fraction",
                Check::Positive,
            )?,
            inference_blocks: r
                .number(
                    "inference",
                    "blocks",
                    inference.and_then(|x| x.blocks.as_ref()),
                    &d.inference.blocks,
                    "blocks serving capacity moves in at peak demand",
                    "blocks",
                    Check::Positive,
                )?
                .round()
                .clamp(10.0, 100_000.0) as u32,
            scale_up_min: r.number(
                "inference",
                "scale_up_min",
                inference.and_then(|x| x.scale_up_min.as_ref()),
                &d.inference.scale_up_min,
                "time a serving block is asked for before the hour it serves, loading the model",
                "min",
                Check::NonNegative,
            )?,
            rl_profile: rl_profile(file, rl.map_or(&[][..], |x| x.profile.as_slice()), &mut r.inputs)?,
            priorities,
            preemptible,
            backfill: op.and_then(|o| o.backfill).unwrap_or(true),
            published: published(file, op.map_or(&[][..], |o| o.published.as_slice()))?,
            inputs: Inputs::default(),
        };
        if let Some(x) = research
            && x.shape.is_some()
            && x.reference_gpus.is_none()
        {
            return Err(At::scenario(file, &root.key("research"), "[operate.research]")
                .err("shape", "a research `shape` needs the `reference_gpus` of the cluster it was measured on")
                .with_help(
                    "add reference_gpus = { value = N, source = \"…\" }: job sizes scale by the research pool ÷ N",
                ));
        }
        if spec.scale_up_min > 60.0 {
            return Err(At::scenario(file, &root.key("inference"), "[operate.inference]")
                .err(
                    "scale_up_min",
                    format!("scale_up_min = {} is longer than the hour a block serves", spec.scale_up_min),
                )
                .with_help("give the minutes a replica takes to load and warm up, from 0 to 60"));
        }
        if spec.rl_gpu_share > 1.0 {
            return Err(rl_larger_than_its_run(
                At::scenario(file, &root.key("rl"), "[operate.rl]")
                    .err("gpu_share", rl_larger_message(spec.rl_gpu_share)),
            ));
        }
        if spec.research_share > 4.0 {
            return Err(At::scenario(file, &root.key("research"), "[operate.research]")
                .err("share", format!("share = {} offers more than 4× the fleet's GPU-time", spec.research_share))
                .with_help("give the research stream's GPU-time as a share of the GPUs online, e.g. share = 0.6"));
        }
        let rl_profile = if spec.rl_profile.is_empty() {
            vec![RlPart { gpu_share: spec.rl_gpu_share, compute_share: 1.0, jobs: 1 }]
        } else {
            spec.rl_profile.clone()
        };
        Ok(OperateSpec { inputs: r.inputs, rl_profile, ..spec })
    }

    /// The scheduler priority of a class (higher runs first), spaced so inference tiers fit
    /// between classes.
    pub fn priority(&self, class: Class) -> i32 {
        let rank = self.priorities.iter().position(|&c| c == class).unwrap_or(self.priorities.len());
        ((self.priorities.len() - rank) as i32) * 1000
    }

    /// The scheduler core's policy: classes by priority, with EASY backfill unless turned off.
    pub fn policy_name(&self) -> &'static str {
        if self.backfill { "priority+easy" } else { "priority" }
    }

    /// Whether a class may be preempted.
    pub fn is_preemptible(&self, class: Class) -> bool {
        self.preemptible.contains(&class)
    }
}

/// A list of class names at `[operate].key`, each checked.
fn classes(
    file: &SourceFile,
    root: &KeyPath,
    key: &str,
    names: Option<&[String]>,
) -> Result<Option<Vec<Class>>, InputError> {
    let Some(names) = names else { return Ok(None) };
    let mut out = Vec::new();
    for (i, n) in names.iter().enumerate() {
        let Some(c) = Class::by_name(n) else {
            let known: Vec<&str> = Class::ALL.iter().map(|c| c.name()).collect();
            let help = match closest(n, known.iter().copied()) {
                Some(c) => format!("did you mean `{c}`? The classes are {}", known.join(", ")),
                None => format!("the classes are {}", known.join(", ")),
            };
            return Err(InputError::at(file, &root.key(key).index(i), format!("unknown class `{n}` in `{key}`"))
                .with_help(help));
        };
        if out.contains(&c) {
            return Err(InputError::at(
                file,
                &root.key(key).index(i),
                format!("class `{n}` is listed twice in `{key}`"),
            )
            .with_help("name each class once"));
        }
        out.push(c);
    }
    Ok(Some(out))
}
