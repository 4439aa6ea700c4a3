//! Bounds checked before a simulation allocates anything: its memory estimate against the memory
//! this machine has available, or against `--max-memory` (see `docs/limits.md`).

use gigawatt_core::InputError;
use gigawatt_core::plan::Evaluation;
use gigawatt_core::scenario::Model;
use gigawatt_sim::{SimOptions, WorkEstimate};

/// Parses a memory size: a number of bytes, or with a unit `K`, `M`, `G` or `T` (powers of 1024,
/// optionally followed by `B` or `iB`), e.g. `8G`, `512MiB`, `1.5T`.
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let digits = t.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(t.len());
    let (number, unit) = t.split_at(digits);
    let value: f64 = number.parse().map_err(|_| format!("`{s}` is not a size; write e.g. 8G or 512M"))?;
    let power = match unit.trim().trim_end_matches("iB").trim_end_matches('B').to_ascii_uppercase().as_str() {
        "" => 0,
        "K" => 1,
        "M" => 2,
        "G" => 3,
        "T" => 4,
        other => return Err(format!("`{other}` is not a size unit; use K, M, G or T")),
    };
    let bytes = value * 1024f64.powi(power);
    if bytes.is_finite() && bytes >= 1.0 { Ok(bytes as u64) } else { Err(format!("`{s}` is not a usable size")) }
}

/// Memory this machine has available now (`MemAvailable` of `/proc/meminfo`), if known.
pub fn available_memory() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// The estimate of a simulation, refused (an input error, exit code 2) when it would need more
/// memory than `max_memory`, else than this machine has available.
pub fn check_simulation(
    model: &Model,
    eval: &Evaluation,
    options: SimOptions,
    max_memory: Option<u64>,
) -> Result<WorkEstimate, InputError> {
    let estimate = WorkEstimate::of(model, eval, options)?;
    match (max_memory, available_memory()) {
        (Some(limit), _) => estimate.check_memory(limit, "--max-memory")?,
        (None, Some(available)) => estimate.check_memory(available, "the memory available")?,
        (None, None) => {}
    }
    Ok(estimate)
}

/// Refuses a replay whose memory estimate exceeds `--max-memory`, else the memory available.
pub fn check_replay(
    estimate: &gigawatt_sched::workload::ReplayEstimate,
    max_memory: Option<u64>,
) -> Result<(), InputError> {
    match (max_memory, available_memory()) {
        (Some(limit), _) => estimate.check_memory(limit, "--max-memory"),
        (None, Some(available)) => estimate.check_memory(available, "the memory available"),
        (None, None) => Ok(()),
    }
}

/// Refuses an operated run whose memory estimate exceeds `--max-memory`, else the memory
/// available.
pub fn check_operate(estimate: &gigawatt_operate::OperateEstimate, max_memory: Option<u64>) -> Result<(), InputError> {
    match memory_limit(max_memory) {
        Some((limit, source)) => estimate.check_memory(limit, source),
        None => Ok(()),
    }
}

/// The memory a run (or a sweep) may use and what set it: `--max-memory`, else the memory
/// available (none when neither is known).
pub fn memory_limit(max_memory: Option<u64>) -> Option<(u64, &'static str)> {
    match (max_memory, available_memory()) {
        (Some(limit), _) => Some((limit, "--max-memory")),
        (None, Some(available)) => Some((available, "the memory available")),
        (None, None) => None,
    }
}

/// The limit each of `runs_at_once` operated runs side by side is checked against before its job
/// streams are drawn: its share of [`memory_limit`].
pub fn operate_memory_limit(max_memory: Option<u64>, runs_at_once: u64) -> Option<gigawatt_operate::MemoryLimit> {
    memory_limit(max_memory).map(|(bytes, source)| gigawatt_operate::MemoryLimit {
        bytes: bytes / runs_at_once.max(1),
        source: source.to_string(),
    })
}

/// The estimate as the progress bar shows it: `≈ 1.2 M events, 380 MB`.
pub fn describe(estimate: &WorkEstimate) -> String {
    describe_work(estimate.events, estimate.memory_bytes)
}

/// Events and memory as the progress bar shows them: `≈ 1.2 M events, 380 MB`.
pub fn describe_work(events: f64, memory_bytes: u64) -> String {
    let events = if events >= 1e9 {
        format!("{:.1} G", events / 1e9)
    } else if events >= 1e6 {
        format!("{:.1} M", events / 1e6)
    } else if events >= 1e3 {
        format!("{:.1} K", events / 1e3)
    } else {
        format!("{events:.0}")
    };
    let mb = memory_bytes as f64 / 1e6;
    let memory = if mb >= 1000.0 { format!("{:.1} GB", mb / 1000.0) } else { format!("{mb:.0} MB") };
    format!("≈ {events} events, {memory}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_with_or_without_a_unit() {
        assert_eq!(parse_size("8G"), Ok(8 << 30));
        assert_eq!(parse_size("512MiB"), Ok(512 << 20));
        assert_eq!(parse_size("1.5K"), Ok(1536));
        assert_eq!(parse_size("4096"), Ok(4096));
        assert!(parse_size("lots").is_err());
        assert!(parse_size("8X").is_err());
        assert!(parse_size("0").is_err());
    }
}
