//! Writing result files so that a failure leaves nothing half-written.
//!
//! All contents are rendered before anything is written; each file is written to a temporary
//! name in its target directory and renamed into place only once every file has been written.

use std::path::{Path, PathBuf};

/// A file to write: path within the output directory (`/`-separated, may name a subdirectory),
/// and contents.
pub struct OutFile<'a> {
    name: &'a str,
    contents: &'a [u8],
}

impl<'a> OutFile<'a> {
    /// A file named `name` with `contents`.
    pub fn new(name: &'a str, contents: &'a (impl AsRef<[u8]> + ?Sized)) -> Self {
        OutFile { name, contents: contents.as_ref() }
    }
}

/// Writes every file into `dir` (created if missing), all or nothing.
pub fn write_all(dir: &Path, files: &[OutFile<'_>]) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create output directory `{}`: {e}", dir.display()))?;
    let mut temps: Vec<(PathBuf, PathBuf)> = Vec::new();
    let cleanup = |temps: &[(PathBuf, PathBuf)]| {
        for (tmp, _) in temps {
            let _ = std::fs::remove_file(tmp);
        }
    };
    for f in files {
        let target = f.name.split('/').fold(dir.to_path_buf(), |p, part| p.join(part));
        let parent = target.parent().unwrap_or(dir).to_path_buf();
        if let Err(e) = std::fs::create_dir_all(&parent) {
            cleanup(&temps);
            return Err(format!("cannot create directory `{}`: {e}", parent.display()));
        }
        let file_name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let tmp = parent.join(format!(".{file_name}.tmp-{}", std::process::id()));
        if let Err(e) = std::fs::write(&tmp, f.contents) {
            cleanup(&temps);
            let _ = std::fs::remove_file(&tmp);
            return Err(format!("cannot write `{}`: {e}", target.display()));
        }
        temps.push((tmp, target));
    }
    for (tmp, target) in &temps {
        if let Err(e) = std::fs::rename(tmp, target) {
            cleanup(&temps);
            return Err(format!("cannot write `{}`: {e}", target.display()));
        }
    }
    Ok(())
}
