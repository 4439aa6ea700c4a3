//! Key paths: where an axis puts its value in the scenario, and where a metric is read from a
//! command's JSON.
//!
//! A path is a chain of keys, array indices and name selectors:
//! `phase[0].pue`, `job["Llama 3.1 405B pre-training"].checkpoint_write_s`,
//! `platform["vr-nvl144"].system_price_usd`, `jobs[0].ettr.mean`. `[N]` picks an element of an
//! array by position (from 0), `["NAME"]` (or `['NAME']`) the element whose `name` key is NAME
//! (`id` for platforms).

use std::fmt;

use gigawatt_core::error::closest;

/// One step of a [`Path`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// A key of a table: `.pue`.
    Key(String),
    /// An element of an array by position: `[0]`.
    Index(usize),
    /// An element of an array of tables by its `name` (or a platform by its `id`): `["GW 1"]`.
    Name(String),
}

/// A parsed path, with the text it was written as.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Path {
    /// The path as written.
    pub text: String,
    /// Its steps.
    pub steps: Vec<Step>,
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

fn is_key_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

impl Path {
    /// Parses `text`; the error says what is wrong and at which character.
    pub fn parse(text: &str) -> Result<Path, String> {
        let chars: Vec<char> = text.chars().collect();
        let mut steps = Vec::new();
        let mut i = 0;
        let key = |i: &mut usize| -> Option<String> {
            let start = *i;
            while *i < chars.len() && is_key_char(chars[*i]) {
                *i += 1;
            }
            (*i > start).then(|| chars[start..*i].iter().collect())
        };
        match key(&mut i) {
            Some(k) => steps.push(Step::Key(k)),
            None => return Err(format!("a path starts with a key, e.g. `phase[0].pue`; found `{text}`")),
        }
        while i < chars.len() {
            match chars[i] {
                '.' => {
                    i += 1;
                    match key(&mut i) {
                        Some(k) => steps.push(Step::Key(k)),
                        None => return Err(format!("a key must follow `.` at character {} of `{text}`", i + 1)),
                    }
                }
                '[' => {
                    i += 1;
                    match chars.get(i) {
                        Some(&q @ ('"' | '\'')) => {
                            let start = i + 1;
                            let Some(len) = chars[start..].iter().position(|&c| c == q) else {
                                return Err(format!("unclosed {q} in `{text}`"));
                            };
                            steps.push(Step::Name(chars[start..start + len].iter().collect()));
                            i = start + len + 1;
                        }
                        Some(c) if c.is_ascii_digit() => {
                            let start = i;
                            while i < chars.len() && chars[i].is_ascii_digit() {
                                i += 1;
                            }
                            let digits: String = chars[start..i].iter().collect();
                            let n = digits.parse().map_err(|_| format!("index `{digits}` is too large"))?;
                            steps.push(Step::Index(n));
                        }
                        _ => {
                            return Err(format!(
                                "`[` takes an index or a quoted name, e.g. [0] or [\"GW 1\"], at character {} of `{text}`",
                                i + 1
                            ));
                        }
                    }
                    if chars.get(i) != Some(&']') {
                        return Err(format!("missing `]` at character {} of `{text}`", i + 1));
                    }
                    i += 1;
                }
                c => return Err(format!("unexpected `{c}` at character {} of `{text}`", i + 1)),
            }
        }
        Ok(Path { text: text.to_string(), steps })
    }

    /// The value at this path in a command's JSON: `Ok` with the value, or `Err` with what is
    /// missing and the closest key that exists where the path left the document.
    pub fn lookup<'v>(&self, root: &'v serde_json::Value) -> Result<&'v serde_json::Value, String> {
        let mut cur = root;
        let mut walked = String::new();
        for step in &self.steps {
            let next = match (step, cur) {
                (Step::Key(k), serde_json::Value::Object(map)) => map.get(k).ok_or_else(|| {
                    let near = closest(k, map.keys().map(String::as_str));
                    let keys: Vec<&str> = map.keys().map(String::as_str).collect();
                    match near {
                        Some(best) => format!("no key `{k}` in {}; did you mean `{best}`?", place(&walked)),
                        None => format!("no key `{k}` in {}; it has {}", place(&walked), list(&keys)),
                    }
                })?,
                (Step::Index(n), serde_json::Value::Array(items)) => items
                    .get(*n)
                    .ok_or_else(|| format!("{} has {} elements, so no [{n}]", place(&walked), items.len()))?,
                (Step::Name(name), serde_json::Value::Array(items)) => {
                    let named = |v: &'v serde_json::Value| v.get("name").and_then(|n| n.as_str());
                    items.iter().find(|v| named(v) == Some(name.as_str())).ok_or_else(|| {
                        let names: Vec<&str> = items.iter().filter_map(named).collect();
                        match closest(name, names.iter().copied()) {
                            Some(best) => {
                                format!("no element named `{name}` in {}; did you mean `{best}`?", place(&walked))
                            }
                            None => format!("no element named `{name}` in {}; names: {}", place(&walked), list(&names)),
                        }
                    })?
                }
                (step, other) => {
                    let what = match other {
                        serde_json::Value::Object(_) => "an object",
                        serde_json::Value::Array(_) => "an array",
                        serde_json::Value::Null => "null",
                        serde_json::Value::Bool(_) => "a boolean",
                        serde_json::Value::Number(_) => "a number",
                        serde_json::Value::String(_) => "a string",
                    };
                    let how = match step {
                        Step::Key(k) => format!("`.{k}`"),
                        Step::Index(n) => format!("`[{n}]`"),
                        Step::Name(n) => format!("`[\"{n}\"]`"),
                    };
                    return Err(format!("{} is {what}, which {how} cannot step into", place(&walked)));
                }
            };
            walked.push_str(&step_text(step, walked.is_empty()));
            cur = next;
        }
        Ok(cur)
    }
}

/// A step as written in a path.
pub(crate) fn step_text(step: &Step, first: bool) -> String {
    match step {
        Step::Key(k) if first => k.clone(),
        Step::Key(k) => format!(".{k}"),
        Step::Index(n) => format!("[{n}]"),
        Step::Name(n) => format!("[\"{n}\"]"),
    }
}

fn place(walked: &str) -> String {
    if walked.is_empty() { "the top level".to_string() } else { format!("`{walked}`") }
}

fn list(items: &[&str]) -> String {
    if items.is_empty() {
        return "nothing".to_string();
    }
    let shown: Vec<String> = items.iter().take(12).map(|k| format!("`{k}`")).collect();
    let more = if items.len() > 12 { format!(" and {} more", items.len() - 12) } else { String::new() };
    format!("{}{more}", shown.join(", "))
}

/// The value of a metric: a number, a boolean as 0 or 1, else nothing.
pub fn metric_value(v: &serde_json::Value) -> Option<f64> {
    match v {
        serde_json::Value::Number(n) => n.as_f64().filter(|x| x.is_finite()),
        serde_json::Value::Bool(b) => Some(f64::from(u8::from(*b))),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_read_keys_indices_and_names() {
        let p = Path::parse(r#"job["GW 1 training"].checkpoint_write_s"#).unwrap();
        assert_eq!(
            p.steps,
            vec![Step::Key("job".into()), Step::Name("GW 1 training".into()), Step::Key("checkpoint_write_s".into())]
        );
        let p = Path::parse("phase[12].pue").unwrap();
        assert_eq!(p.steps, vec![Step::Key("phase".into()), Step::Index(12), Step::Key("pue".into())]);
        assert!(Path::parse("phase[").is_err());
        assert!(Path::parse("phase[x]").is_err());
        assert!(Path::parse(".pue").is_err());
        assert!(Path::parse("phase..pue").is_err());
        assert!(Path::parse("a b").is_err());
    }

    #[test]
    fn lookups_name_the_closest_key_when_they_miss() {
        let json: serde_json::Value =
            serde_json::json!({"totals": {"gpus": 8.0}, "jobs": [{"name": "a", "ettr": {"mean": 0.9}}]});
        assert_eq!(Path::parse("totals.gpus").unwrap().lookup(&json).unwrap(), &serde_json::json!(8.0));
        assert_eq!(Path::parse(r#"jobs["a"].ettr.mean"#).unwrap().lookup(&json).unwrap(), &serde_json::json!(0.9));
        let err = Path::parse("totals.gpu").unwrap().lookup(&json).unwrap_err();
        assert!(err.contains("did you mean `gpus`"), "{err}");
        let err = Path::parse("jobs[3].ettr").unwrap().lookup(&json).unwrap_err();
        assert!(err.contains("1 elements"), "{err}");
    }
}
