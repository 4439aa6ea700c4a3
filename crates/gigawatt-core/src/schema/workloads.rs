//! The workload sections of a scenario file — `[[training]]`, `[demand]`, `[inference]`,
//! `[allocation]` — as written. The core reads them only to check their keys; `gigawatt-workloads`
//! validates them into its models (see `docs/scenario.md`, "Workloads and demand").
//!
//! Every field is optional here, so that a missing key is reported by the validation pass with
//! what to add; numbers are [`Input`]s, choices are strings.

use std::collections::BTreeMap;

use super::Input;
use crate::schema_struct;

schema_struct! {
    /// A `[[training]]`: one training run, in priority order.
    pub struct Training as "[[training]]" {
        /// the run's name in reports
        "name" name: Option<String> => Value, "text", "required";
        /// architecture and parameter counts; or give `params_active` (and `params_total`) instead
        "model" model: Option<String> => Value, "id in `catalog/models`", "—";
        /// active parameters per token (6·N·D counts these)
        "params_active" params_active: Option<Input> => Input, "parameters (quantity)", "from `model`";
        /// all parameters
        "params_total" params_total: Option<Input> => Input, "parameters (quantity)", "`params_active`";
        /// training tokens D
        "tokens" tokens: Option<Input> => Input, "tokens (quantity)", "required";
        /// whose dense peak MFU is measured against
        "precision" precision: Option<String> => Value, "`bf16` `fp16` `fp8` `fp4`", "`bf16`";
        /// attention-FLOPs convention added to 6·N·D (`full`/`causal` need `model` and `seq_len`)
        "attention_flops" attention_flops: Option<String> => Value, "`none` `full` `causal`", "`none`";
        /// training sequence length, for `attention_flops`
        "seq_len" seq_len: Option<Input> => Input, "tokens", "—";
        /// MFU against the dense peak of `precision`, or the documented model of platform,
        /// precision and scale (`catalog/workloads.toml` `[mfu]`, `docs/models/training.md`)
        "mfu" mfu: Option<Input> => Input, "fraction (quantity), or `\"scaled\"`", "required";
        /// a fixed count (gets what is left if fewer are available)
        "gpus" gpus: Option<Input> => Input, "GPU packages", "one of the two";
        /// a share of the GPUs online each month
        "fleet_share" fleet_share: Option<Input> => Input, "fraction (quantity)", "one of the two";
        /// restrict the run to one platform
        "platform" platform: Option<String> => Value, "a platform of this scenario's phases", "all";
        /// earliest start; the run starts when it first gets GPUs
        "start" start: Option<Input> => Input, "date (`2027-01-01`, `2027-Q1`, `2027-H1`)", "required";
        /// how the run's ETTR is obtained (see `[training.reliability]`)
        "reliability" reliability: Option<TrainingReliability> => Table(&TrainingReliability::SECTION), "table", "see `[training.reliability]`";
        /// stages of different sizes in order, e.g. N GPUs then N/2 (see `[[training.stage]]`);
        /// with stages the run itself gives neither `gpus` nor `fleet_share`
        #[serde(default)]
        "stage" stages: Vec<TrainingStage> => Tables(&TrainingStage::SECTION), "array of tables", "one stage of the run's `gpus` or `fleet_share`";
        /// time the run holds its GPUs without training, besides failures (see `[training.overheads]`)
        "overheads" overheads: Option<TrainingOverheads> => Table(&TrainingOverheads::SECTION), "table", "see `[training.overheads]`";
    }
}

schema_struct! {
    /// A `[[training.stage]]`: a part of a run at one size; the run moves to the next stage the day
    /// after this one's share of its FLOPs is done.
    pub struct TrainingStage as "[[training.stage]]" {
        /// a fixed count for this stage
        "gpus" gpus: Option<Input> => Input, "GPU packages", "one of the two";
        /// a share of the GPUs online each day, for this stage
        "fleet_share" fleet_share: Option<Input> => Input, "fraction (quantity)", "one of the two";
        /// share of the run's FLOPs done in this stage
        "flops_share" flops_share: Option<Input> => Input, "fraction (quantity)", "the rest (last stage only)";
    }
}

schema_struct! {
    /// `[training.overheads]` (optional): non-failure overheads, each a share of wall-clock time
    /// the run holds its GPUs without training; defaults in `catalog/workloads.toml` `[overheads]`.
    pub struct TrainingOverheads as "[training.overheads]" {
        /// paused for in-run evaluation
        "evaluation_fraction" evaluation_fraction: Option<Input> => Input, "fraction below 1 (quantity)", "0";
        /// waiting on the input pipeline
        "data_stall_fraction" data_stall_fraction: Option<Input> => Input, "fraction below 1 (quantity)", "0";
        /// planned stops (maintenance, configuration or dataset changes); a simulated run takes
        /// them from the simulator instead
        "planned_restarts_per_day" planned_restarts_per_day: Option<Input> => Input, "per day (quantity)", "0.87 (Llama 3)";
        /// lost per planned stop (a checkpoint is saved first: only the restart)
        "planned_restart_min" planned_restart_min: Option<Input> => Input, "min (quantity)", "10";
    }
}

schema_struct! {
    /// `[training.reliability]` (optional): how a run's effective training time ratio is obtained.
    pub struct TrainingReliability as "[training.reliability]" {
        /// how the ETTR is obtained: `simulated` takes the mean ETTR the fleet simulator gives a
        /// `[[job]]` (with `gigawatt capacity --no-simulate`, the closed form on that job's own
        /// rate, write and recovery); `closed_form` the formula of `docs/models/training.md` on the
        /// keys below
        "method" method: Option<String> => Value, "`simulated` `closed_form` `given` `ignored`", "see above";
        /// with `method = "simulated"`: whose simulated ETTR the run takes
        "job" job: Option<String> => Value, "name of a `[[job]]`", "the run's name";
        /// unexpected interruptions
        "failures_per_1000_node_days" failures_per_1000_node_days: Option<Input> => Input, "per 1,000 node-days (quantity)", "3.789 (Llama 3)";
        /// what the failure rate counts as a node
        "gpus_per_node" gpus_per_node: Option<Input> => Input, "GPUs (quantity)", "8";
        /// job stall per checkpoint
        "checkpoint_write_s" checkpoint_write_s: Option<Input> => Input, "s (quantity)", "51";
        /// lost per interruption besides the work since the last checkpoint
        "restart_overhead_min" restart_overhead_min: Option<Input> => Input, "min (quantity)", "10";
        /// checkpoint interval
        "checkpoint_interval_min" checkpoint_interval_min: Option<Input> => Input, "min", "Young's optimum √(2w/(N·r))";
        /// with `method = "given"`: the ETTR itself
        "ettr" ettr: Option<Input> => Input, "fraction (quantity)", "—";
    }
}

schema_struct! {
    /// `[demand]`: a ChatGPT-like service.
    pub struct Demand as "[demand]" {
        /// weekly users at sourced dates, in date order; linear in between, flat before the first
        #[serde(default)]
        "users" users: Vec<UserPoint> => Tables(&UserPoint::SECTION), "array of `{ date, weekly_users }` (quantities)", "required";
        /// compound growth of weekly users after the last point
        "growth_per_year" growth_per_year: Option<Input> => Input, "fraction/yr (quantity), 0 – 10", "0";
        /// per weekly user per day
        "messages_per_user_per_day" messages_per_user_per_day: Option<Input> => Input, "messages (quantity)", "required";
        /// prompt plus the context sent with it
        "input_tokens_per_message" input_tokens_per_message: Option<Input> => Input, "tokens (quantity)", "required, or `request_lengths`";
        /// per plain message (no feature)
        "output_tokens_per_message" output_tokens_per_message: Option<Input> => Input, "tokens (quantity)", "required, or `request_lengths`";
        /// a request trace whose mean input and output tokens per request are the plain message's, instead of the two counts above
        "request_lengths" request_lengths: Option<String> => Value, "`azure-llm-2023-conversation`, `azure-llm-2023-code`", "none";
        /// peak-hour ÷ average demand
        "peak_to_average" peak_to_average: Option<Input> => Input, "ratio ≥ 1 (quantity)", "one of the two";
        /// peak-to-average = max/mean(hourly) × max/mean(daily) (see `[demand.profile]`)
        "profile" profile: Option<Profile> => Table(&Profile::SECTION), "table", "one of the two";
        /// the tier whose users each tier's `intensity` is a multiple of; the intensities are then rescaled so that the user-weighted mean is 1 and `messages_per_user_per_day` stays the average
        "intensity_relative_to" intensity_relative_to: Option<String> => Value, "a tier's name", "the average user";
        /// the service's tiers (see `[[demand.tier]]`)
        #[serde(default)]
        "tier" tiers: Vec<Tier> => Tables(&Tier::SECTION), "array of tables", "required";
        /// features that multiply a message's tokens (see `[[demand.feature]]`)
        #[serde(default)]
        "feature" features: Vec<Feature> => Tables(&Feature::SECTION), "array of tables", "none";
        /// the reference for today's text chat (see `[demand.today]`)
        "today" today: Option<Today> => Table(&Today::SECTION), "table", "none";
        /// the API: developers' tokens, served as one more tier named `api` (see `[demand.api]`)
        "api" api: Option<DemandApi> => Table(&DemandApi::SECTION), "table", "none";
    }
}

schema_struct! {
    /// `[demand.api]`: the API's traffic, measured in tokens (input and output) per minute rather
    /// than users; served as a tier named `api`, without features.
    pub struct DemandApi as "[demand.api]" {
        /// tokens per minute at sourced dates, in date order; linear in between, flat before the first
        #[serde(default)]
        "tokens_per_minute" tokens_per_minute: Vec<ApiPoint> => Tables(&ApiPoint::SECTION), "array of `{ date, tokens_per_minute }` (quantities)", "required";
        /// compound growth after the last point
        "growth_per_year" growth_per_year: Option<Input> => Input, "fraction/yr (quantity), 0 – 10", "0";
        /// output tokens' share of the tokens (the rest are input: prompts and context)
        "output_share" output_share: Option<Input> => Input, "fraction (quantity), above 0", "required";
        /// share of the tokens per catalog model; adds up to 1
        "models" models: Option<BTreeMap<String, Input>> => InputMap, "`{ \"model-id\" = share, … }`", "required";
        /// served in increasing order with the tiers' priorities when capacity binds
        "priority" priority: Option<Input> => Input, "1, 2, …", "after every tier";
    }
}

schema_struct! {
    /// A `tokens_per_minute` point of `[demand.api]`.
    pub struct ApiPoint as "a `tokens_per_minute` point" {
        /// the day the volume was published
        "date" date: Option<Input> => Input, "date", "required";
        /// input and output tokens per minute on that day
        "tokens_per_minute" tokens_per_minute: Option<Input> => Input, "tokens/min (quantity)", "required";
    }
}

schema_struct! {
    /// A `users` point of `[demand]`: the weekly users known at a date.
    pub struct UserPoint as "a `users` point" {
        /// the day the count was published
        "date" date: Option<Input> => Input, "date", "required";
        /// weekly users on that day
        "weekly_users" weekly_users: Option<Input> => Input, "users (quantity)", "required";
    }
}

schema_struct! {
    /// `[demand.profile]`: the hourly and daily weights of demand, from which the peak-hour ÷
    /// average ratio is computed.
    pub struct Profile as "[demand.profile]" {
        /// demand by hour of the day
        "hourly" hourly: Option<Vec<f64>> => Value, "24 weights (numbers ≥ 0)", "required";
        /// demand by day of the week
        "daily" daily: Option<Vec<f64>> => Value, "7 weights (numbers ≥ 0)", "flat";
        /// where the profile comes from
        "source" source: Option<String> => Value, "text", "`source` or `assumption`";
        /// why the profile is assumed
        "assumption" assumption: Option<String> => Value, "text", "`source` or `assumption`";
    }
}

schema_struct! {
    /// A `[[demand.tier]]` (at least one; shares of users must add up to 1).
    pub struct Tier as "[[demand.tier]]" {
        /// `free`, `plus`, `pro`, …
        "name" name: Option<String> => Value, "text", "required";
        /// served in increasing order (Pro first) when capacity binds
        "priority" priority: Option<Input> => Input, "1, 2, …", "file order";
        /// share of weekly users in the tier
        "share_of_users" share_of_users: Option<Input> => Input, "fraction (quantity)", "required";
        /// messages per user ÷ the average user's, or ÷ the `intensity_relative_to` tier's
        "intensity" intensity: Option<Input> => Input, "ratio (quantity)", "1";
        /// share of the tier's messages per catalog model; adds up to 1
        "models" models: Option<BTreeMap<String, Input>> => InputMap, "`{ \"model-id\" = share, … }`", "required";
    }
}

schema_struct! {
    /// A `[[demand.feature]]` (optional): a feature that multiplies the tokens of the messages
    /// using it.
    pub struct Feature as "[[demand.feature]]" {
        /// `reasoning`, `agent`, …
        "name" name: Option<String> => Value, "text", "required";
        /// output tokens of a message using it ÷ a plain message's
        "output_multiplier" output_multiplier: Option<Input> => Input, "ratio (quantity)", "required";
        /// input tokens ÷ a plain message's
        "input_multiplier" input_multiplier: Option<Input> => Input, "ratio (quantity)", "1";
        /// share of the tier's messages that use it
        "share_of_messages" share_of_messages: Option<Input> => Input, "fraction (quantity)", "required";
        /// tiers it is open to
        "tiers" tiers: Option<Vec<String>> => Value, "tier names", "required";
        /// launch date
        "from" from: Option<Input> => Input, "date", "always";
    }
}

schema_struct! {
    /// `[demand.today]` (optional): the reference for "how much of the fleet does today's text
    /// chat need".
    pub struct Today as "[demand.today]" {
        /// the day whose users count as today
        "date" date: Option<Input> => Input, "date", "the first `users` date";
        /// the model today's chat runs on
        "model" model: Option<String> => Value, "id in `catalog/models`", "required";
        /// today's platform, for the comparison
        "reference_platform" reference_platform: Option<String> => Value, "catalog id", "`h100-hgx`";
        /// weights on that platform
        "precision" precision: Option<String> => Value, "`fp4` `fp8` `bf16` `fp16`", "`fp8`";
        /// KV cache and attention on that platform
        "kv_precision" kv_precision: Option<String> => Value, "same", "`fp8`";
    }
}

schema_struct! {
    /// `[inference]`: how models are served.
    pub struct Inference as "[inference]" {
        /// weights
        "precision" precision: Option<String> => Value, "`fp4` `fp8` `bf16` `fp16`", "`fp8`";
        /// KV cache and attention
        "kv_precision" kv_precision: Option<String> => Value, "same", "`fp8`";
        /// latency target per output token at peak
        "itl_ms" itl_ms: Option<Input> => Input, "ms", "none (throughput-optimal)";
        /// per-model settings (see `[[inference.deployment]]`)
        #[serde(default)]
        "deployment" deployments: Vec<Deployment> => Tables(&Deployment::SECTION), "array of tables", "none";
    }
}

schema_struct! {
    /// An `[[inference.deployment]]`: the serving settings of one model, overriding `[inference]`.
    pub struct Deployment as "[[inference.deployment]]" {
        /// the model these settings are for
        "model" model: Option<String> => Value, "id in `catalog/models`", "required";
        /// weights
        "precision" precision: Option<String> => Value, "`fp4` `fp8` `bf16` `fp16`", "`[inference]`'s";
        /// KV cache and attention
        "kv_precision" kv_precision: Option<String> => Value, "same", "`[inference]`'s";
        /// latency target per output token at peak
        "itl_ms" itl_ms: Option<Input> => Input, "ms", "`[inference]`'s";
        /// NVLink domains per decode replica; above 1 only for mixtures of experts (expert
        /// parallelism across nodes)
        "decode_nodes" decode_nodes: Option<Input> => Input, "count, 1–1,024", "1";
        /// NVLink domains per prefill replica
        "prefill_nodes" prefill_nodes: Option<Input> => Input, "count, 1–1,024", "1";
        /// tensor parallelism of the dense part
        "tensor_parallel" tensor_parallel: Option<Input> => Input, "count, 1–1,024", "the NVLink domain";
    }
}

schema_struct! {
    /// `[allocation]`: who gets the fleet each month.
    pub struct Allocation as "[allocation]" {
        /// `inference_first`: inference gets what peak demand needs, training runs share the rest
        /// in file order; `fixed_share`: inference gets `inference_share` of every platform,
        /// training the rest; `training_reservations`: each active run gets its GPUs first,
        /// inference the rest
        "policy" policy: Option<String> => Value, "`inference_first` `fixed_share` `training_reservations`", "`inference_first`";
        /// only with `fixed_share`
        "inference_share" inference_share: Option<Input> => Input, "fraction", "—";
        /// last day of the capacity timeline (its month is the last row); runs unfinished by then
        /// are reported with the share they have done
        "horizon" horizon: Option<Input> => Input, "date", "the last phase online, training start or demand date, then until every run finishes";
    }
}
