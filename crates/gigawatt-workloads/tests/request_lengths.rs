//! `[demand] request_lengths`: a plain message's tokens from a bundled request trace.

use gigawatt_core::{Catalog, SourceFile, load_scenario};

fn seed_with(demand_lines: &str) -> SourceFile {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let text = std::fs::read_to_string(root.join("scenarios/nvidia-openai-10gw.toml")).unwrap();
    let kept: Vec<&str> = text
        .lines()
        .filter(|l| !l.starts_with("output_tokens_per_message") && !l.starts_with("input_tokens_per_message"))
        .collect();
    let text = kept.join("\n").replacen("[demand]\n", &format!("[demand]\n{demand_lines}\n"), 1);
    SourceFile::new("scenarios/nvidia-openai-10gw.toml", text)
}

fn capacity(file: &SourceFile) -> Result<gigawatt_workloads::Capacity, gigawatt_core::InputError> {
    let cat = Catalog::bundled().unwrap();
    gigawatt_workloads::capacity(&load_scenario(file, &cat).unwrap(), &cat)
}

#[test]
fn the_azure_trace_sets_a_plain_messages_tokens_as_sourced_inputs() {
    let c = capacity(&seed_with("request_lengths = \"azure-llm-2023-conversation\"")).unwrap();
    let input = c.inputs.iter().find(|r| r.key == "demand.input_tokens_per_message").unwrap();
    let output = c.inputs.iter().find(|r| r.key == "demand.output_tokens_per_message").unwrap();
    // The trace's means (operations.md §3: 1,155 in, 211 out).
    assert!((input.central - 1155.0).abs() < 1.0, "{input:?}");
    assert!((output.central - 211.0).abs() < 1.0, "{output:?}");
    assert!(input.sourced && output.sourced);
    assert!(input.provenance.sources[0].contains("19366 requests"), "{:?}", input.provenance);
    assert!(c.assumptions.iter().all(|r| !r.key.ends_with("tokens_per_message")));
    // A serving deployment of the plain message uses them.
    assert!(c.inference.iter().all(|r| (r.output_tokens - output.central).abs() < 1e-9));
    // The code trace is another service: much shorter answers.
    let code = capacity(&seed_with("request_lengths = \"azure-llm-2023-code\"")).unwrap();
    let out = code.inputs.iter().find(|r| r.key == "demand.output_tokens_per_message").unwrap();
    assert!(out.central < 30.0, "{out:?}");
}

#[test]
fn a_trace_and_token_counts_together_or_an_unknown_trace_are_located_errors() {
    let both = seed_with("request_lengths = \"azure-llm-2023-code\"\noutput_tokens_per_message = 500");
    let e = capacity(&both).unwrap_err();
    assert!(e.to_string().contains("not both"), "{e}");
    let line = both.text.lines().position(|l| l.starts_with("request_lengths")).unwrap() + 1;
    assert_eq!(e.location().unwrap().1, line);
    let e = capacity(&seed_with("request_lengths = \"azure-2099\"")).unwrap_err();
    assert!(e.to_string().contains("no bundled request trace is called `azure-2099`"), "{e}");
    assert!(format!("{e:?}").contains("azure-llm-2023-conversation"), "{e:?}");
}
