//! `gigawatt inference`: one model served on one platform at fixed input and output lengths — its
//! tokens/s per GPU, per MW and per user, TTFT and ITL, and with `--sweep` the Pareto curve (see
//! `docs/models/inference.md`). It reads no scenario and records no run.

use std::path::PathBuf;

use clap::{ArgGroup, Args};
use gigawatt_core::Catalog;
use gigawatt_report::{inference as render, json};
use gigawatt_workloads::bench::{BenchRequest, Load, benchmark};
use gigawatt_workloads::precision::Precision;

use crate::Failure;
use crate::cli::Format;
use crate::output::{OutFile, write_all};

/// Arguments of `gigawatt inference`.
#[derive(Args, Debug)]
#[command(group(ArgGroup::new("load").args(["concurrency", "tps_user"]).multiple(false)))]
pub struct InferenceArgs {
    /// Model id (catalog/models: llama3-70b, llama3.1-405b, llama2-70b, deepseek-v3, …).
    #[arg(long)]
    pub model: String,

    /// Platform id (`gigawatt catalog` lists them).
    #[arg(long)]
    pub platform: String,

    /// Weight (matmul) precision: fp4, fp8 or bf16.
    #[arg(long, default_value = "fp8", value_parser = parse_precision)]
    pub precision: Precision,

    /// KV-cache precision (default: fp8).
    #[arg(long, value_parser = parse_precision)]
    pub kv_precision: Option<Precision>,

    /// Attention precision (default: the KV-cache precision).
    #[arg(long, value_parser = parse_precision)]
    pub attention_precision: Option<Precision>,

    /// Input tokens per request.
    #[arg(long, value_name = "N")]
    pub isl: f64,

    /// Output tokens per request.
    #[arg(long, value_name = "N")]
    pub osl: f64,

    /// Requests in flight per decode replica (default: the largest batch memory holds).
    #[arg(long, value_name = "C")]
    pub concurrency: Option<f64>,

    /// Target output tokens/s per user: the largest batch that still reaches it.
    #[arg(long, value_name = "X")]
    pub tps_user: Option<f64>,

    /// Share of input tokens served from the prompt cache, 0 to below 1 (default: catalog/workloads.toml).
    #[arg(long, value_name = "SHARE")]
    pub cache_hit: Option<f64>,

    /// NVLink domains per decode replica (above 1: experts across nodes; mixtures of experts only).
    #[arg(long, default_value_t = 1.0)]
    pub decode_nodes: f64,

    /// NVLink domains per prefill replica.
    #[arg(long, default_value_t = 1.0)]
    pub prefill_nodes: f64,

    /// Tensor-parallel degree of the dense part (default: the NVLink domain; 1 = data-parallel attention).
    #[arg(long, value_name = "N")]
    pub tp: Option<f64>,

    /// Also give the Pareto curve of throughput per GPU against tokens/s per user.
    #[arg(long)]
    pub sweep: bool,

    /// Output format on stdout (csv: the point and the curve).
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,

    /// Also write inference.json, inference.csv and (with --sweep) inference-pareto.svg into
    /// this directory (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

fn parse_precision(s: &str) -> Result<Precision, String> {
    Precision::parse(s).ok_or_else(|| format!("`{s}` is not a precision (fp4, fp8 or bf16)"))
}

fn request(args: &InferenceArgs) -> BenchRequest {
    let kv = args.kv_precision.unwrap_or(Precision::Fp8);
    BenchRequest {
        model: args.model.clone(),
        platform: args.platform.clone(),
        precision: args.precision,
        kv_precision: kv,
        attention_precision: args.attention_precision.unwrap_or(kv),
        input_tokens: args.isl,
        output_tokens: args.osl,
        cache_hit_share: args.cache_hit,
        load: match (args.concurrency, args.tps_user) {
            (Some(c), _) => Load::Concurrency(c),
            (_, Some(x)) => Load::TpsUser(x),
            _ => Load::Max,
        },
        decode_nodes: args.decode_nodes,
        prefill_nodes: args.prefill_nodes,
        tensor_parallel: args.tp,
        sweep: args.sweep,
    }
}

/// Runs `gigawatt inference`.
pub fn run(catalog: &Catalog, args: InferenceArgs) -> Result<(), Failure> {
    let result = benchmark(catalog, &request(&args))?;
    if let Some(dir) = &args.out {
        let files = render::inference_files(&result);
        let out: Vec<OutFile<'_>> = files.iter().map(|(name, text)| OutFile::new(name, text)).collect();
        write_all(dir, &out).map_err(Failure::Write)?;
        let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
        eprintln!("wrote {} into {}", names.join(", "), dir.display());
    }
    let text = match args.format {
        Format::Table => render::inference_summary(&result),
        Format::Json => json::to_json(&result),
        Format::Csv => render::inference_csv(&result),
    };
    print!("{text}");
    Ok(())
}
