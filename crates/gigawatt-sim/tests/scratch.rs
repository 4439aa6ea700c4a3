use gigawatt_core::plan::evaluate;
use gigawatt_core::{Catalog, SourceFile, load_scenario};
use gigawatt_sim::{SimOptions, Simulation};

#[test]
fn scratch() {
    for name in ["nvidia-openai-10gw.toml"] {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios").join(name);
        let model =
            load_scenario(&SourceFile::new(name, std::fs::read_to_string(path).unwrap()), &Catalog::bundled().unwrap())
                .unwrap();
        let eval = evaluate(&model, &model.params.central());
        let opts = SimOptions { sweep: false, replicas: 1, ..SimOptions::from_model(&model) };
        let sim = Simulation::new(&model, &eval, opts).unwrap();
        let t = std::time::Instant::now();
        let r = sim.run(&model, &|| {});
        eprintln!("{:?}", t.elapsed());
        let mut j = serde_json::to_value(&r).unwrap();
        j["daily"] = serde_json::Value::Null;
        j["inputs"] = serde_json::Value::Null;
        eprintln!("{}", serde_json::to_string_pretty(&j).unwrap());
    }
}
