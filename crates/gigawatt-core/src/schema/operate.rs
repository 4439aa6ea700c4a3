//! The `[operate]` section of a scenario file, as written: how `gigawatt operate` shares the
//! growing fleet among frontier runs, RL, research and inference. The core reads it only to check
//! its keys and types; `gigawatt-operate` validates it (see `docs/models/operate.md`).

use super::Input;
use crate::schema_struct;

schema_struct! {
    /// `[operate]` (optional): the operated build-out.
    pub struct Operate as "[operate]" {
        /// first day operated
        "from" from: Option<Input> => Input, "date", "the first phase's ramp start";
        /// last day operated
        "to" to: Option<Input> => Input, "date", "the later of the last phase's online day + 1 year and the last training start + 1 year";
        /// classes from highest priority to lowest: `inference`, `frontier`, `rl`, `research`
        "priorities" priorities: Option<Vec<String>> => Value, "class names", "`[\"inference\", \"frontier\", \"rl\", \"research\"]`";
        /// classes a higher class may preempt (they checkpoint and wait again)
        "preemptible" preemptible: Option<Vec<String>> => Value, "class names", "`[\"research\"]`";
        /// whether jobs behind a blocked head start when they end before its reserved start (EASY backfill, as Slurm's default `sched/backfill`)
        "backfill" backfill: Option<bool> => Value, "boolean", "`true`";
        /// run time between a job's checkpoints (failures lose the work since the last one)
        "checkpoint_interval_min" checkpoint_interval_min: Option<Input> => Input, "minutes (quantity)", "`catalog/operations.toml`";
        /// the research and evaluation job stream (see `[operate.research]`)
        "research" research: Option<OperateResearch> => Table(&OperateResearch::SECTION), "table", "see `[operate.research]`";
        /// frontier pre-training runs (see `[operate.frontier]`)
        "frontier" frontier: Option<OperateFrontier> => Table(&OperateFrontier::SECTION), "table", "see `[operate.frontier]`";
        /// RL and post-training after each frontier run (see `[operate.rl]`)
        "rl" rl: Option<OperateRl> => Table(&OperateRl::SECTION), "table", "see `[operate.rl]`";
        /// serving (see `[operate.inference]`)
        "inference" inference: Option<OperateInference> => Table(&OperateInference::SECTION), "table", "see `[operate.inference]`";
        /// published cuts of the same fleet's compute spend, shown beside the simulated shares (see `[[operate.published]]`)
        #[serde(default)]
        "published" published: Vec<OperatePublished> => Tables(&OperatePublished::SECTION), "array of tables", "none";
    }
}

schema_struct! {
    /// `[[operate.published]]`: a published cut of the fleet's compute spend, for comparison
    /// (never an input to the simulation).
    pub struct OperatePublished as "[[operate.published]]" {
        /// who published the cut (`Epoch AI`)
        "name" name: String => Value, "string", "required";
        /// inference's share of the compute spend
        "inference_share" inference_share: Option<Input> => Input, "fraction (quantity with its source)", "not compared";
        /// final training runs' share of the R&D (training and research) compute spend
        "final_runs_share_of_rd" final_runs_share_of_rd: Option<Input> => Input, "fraction (quantity with its source)", "not compared";
    }
}

schema_struct! {
    /// `[operate.research]`: the research and evaluation job stream.
    pub struct OperateResearch as "[operate.research]" {
        /// GPU-time offered, as a share of the GPUs online (0: no research stream)
                "share" share: Option<Input> => Input, "fraction (quantity)", "`catalog/operations.toml`";
        /// a compute budget instead of `share`: GPU-time offered = the budget × the years operated ÷ the plan's cost per GPU-hour, as a share of the GPU-time in service
        "usd_per_year" usd_per_year: Option<Input> => Input, "USD a year (quantity)", "none: `share` sets the volume";
        /// jobs the stream aims for over the run (sizes scale with the fleet so this stays bounded); a `--from`/`--to` window draws its days' share
        "jobs" jobs: Option<Input> => Input, "count, 1 to 50,000,000", "`catalog/operations.toml`";
        /// the job shape: a synthetic workload spec (`.toml`, as `gigawatt replay` reads) or a job trace in any of `replay`'s formats, whose (GPUs, run time) pairs are resampled; relative to the scenario file
        "shape" shape: Option<String> => Value, "path", "AcmeTrace's Seren shape (`examples/synthetic-acme-seren.toml`)";
        /// GPUs of the cluster the shape was measured on (job sizes scale by the research pool ÷ these)
        "reference_gpus" reference_gpus: Option<Input> => Input, "GPUs (quantity)", "Seren's 2,288; required with `shape`";
    }
}

schema_struct! {
    /// `[operate.frontier]`: how the `[[training]]` runs are operated.
    pub struct OperateFrontier as "[operate.frontier]" {
        /// most of its platform's pool one run holds (the rest: spares, repairs, serving)
        "max_pool_share" max_pool_share: Option<Input> => Input, "fraction (quantity)", "`catalog/operations.toml`";
        /// MFU lost by a run larger than one phase (it spans phases)
        "cross_phase_mfu_penalty" cross_phase_mfu_penalty: Option<Input> => Input, "fraction (quantity)", "`catalog/operations.toml`";
        /// an elastic run re-shards when the GPUs it could hold differ from its current size by at least this share
        "grow_step" grow_step: Option<Input> => Input, "fraction (quantity)", "`catalog/operations.toml`";
        /// and at most once in this many days (a `[[training.stage]]` boundary always re-shards)
        "min_stage_days" min_stage_days: Option<Input> => Input, "days (quantity)", "`catalog/operations.toml`";
    }
}

schema_struct! {
    /// `[operate.rl]`: one RL and post-training job after each frontier run.
    pub struct OperateRl as "[operate.rl]" {
        /// RL GPU-time ÷ the pre-training run's (0: no RL)
        "compute_ratio" compute_ratio: Option<Input> => Input, "ratio (quantity)", "`catalog/operations.toml`";
        /// RL GPUs ÷ the pre-training run's GPUs
        "gpu_share" gpu_share: Option<Input> => Input, "fraction (quantity)", "`catalog/operations.toml`";
        /// the RL budget as jobs of several sizes, run side by side (see `[[operate.rl.profile]]`); replaces `gpu_share`
        #[serde(default)]
        "profile" profile: Vec<OperateRlJob> => Tables(&OperateRlJob::SECTION), "array of tables", "one job of `gpu_share`";
    }
}

schema_struct! {
    /// `[[operate.rl.profile]]`: a part of the RL and post-training budget: `jobs` jobs of one size,
    /// asked for together when the pre-training run is done.
    pub struct OperateRlJob as "[[operate.rl.profile]]" {
        /// each job's GPUs ÷ the pre-training run's (largest stage's) GPUs
        "gpu_share" gpu_share: Option<Input> => Input, "fraction (quantity)", "required";
        /// this part's share of the RL GPU-time; the parts add up to 1
        "compute_share" compute_share: Option<Input> => Input, "fraction (quantity)", "required";
        /// jobs it is split into (equal GPU-time each)
        "jobs" jobs: Option<Input> => Input, "count, 1 to 10,000", "1";
    }
}

schema_struct! {
    /// `[operate.inference]`: how serving capacity follows demand.
    pub struct OperateInference as "[operate.inference]" {
        /// blocks serving capacity moves in at the highest hourly demand (more: finer, slower)
        "blocks" blocks: Option<Input> => Input, "count, 10 to 100,000", "`catalog/operations.toml`";
        /// time a block is asked for before the hour it serves, to load the model and warm up (it serves nothing meanwhile)
        "scale_up_min" scale_up_min: Option<Input> => Input, "minutes (quantity), 0 – 60", "`catalog/operations.toml`";
    }
}
