//! Running a shard into `DIR/shards/`, and merging the shards into `DIR/points.parquet` and
//! `DIR/summary.parquet`.
//!
//! A shard computes its points in batches; each batch is written as
//! `DIR/shards/shard-I-of-N.part-P.parquet` (P: the batch's first point) through a temporary
//! file and a rename, so a killed shard leaves only whole batches. When every point of the shard
//! is done, its batches are combined into `DIR/shards/shard-I-of-N.parquet` and removed. A run
//! first reads every file in `DIR/shards/` and skips the points they already hold, whichever
//! shard count wrote them: that is how a sweep resumes. `merge` reads the same files, checks that
//! they belong to one sweep (the hash in their metadata) and that every point is there exactly
//! once, and writes the merged rows sorted by (point, replica): the same bytes however many
//! shards, threads or resumptions produced them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use gigawatt_core::InputError;
use serde::Serialize;

use crate::prepare::{Prepared, batch_size};
use crate::table::{Column, Table, Values, read_parquet, write_atomic, write_parquet};

/// Why a sweep or a merge failed.
#[derive(Debug)]
pub enum SweepError {
    /// Bad input (a point's scenario, a directory of another sweep, missing points): exit code 2.
    Input(InputError),
    /// A file could not be read or written: exit code 1.
    Io(String),
}

impl From<InputError> for SweepError {
    fn from(e: InputError) -> Self {
        SweepError::Input(e)
    }
}

impl std::fmt::Display for SweepError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SweepError::Input(e) => write!(f, "{e}"),
            SweepError::Io(e) => f.write_str(e),
        }
    }
}

/// Shard I of N.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// Which shard, from 0.
    pub index: u64,
    /// How many.
    pub count: u64,
}

impl Shard {
    /// The whole sweep.
    pub const ALL: Shard = Shard { index: 0, count: 1 };

    /// Parses `I/N`; I ≥ N, N = 0 and anything else are errors.
    pub fn parse(text: &str) -> Result<Shard, String> {
        let (i, n) = text.split_once('/').ok_or_else(|| format!("`{text}` is not a shard: write I/N, e.g. 0/4"))?;
        let i: u64 = i.trim().parse().map_err(|_| format!("`{text}`: the shard index `{i}` is not a whole number"))?;
        let n: u64 = n.trim().parse().map_err(|_| format!("`{text}`: the shard count `{n}` is not a whole number"))?;
        if n == 0 {
            return Err(format!("`{text}`: the shard count must be at least 1"));
        }
        if i >= n {
            return Err(format!("`{text}`: shard {i} of {n} does not exist; shards count from 0 to {}", n - 1));
        }
        Ok(Shard { index: i, count: n })
    }

    /// This task's shard in a Slurm job array, from `SLURM_ARRAY_TASK_ID`, `SLURM_ARRAY_TASK_MIN`
    /// and `SLURM_ARRAY_TASK_COUNT` as read by `var`; `None` outside an array.
    pub fn from_slurm(var: impl Fn(&str) -> Option<String>) -> Option<Result<Shard, String>> {
        let id = var("SLURM_ARRAY_TASK_ID")?;
        let get = |name: &str, text: Option<String>| -> Result<u64, String> {
            let text = text.ok_or_else(|| format!("SLURM_ARRAY_TASK_ID is set but {name} is not"))?;
            text.trim().parse().map_err(|_| format!("{name}=`{text}` is not a whole number"))
        };
        Some((|| {
            let id = get("SLURM_ARRAY_TASK_ID", Some(id))?;
            let min = get("SLURM_ARRAY_TASK_MIN", var("SLURM_ARRAY_TASK_MIN"))?;
            let count = get("SLURM_ARRAY_TASK_COUNT", var("SLURM_ARRAY_TASK_COUNT"))?;
            let index = id
                .checked_sub(min)
                .ok_or_else(|| format!("SLURM_ARRAY_TASK_ID {id} is below SLURM_ARRAY_TASK_MIN {min}"))?;
            Shard::parse(&format!("{index}/{count}"))
        })())
    }

    /// The shard's file stem: `shard-I-of-N`.
    pub fn stem(self) -> String {
        format!("shard-{}-of-{}", self.index, self.count)
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// What one run of a shard did (`DIR/shards/shard-I-of-N.json`, gathered into
/// `DIR/manifest.json` by the merge).
#[derive(Clone, Debug, Serialize, serde::Deserialize)]
pub struct ShardReport {
    /// `I/N`.
    pub shard: String,
    /// The machine it ran on.
    pub host: String,
    /// When it started, seconds since 1970.
    pub started_unix_s: u64,
    /// Wall time, seconds.
    pub wall_s: f64,
    /// Threads of rayon's pool.
    pub threads: usize,
    /// Points of the shard.
    pub points: u64,
    /// Points computed by this run.
    pub computed: u64,
    /// Points skipped because `DIR` already held them.
    pub skipped: u64,
    /// gigawatt's version.
    pub version: String,
}

/// The machine's host name.
pub fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "unknown".to_string())
}

fn unix_now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// The result files of a directory's shards, with the tables they hold: completed shard files,
/// and the batches of shards that have not completed (batches of a completed shard are left out:
/// its file holds them).
fn shard_files(dir: &Path) -> Result<Vec<(PathBuf, Table)>, SweepError> {
    let shards = dir.join("shards");
    let entries = match std::fs::read_dir(&shards) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(SweepError::Io(format!("cannot read `{}`: {e}", shards.display()))),
    };
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("shard-") && n.ends_with(".parquet"))
        .collect();
    names.sort();
    let complete: Vec<String> =
        names.iter().filter(|n| !n.contains(".part-")).map(|n| n.trim_end_matches(".parquet").to_string()).collect();
    let mut out = Vec::new();
    for name in names {
        if let Some((stem, _)) = name.split_once(".part-")
            && complete.iter().any(|c| c == stem)
        {
            continue;
        }
        let path = shards.join(&name);
        let table = read_parquet(&path).map_err(SweepError::Io)?;
        out.push((path, table));
    }
    Ok(out)
}

fn other_sweep(dir: &Path, path: &Path, found: Option<&str>, hash: &str) -> SweepError {
    SweepError::Input(
        InputError::new(format!(
            "`{}` belongs to another sweep (hash {}, this one is {hash})",
            path.display(),
            found.unwrap_or("none")
        ))
        .with_help(format!(
            "a sweep's identity is its sweep file, base scenario, catalog files and gigawatt version; write to another --out, or remove `{}`",
            dir.join("shards").display()
        )),
    )
}

/// Progress of a run: `on_start(total)` once, then `tick()` once per replica run.
pub struct Progress<'a> {
    /// Called once with the number of replica runs to do.
    pub on_start: &'a dyn Fn(u64),
    /// Called after each replica run.
    pub tick: &'a (dyn Fn() + Sync),
}

/// The points of `shard` that `dir` does not hold yet.
pub fn pending(prepared: &Prepared, dir: &Path, shard: Shard) -> Result<(Vec<u64>, u64), SweepError> {
    let mut done = vec![false; prepared.points as usize];
    for (path, table) in shard_files(dir)? {
        if table.meta("gigawatt.sweep.hash") != Some(prepared.hash.as_str()) {
            return Err(other_sweep(dir, &path, table.meta("gigawatt.sweep.hash"), &prepared.hash));
        }
        if let Some(Values::U64(points)) = table.column("point") {
            for &p in points {
                if let Some(d) = done.get_mut(p as usize) {
                    *d = true;
                }
            }
        }
    }
    let all: Vec<u64> = crate::points::shard_points(prepared.points, shard.index, shard.count).collect();
    let total = all.len() as u64;
    Ok((all.into_iter().filter(|&p| !done[p as usize]).collect(), total))
}

/// Runs the points of `shard` that `dir` does not hold yet, writing them under `dir/shards/`.
pub fn run_shard(
    prepared: &Prepared,
    dir: &Path,
    shard: Shard,
    progress: &Progress<'_>,
) -> Result<ShardReport, SweepError> {
    let started = Instant::now();
    let started_unix_s = unix_now();
    let (todo, total) = pending(prepared, dir, shard)?;
    let threads = rayon::current_num_threads();
    (progress.on_start)(todo.len() as u64 * u64::from(prepared.sweep.replicas));
    let shards_dir = dir.join("shards");
    let stem = shard.stem();
    for batch in todo.chunks(batch_size(todo.len() as u64, threads)) {
        let table = prepared.compute(batch, progress.tick)?;
        let path = shards_dir.join(format!("{stem}.part-{:012}.parquet", batch[0]));
        write_parquet(&path, &table).map_err(SweepError::Io)?;
    }
    // Combine this shard's batches (and its earlier file, if a resumed run had one).
    let final_path = shards_dir.join(format!("{stem}.parquet"));
    let mut parts: Vec<PathBuf> = Vec::new();
    if let Ok(entries) = std::fs::read_dir(&shards_dir) {
        for e in entries.filter_map(|e| e.ok()) {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with(&format!("{stem}.part-")) && name.ends_with(".parquet") {
                parts.push(e.path());
            }
        }
    }
    parts.sort();
    if !parts.is_empty() {
        let mut tables = Vec::new();
        if final_path.exists() {
            tables.push(read_parquet(&final_path).map_err(SweepError::Io)?);
        }
        for p in &parts {
            tables.push(read_parquet(p).map_err(SweepError::Io)?);
        }
        let combined = sorted(concat(&tables, &prepared.metadata()).map_err(SweepError::Io)?);
        write_parquet(&final_path, &combined).map_err(SweepError::Io)?;
        for p in &parts {
            let _ = std::fs::remove_file(p);
        }
    } else if !final_path.exists() && total == 0 {
        // A shard with no points (more shards than points) still says so. (A shard whose points
        // other files already hold has nothing of its own to write.)
        let empty = prepared.compute(&[], progress.tick)?;
        write_parquet(&final_path, &empty).map_err(SweepError::Io)?;
    }
    let report = ShardReport {
        shard: shard.to_string(),
        host: host_name(),
        started_unix_s,
        wall_s: started.elapsed().as_secs_f64(),
        threads,
        points: total,
        computed: todo.len() as u64,
        skipped: total - todo.len() as u64,
        version: crate::prepare::VERSION.to_string(),
    };
    let json = serde_json::to_string_pretty(&report).map_err(|e| SweepError::Io(e.to_string()))? + "\n";
    write_atomic(&shards_dir.join(format!("{stem}.json")), json.as_bytes()).map_err(SweepError::Io)?;
    Ok(report)
}

/// The rows of several tables of one layout, one after another, with `metadata`.
fn concat(tables: &[Table], metadata: &[(String, String)]) -> Result<Table, String> {
    let Some(first) = tables.first() else { return Ok(Table::default()) };
    let mut out = first.empty_like();
    out.metadata = metadata.to_vec();
    for t in tables {
        if t.layout() != first.layout() {
            return Err(format!("shard files with different columns: {:?} and {:?}", first.layout(), t.layout()));
        }
        for (o, c) in out.columns.iter_mut().zip(&t.columns) {
            for i in 0..c.values.len() {
                o.values.push_from(&c.values, i);
            }
        }
    }
    Ok(out)
}

fn u64_column<'a>(t: &'a Table, name: &str) -> &'a [u64] {
    match t.column(name) {
        Some(Values::U64(v)) => v,
        _ => &[],
    }
}

/// The table's rows sorted by (point, replica).
fn sorted(t: Table) -> Table {
    let (points, replicas) = (u64_column(&t, "point"), u64_column(&t, "replica"));
    let mut order: Vec<usize> = (0..t.rows()).collect();
    order.sort_by_key(|&i| (points.get(i).copied(), replicas.get(i).copied()));
    let mut out = t.empty_like();
    for (o, c) in out.columns.iter_mut().zip(&t.columns) {
        for &i in &order {
            o.values.push_from(&c.values, i);
        }
    }
    out
}

/// What `merge` wrote.
#[derive(Clone, Debug)]
pub struct Merged {
    /// The merged rows (`points.parquet`).
    pub points: Table,
    /// P10, P50 and P90 per point (`summary.parquet`).
    pub summary: Table,
    /// The files written.
    pub files: Vec<PathBuf>,
}

/// The `q` quantile of sorted values, interpolated linearly between order statistics (the
/// "type 7" definition of R and NumPy's default).
pub fn quantile(sorted: &[f64], q: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let h = (sorted.len() - 1) as f64 * q;
    let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
    Some(sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo]))
}

/// The summary of merged rows: per point, the axes, the replicas, and each metric's mean, P10,
/// P50 and P90 over the replicas (nulls left out).
pub fn summarise(points: &Table) -> Table {
    let axes: Vec<String> =
        points.meta("gigawatt.sweep.axes").and_then(|s| serde_json::from_str(s).ok()).unwrap_or_default();
    let metrics: Vec<String> =
        points.meta("gigawatt.sweep.metrics").and_then(|s| serde_json::from_str(s).ok()).unwrap_or_default();
    let ids = u64_column(points, "point");
    let mut groups: BTreeMap<u64, Vec<usize>> = BTreeMap::new();
    for (i, &p) in ids.iter().enumerate() {
        groups.entry(p).or_default().push(i);
    }
    let mut columns = vec![Column { name: "point".into(), values: Values::U64(groups.keys().copied().collect()) }];
    columns.push(Column {
        name: "replicas".into(),
        values: Values::U64(groups.values().map(|g| g.len() as u64).collect()),
    });
    for name in &axes {
        let Some(src) = points.column(name) else { continue };
        let mut values = src.empty_like();
        for rows in groups.values() {
            values.push_from(src, rows[0]);
        }
        columns.push(Column { name: name.clone(), values });
    }
    for name in &metrics {
        let Some(Values::F64(src)) = points.column(name) else { continue };
        let mut stats: [Vec<Option<f64>>; 4] = Default::default();
        for rows in groups.values() {
            let mut xs: Vec<f64> = rows.iter().filter_map(|&i| src[i]).collect();
            xs.sort_by(f64::total_cmp);
            let mean = (!xs.is_empty()).then(|| xs.iter().sum::<f64>() / xs.len() as f64);
            stats[0].push(mean);
            for (k, q) in [0.1, 0.5, 0.9].into_iter().enumerate() {
                stats[k + 1].push(quantile(&xs, q));
            }
        }
        for (suffix, values) in ["mean", "p10", "p50", "p90"].into_iter().zip(stats) {
            columns.push(Column { name: format!("{name}_{suffix}"), values: Values::F64(values) });
        }
    }
    Table { columns, metadata: points.metadata.clone() }
}

/// Merges the shards in `dir`: checks they are of one sweep and hold every point exactly once,
/// then writes `points.parquet`, `summary.parquet` (and their CSV with `csv`) and
/// `manifest.json`.
pub fn merge(dir: &Path, csv: bool) -> Result<Merged, SweepError> {
    let started = Instant::now();
    let files = shard_files(dir)?;
    let Some((first_path, first)) = files.first() else {
        return Err(SweepError::Input(
            InputError::new(format!("`{}` holds no shard files", dir.join("shards").display()))
                .with_help("run `gigawatt sweep SWEEP.toml --out DIR` (or its shards) first"),
        ));
    };
    let hash = first.meta("gigawatt.sweep.hash").unwrap_or_default().to_string();
    for (path, t) in &files {
        if t.meta("gigawatt.sweep.hash") != Some(hash.as_str()) {
            return Err(SweepError::Input(
                InputError::new(format!(
                    "`{}` and `{}` are shards of different sweeps (hashes {} and {})",
                    first_path.display(),
                    path.display(),
                    hash,
                    t.meta("gigawatt.sweep.hash").unwrap_or("none")
                ))
                .with_help(
                    "merge the shards of one sweep file and base scenario: move the others to a directory of their own",
                ),
            ));
        }
    }
    let number = |key: &str| first.meta(key).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    let (total, replicas) = (number("gigawatt.sweep.points"), number("gigawatt.sweep.replicas"));
    // Every point once: which file holds each.
    let mut owner: Vec<Option<usize>> = vec![None; total as usize];
    for (f, (path, t)) in files.iter().enumerate() {
        let mut seen_here = std::collections::BTreeSet::new();
        for &p in u64_column(t, "point") {
            seen_here.insert(p);
        }
        for p in seen_here {
            match owner.get(p as usize).copied() {
                None => {
                    return Err(SweepError::Input(InputError::new(format!(
                        "`{}` holds point {p}, but the sweep has {total} points",
                        path.display()
                    ))));
                }
                Some(Some(other)) => {
                    return Err(SweepError::Input(
                        InputError::new(format!(
                            "point {p} is in both `{}` and `{}`",
                            files[other].0.display(),
                            path.display()
                        ))
                        .with_help("each point must come from one shard: remove one of the files and merge again"),
                    ));
                }
                Some(None) => owner[p as usize] = Some(f),
            }
        }
    }
    let missing: Vec<u64> = (0..total).filter(|&p| owner[p as usize].is_none()).collect();
    if !missing.is_empty() {
        let shown: Vec<String> = missing.iter().take(10).map(u64::to_string).collect();
        let more = if missing.len() > 10 { format!(" and {} more", missing.len() - 10) } else { String::new() };
        return Err(SweepError::Input(
            InputError::new(format!(
                "{} of {total} points are missing from `{}`: {}{more}",
                missing.len(),
                dir.join("shards").display(),
                shown.join(", ")
            ))
            .with_help("run the shards that have not finished (`gigawatt sweep SWEEP.toml --shard I/N --out DIR` resumes where a shard stopped), then merge again"),
        ));
    }
    let tables: Vec<Table> = files.iter().map(|(_, t)| t.clone()).collect();
    let points = sorted(concat(&tables, &first.metadata).map_err(SweepError::Io)?);
    if points.rows() as u64 != total * replicas {
        return Err(SweepError::Input(InputError::new(format!(
            "the shards hold {} rows where {total} points × {replicas} replicas make {}",
            points.rows(),
            total * replicas
        ))));
    }
    let summary = summarise(&points);
    let mut written = vec![dir.join("points.parquet"), dir.join("summary.parquet")];
    write_parquet(&written[0], &points).map_err(SweepError::Io)?;
    write_parquet(&written[1], &summary).map_err(SweepError::Io)?;
    if csv {
        for (name, t) in [("points.csv", &points), ("summary.csv", &summary)] {
            let path = dir.join(name);
            write_atomic(&path, t.to_csv().as_bytes()).map_err(SweepError::Io)?;
            written.push(path);
        }
    }
    let mut shards: Vec<ShardReport> = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir.join("shards")) {
        let mut paths: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        paths.sort();
        for p in paths {
            if let Some(r) = std::fs::read_to_string(&p).ok().and_then(|t| serde_json::from_str(&t).ok()) {
                shards.push(r);
            }
        }
    }
    let manifest = serde_json::json!({
        "sweep": first.meta("gigawatt.sweep.name"),
        "hash": hash,
        "command": first.meta("gigawatt.sweep.command"),
        "points": total,
        "replicas": replicas,
        "rows": points.rows(),
        "shards": shards,
        "merged": { "host": host_name(), "unix_s": unix_now(), "wall_s": started.elapsed().as_secs_f64() },
        "version": crate::prepare::VERSION,
    });
    let text = serde_json::to_string_pretty(&manifest).map_err(|e| SweepError::Io(e.to_string()))? + "\n";
    let manifest_path = dir.join("manifest.json");
    write_atomic(&manifest_path, text.as_bytes()).map_err(SweepError::Io)?;
    written.push(manifest_path);
    Ok(Merged { points, summary, files: written })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_parse_and_refuse_an_index_past_the_count() {
        assert_eq!(Shard::parse("2/4"), Ok(Shard { index: 2, count: 4 }));
        assert!(Shard::parse("4/4").unwrap_err().contains("does not exist"));
        assert!(Shard::parse("0/0").is_err());
        assert!(Shard::parse("1").is_err());
    }

    #[test]
    fn a_slurm_array_task_takes_its_share() {
        let env = |id: &'static str| {
            move |k: &str| match k {
                "SLURM_ARRAY_TASK_ID" => Some(id.to_string()),
                "SLURM_ARRAY_TASK_MIN" => Some("1".to_string()),
                "SLURM_ARRAY_TASK_COUNT" => Some("4".to_string()),
                _ => None,
            }
        };
        assert_eq!(Shard::from_slurm(env("3")), Some(Ok(Shard { index: 2, count: 4 })));
        assert!(Shard::from_slurm(env("0")).unwrap().is_err());
        assert_eq!(Shard::from_slurm(|_| None), None);
    }

    #[test]
    fn quantiles_interpolate_between_order_statistics() {
        let xs = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert_eq!(quantile(&xs, 0.5), Some(3.0));
        assert_eq!(quantile(&xs, 0.1), Some(1.4));
        assert_eq!(quantile(&[7.0], 0.9), Some(7.0));
        assert_eq!(quantile(&[], 0.9), None);
    }
}
