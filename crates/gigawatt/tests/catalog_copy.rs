//! A platform is one file: a copy of any bundled platform file under a new id, given with
//! `--catalog`, gives the same `plan`, `simulate` and `capacity` results as the bundled platform.
//! Nothing the tool knows about a platform may hide anywhere else (a table keyed by platform id
//! in another file, a comparison with a bundled id in code).

mod support;

use std::path::Path;

use support::*;

/// Every bundled platform file, as (id, text).
fn bundled_platforms() -> Vec<(String, String)> {
    let dir = root().join("catalog/platforms");
    let mut out: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .map(|p| (p.file_stem().unwrap().to_string_lossy().into_owned(), std::fs::read_to_string(&p).unwrap()))
        .collect();
    out.sort();
    out
}

/// The template scenario on `platform`, whose file is `platform_file`. A platform without FP8
/// (A100) serves at BF16, with the mixture of experts spread over twice the nodes to hold its
/// 16-bit weights.
fn scenario(platform: &str, platform_file: &str) -> String {
    let template = std::fs::read_to_string(crate_dir().join("tests/fixtures/templates/one-platform.toml")).unwrap();
    let mut text = template.replace("PLATFORM", platform);
    let has_fp8 = platform_file
        .lines()
        .map(str::trim_start)
        .any(|l| l.starts_with("fp8_dense_tflops") || l == "[fp8_dense_tflops]");
    if !has_fp8 {
        text = text
            .replace("precision = \"fp8\"", "precision = \"bf16\"")
            .replace("decode_nodes = 2", "decode_nodes = 4")
            .replace("prefill_nodes = 2", "prefill_nodes = 4");
    }
    text
}

/// `command` on the template scenario with `platform` (see [`scenario`]), from `dir` (so both runs
/// name the scenario file alike), with `extra` arguments.
fn run(dir: &Path, command: &str, platform: &str, platform_file: &str, extra: &[&str]) -> String {
    std::fs::write(dir.join("scenario.toml"), scenario(platform, platform_file)).unwrap();
    stdout_of(gigawatt_in(dir).args([command, "scenario.toml", "--format", "json", "--no-record"]).args(extra))
}

#[test]
fn a_copy_of_each_bundled_platform_under_a_new_id_gives_the_same_results() {
    let platforms = bundled_platforms();
    assert!(!platforms.is_empty());
    for (id, text) in platforms {
        let copy_id = format!("copy-of-{id}");
        let bundled_dir = tempfile::tempdir().unwrap();
        let copy_dir = tempfile::tempdir().unwrap();
        let copy_file = copy_dir.path().join("copy.toml");
        let copied = text.replacen(&format!("id = \"{id}\""), &format!("id = \"{copy_id}\""), 1);
        assert_ne!(copied, text, "{id}: the file's id line");
        std::fs::write(&copy_file, copied).unwrap();
        let catalog = ["--catalog", copy_file.to_str().unwrap()];
        for command in ["plan", "simulate", "capacity"] {
            let want = run(bundled_dir.path(), command, &id, &text, &[]);
            let got = run(copy_dir.path(), command, &copy_id, &text, &catalog)
                .replace(&copy_id, &id)
                .replace(copy_file.to_str().unwrap(), &format!("<bundled>/catalog/platforms/{id}.toml"));
            if got != want {
                let line = want.lines().zip(got.lines()).position(|(a, b)| a != b).unwrap_or(0);
                let show = |s: &str| s.lines().skip(line.saturating_sub(3)).take(7).collect::<Vec<_>>().join("\n");
                panic!(
                    "`{command}` on a copy of {id} differs from line {}:\n--- bundled\n{}\n--- copy\n{}",
                    line + 1,
                    show(&want),
                    show(&got)
                );
            }
        }
    }
}

#[test]
fn the_catalog_spans_generations_and_vendors() {
    // The test above runs every bundled platform; these are the ones issue 11 asked for, so that
    // removing one (or renaming its file) is a visible change.
    let ids: Vec<String> = bundled_platforms().into_iter().map(|(id, _)| id).collect();
    for id in
        ["a100-hgx", "h800-hgx", "mi300x", "mi355x", "mi450-helios", "tpu-v5p", "tpu-ironwood", "trn2-ultraserver"]
    {
        assert!(ids.iter().any(|i| i == id), "{id} is not bundled: {ids:?}");
    }
}
