//! Reference tables in `docs/` generated from the code that defines the names, so the docs cannot
//! drift from what the parser accepts.
//!
//! A generated block in a Markdown file sits between two markers:
//!
//! ```text
//! <!-- generated: catalog-fields -->
//! | field | unit | … |
//! <!-- end generated: catalog-fields -->
//! ```
//!
//! Each block has a test that calls [`check`]; the test fails when the checked-in text is stale
//! and says how to refresh it: `GIGAWATT_BLESS=1 cargo test` rewrites every stale block.

use std::path::Path;

/// The environment variable that makes [`check`] rewrite a stale block instead of failing.
pub const BLESS_VAR: &str = "GIGAWATT_BLESS";

fn markers(name: &str) -> (String, String) {
    (format!("<!-- generated: {name} -->\n"), format!("<!-- end generated: {name} -->"))
}

/// `doc` with the block `name` replaced by `content`, or `None` when `doc` has no such block.
pub fn replace_block(doc: &str, name: &str, content: &str) -> Option<String> {
    let (begin, end) = markers(name);
    let start = doc.find(&begin)? + begin.len();
    let stop = start + doc[start..].find(&end)?;
    Some(format!("{}{}{}", &doc[..start], content, &doc[stop..]))
}

/// Checks that the block `name` of the Markdown file `path` holds `content`; with
/// `GIGAWATT_BLESS=1` rewrites it instead. Panics (a test failure) on a stale or missing block.
pub fn check(path: &Path, name: &str, content: &str) {
    let doc = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let Some(fresh) = replace_block(&doc, name, content) else {
        let (begin, end) = markers(name);
        panic!("{} has no generated block `{name}`: add the lines {begin:?} and {end:?}", path.display());
    };
    if fresh == doc {
        return;
    }
    if std::env::var(BLESS_VAR).is_ok_and(|v| v == "1") {
        std::fs::write(path, fresh).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
        return;
    }
    panic!(
        "the generated block `{name}` of {} is stale: run `{BLESS_VAR}=1 cargo test` to rewrite it, then review the diff",
        path.display()
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_block_is_replaced_between_its_markers_only() {
        let doc = "intro\n<!-- generated: t -->\nold\n<!-- end generated: t -->\nafter\n";
        let new = replace_block(doc, "t", "new\n").unwrap();
        assert_eq!(new, "intro\n<!-- generated: t -->\nnew\n<!-- end generated: t -->\nafter\n");
        assert_eq!(replace_block(doc, "other", "x"), None);
    }

    #[test]
    fn the_scenario_reference_tables_in_docs_are_current() {
        use crate::schema::scenario::*;
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/scenario.md");
        for (name, section) in [
            ("top-level", ScenarioFile::SECTION),
            ("phase", Phase::SECTION),
            ("site", Site::SECTION),
            ("financing", Financing::SECTION),
            ("announcement", Announcement::SECTION),
            ("uncertainty", Uncertainty::SECTION),
            ("simulation", Simulation::SECTION),
            ("job", Job::SECTION),
            ("failure", FailureClassInput::SECTION),
        ] {
            check(&path, name, &section.reference_table());
        }
        use crate::schema::workloads::*;
        for (name, section) in [
            ("training", Training::SECTION),
            ("training-reliability", TrainingReliability::SECTION),
            ("training-overheads", TrainingOverheads::SECTION),
            ("training-stage", TrainingStage::SECTION),
            ("demand", Demand::SECTION),
            ("demand-users", UserPoint::SECTION),
            ("demand-profile", Profile::SECTION),
            ("demand-tier", Tier::SECTION),
            ("demand-feature", Feature::SECTION),
            ("demand-today", Today::SECTION),
            ("demand-api", DemandApi::SECTION),
            ("demand-api-point", ApiPoint::SECTION),
            ("inference", Inference::SECTION),
            ("inference-deployment", Deployment::SECTION),
            ("allocation", Allocation::SECTION),
        ] {
            check(&path, name, &section.reference_table());
        }
        use crate::schema::operate::*;
        for (name, section) in [
            ("operate", Operate::SECTION),
            ("operate-research", OperateResearch::SECTION),
            ("operate-frontier", OperateFrontier::SECTION),
            ("operate-rl", OperateRl::SECTION),
            ("operate-rl-profile", OperateRlJob::SECTION),
            ("operate-inference", OperateInference::SECTION),
            ("operate-published", OperatePublished::SECTION),
        ] {
            check(&path, name, &section.reference_table());
        }
        use crate::schema::power::*;
        for (name, section) in [
            ("power", Power::SECTION),
            ("power-gpu", PowerGpu::SECTION),
            ("power-job", PowerJob::SECTION),
            ("power-grid", PowerGrid::SECTION),
            ("power-smoothing", PowerSmoothing::SECTION),
            ("power-storage", PowerStorage::SECTION),
            ("power-burn", PowerBurn::SECTION),
        ] {
            check(&path, name, &section.reference_table());
        }
        let defaults = crate::defaults::Defaults::bundled().unwrap();
        check(&path, "phase_defaults", &crate::defaults::reference_table(crate::defaults::PHASE_INPUTS, &defaults));
        check(&path, "costs", &crate::defaults::reference_table(crate::defaults::COST_INPUTS, &defaults));
    }

    #[test]
    fn the_catalog_field_table_in_docs_is_current() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/catalog.md");
        check(&path, "catalog-fields", &crate::catalog::Field::reference_table());
    }
}
