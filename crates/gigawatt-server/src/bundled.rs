//! The scenarios shipped in `scenarios/`, compiled into the binary so the dashboard needs no
//! files. A test checks that every file in `scenarios/` is listed here.

use serde::Serialize;

/// A bundled scenario.
#[derive(Clone, Copy, Debug)]
pub struct Scenario {
    /// Identifier: the file stem (`nvidia-openai-10gw`).
    pub id: &'static str,
    /// Path in the repository (`scenarios/nvidia-openai-10gw.toml`).
    pub file: &'static str,
    /// The TOML text.
    pub toml: &'static str,
}

/// Every bundled scenario; the seed scenario first.
pub const SCENARIOS: &[Scenario] = &[
    Scenario {
        id: "nvidia-openai-10gw",
        file: "scenarios/nvidia-openai-10gw.toml",
        toml: include_str!("../../../scenarios/nvidia-openai-10gw.toml"),
    },
    Scenario {
        id: "nvidia-openai-10gw-gb300",
        file: "scenarios/nvidia-openai-10gw-gb300.toml",
        toml: include_str!("../../../scenarios/nvidia-openai-10gw-gb300.toml"),
    },
    Scenario {
        id: "llama3-405b-16k",
        file: "scenarios/llama3-405b-16k.toml",
        toml: include_str!("../../../scenarios/llama3-405b-16k.toml"),
    },
    Scenario {
        id: "openai-2024-compute",
        file: "scenarios/openai-2024-compute.toml",
        toml: include_str!("../../../scenarios/openai-2024-compute.toml"),
    },
];

/// What `GET /api/scenarios` lists for a scenario.
#[derive(Clone, Debug, Serialize)]
pub struct ScenarioInfo {
    /// Identifier.
    pub id: &'static str,
    /// Path in the repository.
    pub file: &'static str,
    /// The scenario's `name`.
    pub name: String,
    /// The scenario's `description`, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The TOML text.
    pub toml: &'static str,
}

impl Scenario {
    /// Its listing, with name and description read from the TOML.
    pub fn info(&self) -> ScenarioInfo {
        let table: Option<toml_header::Header> = toml_header::read(self.toml);
        ScenarioInfo {
            id: self.id,
            file: self.file,
            name: table.as_ref().map_or_else(|| self.id.to_string(), |t| t.name.clone()),
            description: table.and_then(|t| t.description),
            toml: self.toml,
        }
    }
}

/// The bundled scenario with this id.
pub fn find(id: &str) -> Option<&'static Scenario> {
    SCENARIOS.iter().find(|s| s.id == id)
}

mod toml_header {
    /// The name and description of a scenario, read leniently (the full check happens on plan).
    pub struct Header {
        pub name: String,
        pub description: Option<String>,
    }

    pub fn read(text: &str) -> Option<Header> {
        let value: toml::Table = text.parse().ok()?;
        Some(Header {
            name: value.get("name")?.as_str()?.to_string(),
            description: value.get("description").and_then(|d| d.as_str()).map(str::to_string),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_in_scenarios_is_bundled() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../scenarios");
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| n.ends_with(".toml"))
            .map(|n| format!("scenarios/{n}"))
            .collect();
        files.sort();
        let mut bundled: Vec<String> = SCENARIOS.iter().map(|s| s.file.to_string()).collect();
        bundled.sort();
        assert_eq!(files, bundled, "add new scenario files to SCENARIOS");
        for s in SCENARIOS {
            assert_eq!(s.file, format!("scenarios/{}.toml", s.id));
            assert!(!s.info().name.is_empty());
        }
    }
}
