//! The modules of `gigawatt-core` form layers, not a loop: the schema at the bottom, the models
//! above it, the analyses on top. A module that imports one above it fails this test.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Module → the modules of this crate it names (`crate::x`), from the source files.
fn imports() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut graph = BTreeMap::new();
    let mut files: Vec<(String, std::path::PathBuf)> = Vec::new();
    for entry in std::fs::read_dir(&src).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        if path.is_dir() {
            for sub in std::fs::read_dir(&path).unwrap() {
                files.push((name.clone(), sub.unwrap().path()));
            }
        } else if name != "lib" {
            files.push((name, path));
        }
    }
    for (module, path) in files {
        let text = std::fs::read_to_string(&path).unwrap();
        // Code only: unit-test modules and doc comments may name anything.
        let code = text.split("#[cfg(test)]").next().unwrap();
        let deps: &mut BTreeSet<String> = graph.entry(module.clone()).or_default();
        for line in code.lines().filter(|l| !l.trim_start().starts_with("//")) {
            for part in line.split("crate::").skip(1) {
                let dep: String = part.chars().take_while(|c| c.is_ascii_lowercase() || *c == '_').collect();
                if !dep.is_empty() && dep != module && dep != "schema_struct" {
                    deps.insert(dep);
                }
            }
        }
    }
    graph
}

#[test]
fn core_modules_import_each_other_without_a_loop() {
    let graph = imports();
    // Depth-first search for a back edge; report the loop it closes.
    fn visit(
        m: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        done: &mut BTreeSet<String>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = stack.iter().position(|s| s == m) {
            let mut cycle = stack[at..].to_vec();
            cycle.push(m.to_string());
            return Some(cycle);
        }
        if done.contains(m) {
            return None;
        }
        stack.push(m.to_string());
        for d in graph.get(m).into_iter().flatten() {
            if let Some(c) = visit(d, graph, done, stack) {
                return Some(c);
            }
        }
        stack.pop();
        done.insert(m.to_string());
        None
    }
    let mut done = BTreeSet::new();
    for m in graph.keys() {
        if let Some(cycle) = visit(m, &graph, &mut done, &mut Vec::new()) {
            panic!("modules of gigawatt-core import each other in a loop: {}", cycle.join(" → "));
        }
    }
    // The schema is the ground floor: it imports nothing but errors and itself.
    for dep in &graph["schema"] {
        assert!(["error", "schema"].contains(&dep.as_str()), "the schema imports `{dep}`");
    }
}
