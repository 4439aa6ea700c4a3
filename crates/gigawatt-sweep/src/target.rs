//! Where an axis writes its value: a key of the scenario (checked against the scenario schema,
//! so a key the file does not set yet, such as `phase[0].pue`, is allowed), or a field of a
//! platform file (`platform["vr-nvl144"].system_price_usd`).
//!
//! Each point's value is written into the base scenario's TOML (or a copy of the platform's
//! file) and the result goes through the normal loaders, so every value meets the same
//! validation as a value typed into the file. A number written into a quantity becomes
//! `{ value = …, assumption = "swept: … in SWEEP" }`: reports list it as an assumption.

use gigawatt_core::InputError;
use gigawatt_core::catalog::Field;
use gigawatt_core::error::{KeyPath, SourceFile, closest};
use gigawatt_core::schema::meta::{Kind, Section};
use gigawatt_core::schema::scenario::ScenarioFile;

use crate::path::{Path, Step, step_text};

/// One concrete step into the scenario document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Concrete {
    /// A table key.
    Key(String),
    /// An array index.
    Index(usize),
}

/// A resolved path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// A key of the scenario.
    Scenario {
        /// Keys and indices from the top (names resolved to indices).
        steps: Vec<Concrete>,
        /// Whether the key holds a quantity (numbers are written with their provenance).
        quantity: bool,
        /// The path with names resolved (`phase[0].pue`): the key of the model's input.
        key: String,
    },
    /// A field of a platform file.
    Platform {
        /// The platform id.
        id: String,
        /// The field's key (`system_price_usd`).
        field: String,
    },
    /// A replay sweep's option (`replay.policy`): a key of its `[replay]` table.
    Option {
        /// The key.
        key: String,
    },
    /// A key of a replay sweep's cluster spec or synthetic trace spec (`cluster.group[0].nodes`,
    /// `trace.arrivals.rate_per_hour`).
    Spec {
        /// Which file.
        doc: SpecDoc,
        /// Keys and indices from the top (names resolved to indices).
        steps: Vec<Concrete>,
        /// The path with names resolved.
        key: String,
    },
}

/// The spec files a replay sweep can write into.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SpecDoc {
    /// The cluster spec (`[[group]]`).
    Cluster,
    /// The synthetic trace spec.
    Trace,
}

impl Target {
    /// The key of the model input this target sets (`phase[0].pue`, `catalog.vr-nvl144.system_price_usd`),
    /// where the model registers one.
    pub fn param_key(&self) -> String {
        match self {
            Target::Scenario { key, .. } => key.clone(),
            Target::Platform { id, field } => format!("catalog.{id}.{field}"),
            Target::Option { key } => format!("replay.{key}"),
            Target::Spec { doc: SpecDoc::Cluster, key, .. } => format!("cluster.{key}"),
            Target::Spec { doc: SpecDoc::Trace, key, .. } => format!("trace.{key}"),
        }
    }
}

fn list(items: &[String]) -> String {
    items.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", ")
}

/// The `name` of each element of an array of tables (`phase N` for a phase without one).
fn element_names(key: &str, items: &[toml::Value]) -> Vec<Option<String>> {
    items
        .iter()
        .enumerate()
        .map(|(i, v)| {
            v.get("name")
                .and_then(|n| n.as_str())
                .map(str::to_string)
                .or_else(|| (key == "phase").then(|| format!("phase {}", i + 1)))
        })
        .collect()
}

/// Resolves `path` against the base scenario `doc` and the platform files `platforms`
/// (bundled then the user's); errors are located at `at` in the sweep file.
pub fn resolve(
    path: &Path,
    doc: &toml::Table,
    platforms: &[(String, SourceFile)],
    sweep: &SourceFile,
    at: &KeyPath,
) -> Result<Target, InputError> {
    let fail = |msg: String, help: String| Err(InputError::at(sweep, at, format!("`{path}`: {msg}")).with_help(help));
    if path.steps.first() == Some(&Step::Key("platform".to_string())) {
        let id = match path.steps.get(1) {
            Some(Step::Name(id) | Step::Key(id)) => id.clone(),
            _ => {
                return fail(
                    "`platform` takes a platform id".into(),
                    "e.g. platform[\"vr-nvl144\"].system_price_usd".into(),
                );
            }
        };
        if !platforms.iter().any(|(pid, _)| *pid == id) {
            let ids: Vec<String> = platforms.iter().map(|(p, _)| p.clone()).collect();
            let help = match closest(&id, ids.iter().map(String::as_str)) {
                Some(best) => format!("did you mean `{best}`? `gigawatt catalog` lists every platform"),
                None => format!("known platforms: {}", ids.join(", ")),
            };
            return fail(format!("unknown platform `{id}`"), help);
        }
        let keys: Vec<String> = Field::ALL.iter().map(|f| f.key().to_string()).collect();
        let field = match (path.steps.get(2), path.steps.len()) {
            (Some(Step::Key(f)), 3) if keys.contains(f) => f.clone(),
            (Some(Step::Key(f)), 3) => {
                let help = match closest(f, keys.iter().map(String::as_str)) {
                    Some(best) => format!("did you mean `{best}`? a platform file's numbers are {}", list(&keys)),
                    None => format!("a platform file's numbers are {}", list(&keys)),
                };
                return fail(format!("unknown platform field `{f}`"), help);
            }
            _ => {
                return fail(
                    "a platform path names one field".into(),
                    format!("e.g. platform[\"{id}\"].system_price_usd; fields: {}", list(&keys)),
                );
            }
        };
        return Ok(Target::Platform { id, field });
    }

    let mut section: &Section = &ScenarioFile::SECTION;
    let mut cur: Option<&toml::Table> = Some(doc);
    let mut steps = Vec::new();
    let mut key_text = String::new();
    let mut i = 0;
    while i < path.steps.len() {
        let last = i + 1 == path.steps.len();
        let Step::Key(k) = &path.steps[i] else {
            return fail(
                format!(
                    "{} is a table, which takes a key, not {}",
                    where_(&key_text),
                    step_text(&path.steps[i], false)
                ),
                format!(
                    "{} takes {}",
                    section.title,
                    section.keys().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
                ),
            );
        };
        let Some(field) = section.fields.iter().find(|f| f.key == k) else {
            let mut known: Vec<&str> = section.keys().collect();
            if key_text.is_empty() {
                known.push("platform");
            }
            let all = known.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ");
            let help = match closest(k, known.iter().copied()) {
                Some(best) => format!("did you mean `{best}`? {} takes {all}", section.title),
                None => format!("{} takes {all}", section.title),
            };
            return fail(format!("unknown key `{k}` in {}", section.title), help);
        };
        steps.push(Concrete::Key(k.clone()));
        key_text.push_str(&step_text(&path.steps[i], key_text.is_empty()));
        let value = cur.and_then(|t| t.get(k.as_str()));
        match field.kind {
            Kind::Table(sub) => {
                if last {
                    return fail(
                        format!("`{key_text}` is a table: name one of its keys"),
                        format!(
                            "{} takes {}",
                            sub.title,
                            sub.keys().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
                        ),
                    );
                }
                section = sub;
                cur = value.and_then(|v| v.as_table());
                i += 1;
            }
            Kind::Tables(sub) => {
                let items: &[toml::Value] = value.and_then(|v| v.as_array()).map_or(&[], |a| a.as_slice());
                let names = element_names(k, items);
                let index = match path.steps.get(i + 1) {
                    Some(Step::Index(n)) if *n < items.len() => *n,
                    Some(Step::Index(n)) => {
                        return fail(
                            format!("the scenario has {} {}, so no [{n}]", items.len(), sub.title),
                            "indices count from 0".into(),
                        );
                    }
                    Some(Step::Name(name)) => match names.iter().position(|n| n.as_deref() == Some(name.as_str())) {
                        Some(idx) => idx,
                        None => {
                            let known: Vec<String> = names.iter().flatten().cloned().collect();
                            let help = match closest(name, known.iter().map(String::as_str)) {
                                Some(best) => {
                                    format!("did you mean `{best}`? the scenario's {} are {}", sub.title, list(&known))
                                }
                                None if known.is_empty() => format!("the scenario has no {} with a name", sub.title),
                                None => format!("the scenario's {} are {}", sub.title, list(&known)),
                            };
                            return fail(format!("no {} named `{name}`", sub.title), help);
                        }
                    },
                    _ => {
                        return fail(
                            format!("`{key_text}` is an array of tables: pick one by [index] or [\"name\"]"),
                            format!("e.g. {k}[0] or {k}[\"…\"]"),
                        );
                    }
                };
                if i + 2 >= path.steps.len() {
                    return fail(
                        format!("`{key_text}[{index}]` is a table: name one of its keys"),
                        format!(
                            "{} takes {}",
                            sub.title,
                            sub.keys().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
                        ),
                    );
                }
                steps.push(Concrete::Index(index));
                key_text.push_str(&format!("[{index}]"));
                section = sub;
                cur = items.get(index).and_then(|v| v.as_table());
                i += 2;
            }
            Kind::Input | Kind::Value => {
                if !last {
                    return fail(
                        format!("`{key_text}` holds a value, not a table"),
                        format!("end the path at `{key_text}`"),
                    );
                }
                return Ok(Target::Scenario { steps, quantity: matches!(field.kind, Kind::Input), key: key_text });
            }
            Kind::InputMap | Kind::Inputs(_) => {
                let sub = match path.steps.get(i + 1) {
                    Some(Step::Key(s) | Step::Name(s)) if i + 2 == path.steps.len() => s.clone(),
                    _ => {
                        return fail(
                            format!("`{key_text}` is a table of inputs: name one, and end the path there"),
                            format!("e.g. {key_text}.<key>"),
                        );
                    }
                };
                if let Kind::Inputs(specs) = field.kind
                    && !specs.iter().any(|s| s.key == sub)
                {
                    let keys: Vec<String> = specs.iter().map(|s| s.key.to_string()).collect();
                    let help = match closest(&sub, keys.iter().map(String::as_str)) {
                        Some(best) => format!("did you mean `{best}`? `{key_text}` takes {}", list(&keys)),
                        None => format!("`{key_text}` takes {}", list(&keys)),
                    };
                    return fail(format!("unknown key `{sub}` in `{key_text}`"), help);
                }
                key_text.push('.');
                key_text.push_str(&sub);
                steps.push(Concrete::Key(sub));
                return Ok(Target::Scenario { steps, quantity: true, key: key_text });
            }
        }
    }
    fail("the path ends before a value".into(), "name a key that holds a value".into())
}

/// What a replay sweep's paths may write into.
pub struct ReplayDocs<'a> {
    /// The cluster when it is a scenario (its keys and the platforms' fields resolve as a
    /// scenario sweep's do).
    pub cluster_scenario: Option<&'a toml::Table>,
    /// The cluster spec, when the cluster is one.
    pub cluster_spec: Option<&'a toml::Table>,
    /// The synthetic trace spec, when the trace is one.
    pub trace_spec: Option<&'a toml::Table>,
    /// The platform files (bundled then the user's).
    pub platforms: &'a [(String, SourceFile)],
}

/// Resolves a replay sweep's `path`: `replay.KEY` (an option), `cluster.…` (a key of the cluster's
/// scenario or spec), `platform["ID"].FIELD` (when the cluster is a scenario), `trace.…` (a key of
/// a synthetic trace spec).
pub fn resolve_replay(path: &Path, docs: &ReplayDocs, sweep: &SourceFile, at: &KeyPath) -> Result<Target, InputError> {
    let fail = |msg: String, help: String| Err(InputError::at(sweep, at, format!("`{path}`: {msg}")).with_help(help));
    let rest = Path { text: path.text.clone(), steps: path.steps.get(1..).unwrap_or_default().to_vec() };
    let first = match path.steps.first() {
        Some(Step::Key(k)) => k.as_str(),
        _ => "",
    };
    match first {
        "replay" => match rest.steps.as_slice() {
            [Step::Key(k)] if crate::replay::OPTION_KEYS.contains(&k.as_str()) => Ok(Target::Option { key: k.clone() }),
            [Step::Key(k)] => {
                let keys: Vec<String> = crate::replay::OPTION_KEYS.iter().map(|k| k.to_string()).collect();
                let help = match closest(k, crate::replay::OPTION_KEYS.iter().copied()) {
                    Some(best) => format!("did you mean `{best}`? [replay] takes {}", list(&keys)),
                    None => format!("[replay] takes {}", list(&keys)),
                };
                fail(format!("unknown key `{k}` in [replay]"), help)
            }
            _ => fail("a replay option is one key".into(), "e.g. replay.policy or replay.checkpoint_interval".into()),
        },
        "cluster" if rest.steps.is_empty() => {
            fail("name a key of the cluster".into(), "e.g. cluster.group[0].nodes".into())
        }
        "cluster" => match (docs.cluster_scenario, docs.cluster_spec) {
            (Some(scenario), _) => match resolve(&rest, scenario, docs.platforms, sweep, at)? {
                Target::Platform { .. } => fail(
                    "a platform is not a key of the cluster".into(),
                    "write platform[\"ID\"].FIELD at the top of the path".into(),
                ),
                t => Ok(t),
            },
            (None, Some(spec)) => {
                let (steps, key) = resolve_in(&rest, spec, "the cluster spec", sweep, at)?;
                Ok(Target::Spec { doc: SpecDoc::Cluster, steps, key })
            }
            (None, None) => fail("the cluster has no keys to sweep".into(), String::new()),
        },
        "platform" if docs.cluster_scenario.is_some() => resolve(path, &toml::Table::new(), docs.platforms, sweep, at),
        "platform" => fail(
            "a cluster spec names no platform".into(),
            "sweep the spec's own keys (cluster.group[0].nodes), or replay on a scenario".into(),
        ),
        "trace" => match docs.trace_spec {
            Some(_) if rest.steps.is_empty() => {
                fail("name a key of the synthetic spec".into(), "e.g. trace.arrivals.rate_per_hour".into())
            }
            Some(spec) => {
                let (steps, key) = resolve_in(&rest, spec, "the synthetic trace spec", sweep, at)?;
                Ok(Target::Spec { doc: SpecDoc::Trace, steps, key })
            }
            None => fail(
                "the trace is a recorded trace, which has no keys to sweep".into(),
                "a synthetic spec (.toml) has: sweep its jobs, arrivals, sizes or durations".into(),
            ),
        },
        _ => {
            let roots = ["replay", "cluster", "trace", "platform"];
            let help = match closest(first, roots.iter().copied()) {
                Some(best) => {
                    format!("did you mean `{best}`? a replay sweep's paths start with replay., cluster. or trace.")
                }
                None => {
                    "a replay sweep's paths start with replay., cluster. or trace. (e.g. replay.policy)".to_string()
                }
            };
            fail(format!("unknown key `{first}`"), help)
        }
    }
}

/// Resolves `path` in a spec file's document `doc` (`what` names it): every table and element
/// on the way must exist; the last key may be absent (the spec's loader checks it with the
/// point's value). Returns the steps and the path with names resolved.
pub fn resolve_in(
    path: &Path,
    doc: &toml::Table,
    what: &str,
    sweep: &SourceFile,
    at: &KeyPath,
) -> Result<(Vec<Concrete>, String), InputError> {
    let fail = |msg: String, help: String| Err(InputError::at(sweep, at, format!("`{path}`: {msg}")).with_help(help));
    let mut cur: Option<&toml::Value> = None;
    let mut steps = Vec::new();
    let mut key_text = String::new();
    for (i, step) in path.steps.iter().enumerate() {
        let last = i + 1 == path.steps.len();
        let table = match cur {
            None => Some(doc),
            Some(v) => v.as_table(),
        };
        let next = match (step, table, cur) {
            (Step::Key(k), Some(t), _) => match t.get(k.as_str()) {
                Some(v) => Some(v),
                None if last => None,
                None => {
                    let keys: Vec<String> = t.keys().cloned().collect();
                    let help = match closest(k, keys.iter().map(String::as_str)) {
                        Some(best) => format!("did you mean `{best}`? {} has {}", place(&key_text, what), list(&keys)),
                        None => format!("{} has {}", place(&key_text, what), list(&keys)),
                    };
                    return fail(format!("no key `{k}` in {}", place(&key_text, what)), help);
                }
            },
            (Step::Index(n), _, Some(toml::Value::Array(items))) => match items.get(*n) {
                Some(v) => Some(v),
                None => {
                    return fail(
                        format!("`{key_text}` has {} elements, so no [{n}]", items.len()),
                        "indices count from 0".into(),
                    );
                }
            },
            (Step::Name(name), _, Some(toml::Value::Array(items))) => {
                let names: Vec<&str> = items.iter().filter_map(|v| v.get("name").and_then(|n| n.as_str())).collect();
                match items.iter().position(|v| v.get("name").and_then(|n| n.as_str()) == Some(name.as_str())) {
                    Some(n) => {
                        steps.push(Concrete::Index(n));
                        key_text.push_str(&format!("[{n}]"));
                        cur = items.get(n);
                        continue;
                    }
                    None => {
                        let owned: Vec<String> = names.iter().map(|s| s.to_string()).collect();
                        let help = match closest(name, names.iter().copied()) {
                            Some(best) => format!("did you mean `{best}`? the names are {}", list(&owned)),
                            None => format!("the names are {}", list(&owned)),
                        };
                        return fail(format!("no element named `{name}` in `{key_text}`"), help);
                    }
                }
            }
            (step, _, _) => {
                let holds = match cur {
                    Some(toml::Value::Array(_)) => "an array: pick an element by [index] or [\"name\"]",
                    Some(toml::Value::Table(_)) => "a table: name one of its keys",
                    _ => "a value, not a table",
                };
                return fail(
                    format!("{} is {holds}, so not {}", place(&key_text, what), step_text(step, key_text.is_empty())),
                    format!("end the path at `{key_text}`, or follow the file's structure"),
                );
            }
        };
        match step {
            Step::Index(n) => {
                steps.push(Concrete::Index(*n));
                key_text.push_str(&format!("[{n}]"));
            }
            Step::Key(k) | Step::Name(k) => {
                steps.push(Concrete::Key(k.clone()));
                key_text.push_str(&step_text(step, key_text.is_empty()));
            }
        }
        cur = next;
    }
    match cur {
        Some(toml::Value::Table(t)) => {
            let keys: Vec<String> = t.keys().cloned().collect();
            fail(format!("`{key_text}` is a table: name one of its keys"), format!("it has {}", list(&keys)))
        }
        Some(toml::Value::Array(_)) => {
            fail(format!("`{key_text}` is an array: pick one element"), format!("e.g. {key_text}[0]"))
        }
        _ if key_text.is_empty() => fail("the path ends before a value".into(), "name a key that holds a value".into()),
        _ => Ok((steps, key_text)),
    }
}

fn place(key_text: &str, what: &str) -> String {
    if key_text.is_empty() { what.to_string() } else { format!("`{key_text}`") }
}

/// Writes `value` at `steps` into a spec's document (tables and elements exist: the path was
/// resolved against it; the last key may be new).
pub fn set_in_doc(doc: &mut toml::Table, steps: &[Concrete], value: &toml::Value) {
    fn go(cur: &mut toml::Value, steps: &[Concrete], value: &toml::Value) {
        let Some((first, rest)) = steps.split_first() else {
            *cur = value.clone();
            return;
        };
        let next = match (first, cur) {
            (Concrete::Key(k), toml::Value::Table(t)) => t.entry(k.clone()).or_insert(toml::Value::Boolean(false)),
            (Concrete::Index(i), toml::Value::Array(a)) => match a.get_mut(*i) {
                Some(v) => v,
                None => return,
            },
            _ => return,
        };
        go(next, rest, value);
    }
    let mut root = toml::Value::Table(std::mem::take(doc));
    go(&mut root, steps, value);
    if let toml::Value::Table(t) = root {
        *doc = t;
    }
}

fn where_(key_text: &str) -> String {
    if key_text.is_empty() { "the top level".to_string() } else { format!("`{key_text}`") }
}

/// The value to write: a number into a quantity carries its provenance.
fn written(value: &toml::Value, quantity: bool, note: &str) -> toml::Value {
    match value {
        toml::Value::Integer(_) | toml::Value::Float(_) if quantity => {
            let mut t = toml::Table::new();
            t.insert("value".into(), value.clone());
            t.insert("assumption".into(), toml::Value::String(note.to_string()));
            toml::Value::Table(t)
        }
        other => other.clone(),
    }
}

/// Writes `value` at `steps` into `doc`, creating tables on the way.
pub fn set_in_scenario(doc: &mut toml::Table, steps: &[Concrete], quantity: bool, value: &toml::Value, note: &str) {
    let mut table = doc;
    for (n, step) in steps.iter().enumerate() {
        let last = n + 1 == steps.len();
        match step {
            Concrete::Key(k) if last => {
                table.insert(k.clone(), written(value, quantity, note));
                return;
            }
            Concrete::Key(k) => {
                let next_is_index = matches!(steps.get(n + 1), Some(Concrete::Index(_)));
                let entry = table.entry(k.clone()).or_insert_with(|| {
                    if next_is_index { toml::Value::Array(Vec::new()) } else { toml::Value::Table(toml::Table::new()) }
                });
                if next_is_index {
                    let Some(Concrete::Index(i)) = steps.get(n + 1) else { return };
                    let Some(toml::Value::Table(t)) = entry.as_array_mut().and_then(|a| a.get_mut(*i)) else { return };
                    table = t;
                } else {
                    if !entry.is_table() {
                        *entry = toml::Value::Table(toml::Table::new());
                    }
                    let toml::Value::Table(t) = entry else { return };
                    table = t;
                }
            }
            Concrete::Index(_) => {}
        }
    }
}

/// Writes `value` as `field` of a platform file's table.
pub fn set_in_platform(doc: &mut toml::Table, field: &str, value: &toml::Value, note: &str) {
    doc.insert(field.to_string(), written(value, true, note));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc() -> toml::Table {
        toml::from_str(
            "name = \"x\"\n[[phase]]\nname = \"GW 1\"\nonline = \"2026-H2\"\nplatform = \"vr-nvl144\"\npower_gw = 1\n\
             [[job]]\nname = \"big run\"\ngpus = 8\n",
        )
        .unwrap()
    }

    fn resolve_text(p: &str) -> Result<Target, InputError> {
        let sweep = SourceFile::new("s.toml", "[[axis]]\npath = \"x\"\n");
        let platforms = vec![("vr-nvl144".to_string(), SourceFile::new("vr.toml", "id = \"vr-nvl144\"\n"))];
        resolve(&Path::parse(p).unwrap(), &doc(), &platforms, &sweep, &KeyPath::root().key("axis").index(0).key("path"))
    }

    #[test]
    fn names_resolve_to_indices_and_absent_keys_are_allowed() {
        let t = resolve_text("job[\"big run\"].checkpoint_write_s").unwrap();
        assert_eq!(t.param_key(), "job[0].checkpoint_write_s");
        let t = resolve_text("phase[\"GW 1\"].pue").unwrap();
        let Target::Scenario { steps, quantity, .. } = &t else { panic!() };
        assert!(quantity);
        let mut d = doc();
        set_in_scenario(&mut d, steps, *quantity, &toml::Value::Float(1.2), "swept");
        assert_eq!(d["phase"][0]["pue"]["value"].as_float(), Some(1.2));
        let t = resolve_text("costs.electricity_usd_per_mwh").unwrap();
        let Target::Scenario { steps, .. } = &t else { panic!() };
        set_in_scenario(&mut d, steps, true, &toml::Value::Integer(60), "swept");
        assert_eq!(d["costs"]["electricity_usd_per_mwh"]["value"].as_integer(), Some(60));
        assert_eq!(
            resolve_text("platform[\"vr-nvl144\"].system_price_usd").unwrap().param_key(),
            "catalog.vr-nvl144.system_price_usd"
        );
    }

    #[test]
    fn unknown_keys_name_the_closest() {
        let e = resolve_text("phase[0].peu").unwrap_err();
        assert!(e.help.as_deref().unwrap().contains("did you mean `pue`"), "{e:?}");
        assert_eq!(e.location().map(|(_, l, c)| (l, c)), Some((2, 8)));
        let e = resolve_text("job[\"big rn\"].gpus").unwrap_err();
        assert!(e.help.as_deref().unwrap().contains("did you mean `big run`"), "{e:?}");
        let e = resolve_text("phase[3].pue").unwrap_err();
        assert!(e.message.contains("no [3]"), "{e:?}");
        let e = resolve_text("platform[\"vr-nvl144\"].price_usd").unwrap_err();
        assert!(e.help.as_deref().unwrap().contains("system_price_usd"), "{e:?}");
        let e = resolve_text("platfrm.x").unwrap_err();
        assert!(e.help.as_deref().unwrap().contains("did you mean `platform`"), "{e:?}");
    }
}
