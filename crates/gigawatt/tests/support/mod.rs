//! The one way the end-to-end tests run the `gigawatt` binary.
//!
//! Every command built here is isolated from the user's files: `HOME` and the XDG directories
//! point into a directory under the build's temporary directory, and the run history is a test
//! database there (`GIGAWATT_DB`), so no test reads or writes the user's run history or
//! configuration. CI also runs the whole suite with `HOME` pointing at an empty directory and
//! fails if anything appears in it (`.ci/run`).
#![allow(dead_code)] // each test binary uses a different part of this module

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

pub use assert_cmd::Command;

/// This crate's directory (`crates/gigawatt`), where `tests/fixtures` live.
pub fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The repository root, where `scenarios/` and `catalog/` live.
pub fn root() -> PathBuf {
    crate_dir().join("../..")
}

/// A directory private to this test binary under the build's temporary directory, created once.
pub fn sandbox() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("{}-sandbox", env!("CARGO_CRATE_NAME")));
        for sub in ["home", "data", "config", "cache"] {
            std::fs::create_dir_all(dir.join(sub)).expect("create the test sandbox");
        }
        dir
    })
}

/// The run history the tests record into, inside [`sandbox`].
pub fn test_db() -> PathBuf {
    sandbox().join("history.sqlite3")
}

/// The binary with the isolated environment, run from `dir`.
pub fn gigawatt_in(dir: &Path) -> Command {
    let sandbox = sandbox();
    let mut c = Command::new(assert_cmd::cargo::cargo_bin!("gigawatt"));
    c.current_dir(dir)
        .env("NO_COLOR", "1")
        .env("HOME", sandbox.join("home"))
        .env("XDG_DATA_HOME", sandbox.join("data"))
        .env("XDG_CONFIG_HOME", sandbox.join("config"))
        .env("XDG_CACHE_HOME", sandbox.join("cache"))
        .env("GIGAWATT_DB", test_db());
    c
}

/// The binary, run from the repository root (so scenario paths read as a user types them).
pub fn gigawatt() -> Command {
    gigawatt_in(&root())
}

/// The binary, run from this crate's directory (for fixtures).
pub fn gigawatt_here() -> Command {
    gigawatt_in(&crate_dir())
}

/// The binary, run from this crate's directory, recording into the history `db`.
pub fn gigawatt_with_db(db: &Path, args: &[&str]) -> Command {
    let mut c = gigawatt_here();
    c.arg("--db").arg(db).args(args);
    c
}

/// Standard output of a command that must succeed.
pub fn stdout_of(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// Exit code and standard error of a command that must fail with nothing on standard output.
pub fn error_of(cmd: &mut Command) -> (i32, String) {
    let out = cmd.output().unwrap();
    assert!(out.stdout.is_empty(), "nothing on stdout on error");
    (out.status.code().unwrap(), String::from_utf8(out.stderr).unwrap())
}
