//! # gigawatt-store
//!
//! The run history: every `plan` (and later `simulate` and `capacity`) run, recorded in an
//! embedded SQLite database with the scenario text and its SHA-256, the tool version, the seed,
//! the headline [`Figure`]s and the full results JSON — so that any two runs can be compared
//! ([`Store::diff`]) and any result reproduced.
//!
//! ## Where the database is
//! `--db PATH` if given, else the `GIGAWATT_DB` environment variable ([`DB_ENV`]), else
//! `runs.sqlite3` under the user's data directory (`~/.local/share/gigawatt/` on Linux); see
//! [`History::resolve`].
//!
//! ## Recording from a command
//! A command builds a [`NewRun`] and calls [`History::record`]. Recording is a side effect that
//! must never cost the user their result: the caller prints the result first and, if recording
//! fails, warns on stderr and still exits successfully.
//!
//! ## Consistency
//! The database runs in WAL mode; each run is inserted in one `BEGIN IMMEDIATE` transaction, so a
//! process killed at any moment leaves either the whole run or none of it, and concurrent writers
//! (several CLI runs, the dashboard) queue on SQLite's lock with a busy timeout.

#![warn(missing_docs)]

use std::path::{Path, PathBuf};
use std::time::Duration;

pub use gigawatt_core::Figure;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// The environment variable naming the history database (overridden by `--db`).
pub const DB_ENV: &str = "GIGAWATT_DB";

/// The schema version this build reads and writes (`PRAGMA user_version`).
pub const SCHEMA_VERSION: i64 = 1;

/// How long a writer waits for another writer's lock before giving up.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

const SCHEMA: &str = "
CREATE TABLE runs (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    kind            TEXT NOT NULL,
    source          TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    tool_version    TEXT NOT NULL,
    scenario_name   TEXT NOT NULL,
    scenario_file   TEXT NOT NULL,
    scenario_sha256 TEXT NOT NULL,
    scenario_text   TEXT NOT NULL,
    seed            INTEGER,
    figures_json    TEXT NOT NULL,
    results_json    TEXT NOT NULL
);
CREATE INDEX runs_by_scenario ON runs (scenario_sha256);
";

/// What can go wrong with the history.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database could not be opened or created.
    #[error("cannot open the run history `{path}`: {reason}")]
    Open {
        /// The database file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// The database was written by a newer gigawatt.
    #[error(
        "the run history `{path}` has schema version {found}; this gigawatt reads version {SCHEMA_VERSION} — upgrade gigawatt or use another --db"
    )]
    NewerSchema {
        /// The database file.
        path: PathBuf,
        /// Its schema version.
        found: i64,
    },
    /// No run has this id.
    #[error("no run {0} in the history (`gigawatt runs list` shows the ids)")]
    NotFound(i64),
    /// SQLite failed.
    #[error("run history: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// A stored JSON column could not be read.
    #[error("run history: run {id} has unreadable {what}: {reason}")]
    Corrupt {
        /// The run.
        id: i64,
        /// Which column.
        what: &'static str,
        /// Why.
        reason: String,
    },
}

/// A run to record.
#[derive(Clone, Debug)]
pub struct NewRun<'a> {
    /// What ran: `plan`, `simulate`, `capacity`.
    pub kind: &'a str,
    /// Who ran it: `cli` or `serve`.
    pub source: &'a str,
    /// The scenario's name.
    pub scenario_name: &'a str,
    /// Where the scenario came from (a path, or `<pasted>` in the dashboard).
    pub scenario_file: &'a str,
    /// The scenario text exactly as read.
    pub scenario_text: &'a str,
    /// The seed the run used, if it is random.
    pub seed: Option<u64>,
    /// The tool's version.
    pub tool_version: &'a str,
    /// The headline figures of the result.
    pub figures: &'a [Figure],
    /// The full result as JSON (what `--format json` prints).
    pub results_json: &'a str,
}

/// A recorded run without its large columns.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RunSummary {
    /// Id (increasing).
    pub id: i64,
    /// What ran.
    pub kind: String,
    /// Who ran it (`cli`, `serve`).
    pub source: String,
    /// When it was recorded, UTC, RFC 3339.
    pub created_at: String,
    /// The tool's version.
    pub tool_version: String,
    /// The scenario's name.
    pub scenario_name: String,
    /// Where the scenario came from.
    pub scenario_file: String,
    /// SHA-256 of the scenario text, hex.
    pub scenario_sha256: String,
    /// The seed.
    pub seed: Option<u64>,
}

/// A recorded run in full.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Run {
    /// Its summary.
    #[serde(flatten)]
    pub summary: RunSummary,
    /// The scenario text.
    pub scenario_text: String,
    /// The headline figures.
    pub figures: Vec<Figure>,
    /// The full results.
    pub results: serde_json::Value,
}

/// How one headline figure differs between two runs.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FigureChange {
    /// Figure key.
    pub key: String,
    /// Label.
    pub label: String,
    /// Unit.
    pub unit: String,
    /// Value in run A (absent if A has no such figure).
    pub a: Option<f64>,
    /// Value in run B.
    pub b: Option<f64>,
}

impl FigureChange {
    /// B − A, when both exist.
    pub fn delta(&self) -> Option<f64> {
        Some(self.b? - self.a?)
    }

    /// (B − A) / |A|, when both exist and A is not zero.
    pub fn relative(&self) -> Option<f64> {
        let a = self.a?;
        if a == 0.0 { None } else { Some((self.b? - a) / a.abs()) }
    }

    /// Whether the figure moved: appeared, vanished, or changed by more than a part in ten million
    /// (floating-point noise stays out).
    pub fn moved(&self) -> bool {
        match (self.a, self.b) {
            (Some(a), Some(b)) => (b - a).abs() > 1e-7 * a.abs().max(b.abs()).max(1e-12),
            (None, None) => false,
            _ => true,
        }
    }
}

/// One line that differs between two scenario texts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LineChange {
    /// `-` (only in A) or `+` (only in B).
    pub sign: char,
    /// 1-based line number in its own text.
    pub line: usize,
    /// The line.
    pub text: String,
}

/// The difference between two runs.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RunDiff {
    /// Run A.
    pub a: RunSummary,
    /// Run B.
    pub b: RunSummary,
    /// Whether both ran the same scenario text.
    pub same_scenario: bool,
    /// The scenario lines that differ (empty when the texts are the same).
    pub scenario_changes: Vec<LineChange>,
    /// Every headline figure of either run, in A's order then B's new ones.
    pub figures: Vec<FigureChange>,
}

impl RunDiff {
    /// The figures that moved.
    pub fn moved(&self) -> impl Iterator<Item = &FigureChange> {
        self.figures.iter().filter(|f| f.moved())
    }
}

/// SHA-256 of a text, as 64 lowercase hex digits.
pub fn sha256_hex(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The default database: `gigawatt/runs.sqlite3` under the user's data directory.
pub fn default_path() -> Option<PathBuf> {
    dirs::data_dir().map(|d| d.join("gigawatt").join("runs.sqlite3"))
}

/// An open run history.
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

const SUMMARY_COLUMNS: &str =
    "id, kind, source, created_at, tool_version, scenario_name, scenario_file, scenario_sha256, seed";

fn summary_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RunSummary> {
    Ok(RunSummary {
        id: r.get(0)?,
        kind: r.get(1)?,
        source: r.get(2)?,
        created_at: r.get(3)?,
        tool_version: r.get(4)?,
        scenario_name: r.get(5)?,
        scenario_file: r.get(6)?,
        scenario_sha256: r.get(7)?,
        // Seeds are u64; SQLite integers are i64: stored bit for bit.
        seed: r.get::<_, Option<i64>>(8)?.map(|s| s as u64),
    })
}

impl Store {
    /// Opens the database at `path`, creating it (and its directory) if missing.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let fail = |reason: String| StoreError::Open { path: path.to_path_buf(), reason };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| fail(format!("cannot create `{}`: {e}", dir.display())))?;
        }
        let conn = Connection::open(path).map_err(|e| fail(e.to_string()))?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(|e| fail(e.to_string()))?;
        // WAL: readers never block the writer, and a killed writer leaves the last committed
        // state. NORMAL sync is crash-safe for the application in WAL mode.
        let mode: String =
            conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0)).map_err(|e| fail(e.to_string()))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(fail(format!("the file system does not support SQLite's WAL mode (got `{mode}`)")));
        }
        conn.execute_batch("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;")
            .map_err(|e| fail(e.to_string()))?;
        let mut store = Store { conn, path: path.to_path_buf() };
        store.migrate().map_err(|e| match e {
            StoreError::Sqlite(e) => fail(e.to_string()),
            other => other,
        })?;
        Ok(store)
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn migrate(&mut self) -> Result<(), StoreError> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let version: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if version > SCHEMA_VERSION {
            return Err(StoreError::NewerSchema { path: self.path.clone(), found: version });
        }
        if version < 1 {
            tx.execute_batch(SCHEMA)?;
            tx.execute_batch(&format!("PRAGMA user_version = {SCHEMA_VERSION}"))?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Records a run; returns its id. The run is written whole or not at all.
    pub fn record(&mut self, run: &NewRun<'_>) -> Result<i64, StoreError> {
        // JSON has no infinity or NaN: a figure without a finite value is left out, so every
        // recorded run reads back.
        let finite: Vec<&Figure> = run.figures.iter().filter(|f| f.value.is_finite()).collect();
        let figures = serde_json::to_string(&finite).expect("figures serialise");
        let created_at = now_rfc3339();
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO runs (kind, source, created_at, tool_version, scenario_name, scenario_file, \
             scenario_sha256, scenario_text, seed, figures_json, results_json) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            params![
                run.kind,
                run.source,
                created_at,
                run.tool_version,
                run.scenario_name,
                run.scenario_file,
                sha256_hex(run.scenario_text),
                run.scenario_text,
                run.seed.map(|s| s as i64),
                figures,
                run.results_json,
            ],
        )?;
        let id = tx.last_insert_rowid();
        tx.commit()?;
        Ok(id)
    }

    /// The most recent runs, newest first (at most `limit`).
    pub fn list(&self, limit: usize) -> Result<Vec<RunSummary>, StoreError> {
        let mut st = self.conn.prepare(&format!("SELECT {SUMMARY_COLUMNS} FROM runs ORDER BY id DESC LIMIT ?1"))?;
        let rows = st.query_map([limit.min(i64::MAX as usize) as i64], summary_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// How many runs are recorded.
    pub fn count(&self) -> Result<u64, StoreError> {
        Ok(self.conn.query_row("SELECT COUNT(*) FROM runs", [], |r| r.get::<_, i64>(0))? as u64)
    }

    /// One run in full.
    pub fn get(&self, id: i64) -> Result<Run, StoreError> {
        let row = self
            .conn
            .query_row(
                &format!("SELECT {SUMMARY_COLUMNS}, scenario_text, figures_json, results_json FROM runs WHERE id = ?1"),
                [id],
                |r| {
                    Ok((summary_from_row(r)?, r.get::<_, String>(9)?, r.get::<_, String>(10)?, r.get::<_, String>(11)?))
                },
            )
            .optional()?;
        let (summary, scenario_text, figures, results) = row.ok_or(StoreError::NotFound(id))?;
        let corrupt = |what, e: serde_json::Error| StoreError::Corrupt { id, what, reason: e.to_string() };
        Ok(Run {
            summary,
            scenario_text,
            figures: serde_json::from_str(&figures).map_err(|e| corrupt("figures", e))?,
            results: serde_json::from_str(&results).map_err(|e| corrupt("results", e))?,
        })
    }

    /// What differs between runs `a` and `b`: the headline figures and the scenario text.
    pub fn diff(&self, a: i64, b: i64) -> Result<RunDiff, StoreError> {
        let ra = self.get(a)?;
        let rb = self.get(b)?;
        let mut figures: Vec<FigureChange> = ra
            .figures
            .iter()
            .map(|f| FigureChange {
                key: f.key.clone(),
                label: f.label.clone(),
                unit: f.unit.clone(),
                a: Some(f.value),
                b: rb.figures.iter().find(|g| g.key == f.key).map(|g| g.value),
            })
            .collect();
        for g in rb.figures.iter().filter(|g| !ra.figures.iter().any(|f| f.key == g.key)) {
            figures.push(FigureChange {
                key: g.key.clone(),
                label: g.label.clone(),
                unit: g.unit.clone(),
                a: None,
                b: Some(g.value),
            });
        }
        let same = ra.summary.scenario_sha256 == rb.summary.scenario_sha256;
        Ok(RunDiff {
            scenario_changes: if same { Vec::new() } else { line_diff(&ra.scenario_text, &rb.scenario_text) },
            same_scenario: same,
            a: ra.summary,
            b: rb.summary,
            figures,
        })
    }

    /// SQLite's own consistency check: `ok`, or the problems found.
    pub fn integrity_check(&self) -> Result<String, StoreError> {
        let mut st = self.conn.prepare("PRAGMA integrity_check")?;
        let lines: Vec<String> = st.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?;
        Ok(lines.join("\n"))
    }
}

fn now_rfc3339() -> String {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    chrono::DateTime::from_timestamp(secs as i64, 0)
        .map_or_else(|| secs.to_string(), |t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
}

/// The lines only in `a` (`-`) and only in `b` (`+`), by longest common subsequence; texts too
/// large to compare line by line give one `-`/`+` pair saying so.
pub fn line_diff(a: &str, b: &str) -> Vec<LineChange> {
    let la: Vec<&str> = a.lines().collect();
    let lb: Vec<&str> = b.lines().collect();
    if la.len().saturating_mul(lb.len()) > 4_000_000 {
        return vec![
            LineChange { sign: '-', line: 1, text: format!("({} lines)", la.len()) },
            LineChange { sign: '+', line: 1, text: format!("({} lines)", lb.len()) },
        ];
    }
    // lcs[i][j] = LCS length of la[i..] and lb[j..].
    let (n, m) = (la.len(), lb.len());
    let mut lcs = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if la[i] == lb[j] { lcs[i + 1][j + 1] + 1 } else { lcs[i + 1][j].max(lcs[i][j + 1]) };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::new();
    while i < n || j < m {
        if i < n && j < m && la[i] == lb[j] {
            i += 1;
            j += 1;
        } else if i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1]) {
            out.push(LineChange { sign: '-', line: i + 1, text: la[i].to_string() });
            i += 1;
        } else {
            out.push(LineChange { sign: '+', line: j + 1, text: lb[j].to_string() });
            j += 1;
        }
    }
    out
}

/// Where runs are recorded, as chosen on the command line: nowhere, or one database file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum History {
    /// Recording is off (`--no-record`).
    Off,
    /// Record into this database.
    At(PathBuf),
    /// Recording was asked for but no location is known (no `--db`, no `GIGAWATT_DB`, and no
    /// data directory for this user).
    Unavailable,
}

impl History {
    /// The history a command uses: off with `--no-record`; else `--db PATH`; else the
    /// `GIGAWATT_DB` environment variable (when set and not empty); else the default path.
    pub fn resolve(no_record: bool, db: Option<&Path>) -> History {
        Self::resolve_with(no_record, db, std::env::var_os(DB_ENV).map(PathBuf::from), default_path())
    }

    /// [`History::resolve`] with the environment and default given (for tests).
    pub fn resolve_with(no_record: bool, db: Option<&Path>, env: Option<PathBuf>, default: Option<PathBuf>) -> History {
        if no_record {
            return History::Off;
        }
        if let Some(p) = db {
            return History::At(p.to_path_buf());
        }
        match env.filter(|p| !p.as_os_str().is_empty()).or(default) {
            Some(p) => History::At(p),
            None => History::Unavailable,
        }
    }

    /// Opens the database, if recording is on.
    pub fn open(&self) -> Result<Option<Store>, StoreError> {
        match self {
            History::Off => Ok(None),
            History::At(p) => Store::open(p).map(Some),
            History::Unavailable => Err(StoreError::Open {
                path: PathBuf::new(),
                reason: format!("no data directory is known for this user; pass --db PATH or set {DB_ENV}"),
            }),
        }
    }

    /// Records a run: `Ok(Some(id))` when recorded, `Ok(None)` when recording is off. This is the
    /// one function every command calls after it has produced its result.
    pub fn record(&self, run: &NewRun<'_>) -> Result<Option<i64>, StoreError> {
        match self.open()? {
            None => Ok(None),
            Some(mut store) => store.record(run).map(Some),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_of_a_known_text() {
        assert_eq!(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    #[test]
    fn line_diff_names_changed_lines() {
        let a = "name = \"x\"\npue = 1.1\nseed = 1\n";
        let b = "name = \"x\"\npue = 1.3\nseed = 1\nextra = 2\n";
        let d = line_diff(a, b);
        assert_eq!(
            d,
            vec![
                LineChange { sign: '-', line: 2, text: "pue = 1.1".into() },
                LineChange { sign: '+', line: 2, text: "pue = 1.3".into() },
                LineChange { sign: '+', line: 4, text: "extra = 2".into() },
            ]
        );
        assert!(line_diff(a, a).is_empty());
    }

    #[test]
    fn history_location_precedence() {
        let env = Some(PathBuf::from("/env.db"));
        let default = Some(PathBuf::from("/default.db"));
        let flag = PathBuf::from("/flag.db");
        assert_eq!(History::resolve_with(true, Some(&flag), env.clone(), default.clone()), History::Off);
        assert_eq!(History::resolve_with(false, Some(&flag), env.clone(), default.clone()), History::At(flag.clone()));
        assert_eq!(History::resolve_with(false, None, env.clone(), default.clone()), History::At("/env.db".into()));
        assert_eq!(
            History::resolve_with(false, None, Some(PathBuf::new()), default.clone()),
            History::At("/default.db".into())
        );
        assert_eq!(History::resolve_with(false, None, None, None), History::Unavailable);
    }

    #[test]
    fn figure_changes_know_whether_they_moved() {
        let f = |a, b| FigureChange { key: "k".into(), label: "k".into(), unit: "USD".into(), a, b };
        assert!(!f(Some(1.0), Some(1.0)).moved());
        assert!(f(Some(1.0), Some(1.1)).moved());
        assert!(f(None, Some(1.0)).moved());
        assert_eq!(f(Some(2.0), Some(3.0)).relative(), Some(0.5));
        assert_eq!(f(Some(0.0), Some(3.0)).relative(), None);
    }
}
