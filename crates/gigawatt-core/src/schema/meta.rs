//! What each section of a file accepts, as data: the key checker's field lists and the source of
//! the generated reference tables in `docs/`.
//!
//! Every schema struct is declared once with [`schema_struct!`](crate::schema_struct), which
//! writes the serde struct and its [`Section`] from the same definition, so the keys the parser
//! accepts, the "did you mean" suggestions and the documented fields cannot drift apart.

use crate::error::{InputError, KeyPath, SourceFile, closest};

/// What a key holds.
#[derive(Clone, Copy, Debug)]
pub enum Kind {
    /// A plain value (string, number, boolean, or a list of them), checked by serde.
    Value,
    /// A quantity: a bare number (where allowed) or a table with its provenance (see
    /// [`super::Input`]).
    Input,
    /// A table of the given section.
    Table(&'static Section),
    /// An array of tables of the given section (`[[phase]]`).
    Tables(&'static Section),
    /// A table whose keys are names (platform ids, model ids) and whose values are quantities.
    InputMap,
    /// A table of inputs with defaults, keyed by a fixed list (see [`crate::schema::inputs::InputSpec`]).
    Inputs(&'static [crate::schema::inputs::InputSpec]),
}

/// One key of a section.
#[derive(Clone, Copy, Debug)]
pub struct FieldDoc {
    /// The key as written in files.
    pub key: &'static str,
    /// What it holds.
    pub kind: Kind,
    /// Type and unit as the reference shows them (`quantity, GW`).
    pub ty: &'static str,
    /// The default, or `required`.
    pub default: &'static str,
    /// What it means (the field's doc comment).
    pub doc: &'static str,
}

/// A table of a file: its title and its keys.
#[derive(Clone, Copy, Debug)]
pub struct Section {
    /// How the reference names it (`[[phase]]`, `[simulation]`).
    pub title: &'static str,
    /// What it is for (the struct's doc comment).
    pub doc: &'static str,
    /// Its keys, in the order the reference lists them.
    pub fields: &'static [FieldDoc],
}

/// The keys of a quantity table (see `docs/scenario.md`, "Numbers and their provenance").
pub const INPUT_KEYS: &[&str] =
    &["value", "low", "central", "high", "source", "grade", "derived", "assumption", "note"];

impl Section {
    /// The key names, in order.
    pub fn keys(&self) -> impl Iterator<Item = &'static str> + Clone + '_ {
        self.fields.iter().map(|f| f.key)
    }

    /// Checks every key of `table` (at `path`) against this section, recursively: an unknown key
    /// is an error at its line and column naming the closest known key and listing them all.
    pub fn check_keys(&self, file: &SourceFile, path: &KeyPath, table: &toml::Table) -> Result<(), InputError> {
        for (key, value) in table {
            let here = path.key(key);
            let Some(field) = self.fields.iter().find(|f| f.key == key) else {
                return Err(unknown_key(file, &here, key, self.title, self.keys()));
            };
            check_value(file, &here, field.kind, value)?;
        }
        Ok(())
    }

    /// The section's reference table (Markdown), for `docs/`.
    pub fn reference_table(&self) -> String {
        let mut out = String::from("| key | type / unit | default | meaning |\n|---|---|---|---|\n");
        for f in self.fields {
            let doc = f.doc.split('\n').map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(" ");
            out.push_str(&format!("| `{}` | {} | {} | {} |\n", f.key, f.ty, f.default, doc));
        }
        out
    }
}

fn check_value(file: &SourceFile, path: &KeyPath, kind: Kind, value: &toml::Value) -> Result<(), InputError> {
    match (kind, value) {
        (Kind::Table(section), toml::Value::Table(t)) => section.check_keys(file, path, t),
        (Kind::Tables(section), toml::Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                if let toml::Value::Table(t) = item {
                    section.check_keys(file, &path.index(i), t)?;
                }
            }
            Ok(())
        }
        (Kind::Input, toml::Value::Table(t)) => check_input_keys(file, path, t),
        (Kind::InputMap, toml::Value::Table(t)) => {
            for (k, v) in t {
                if let toml::Value::Table(q) = v {
                    check_input_keys(file, &path.key(k), q)?;
                }
            }
            Ok(())
        }
        (Kind::Inputs(specs), toml::Value::Table(t)) => {
            for (k, v) in t {
                let Some(_) = specs.iter().find(|s| s.key == k) else {
                    let section = specs.first().map_or("", |s| s.section);
                    let title = match section {
                        "phase" => "[phase_defaults]",
                        "costs" => "[costs]",
                        _ => section,
                    };
                    return Err(unknown_key(file, &path.key(k), k, title, specs.iter().map(|s| s.key)));
                };
                if let toml::Value::Table(q) = v {
                    check_input_keys(file, &path.key(k), q)?;
                }
            }
            Ok(())
        }
        // Wrong types are serde's to report, with the value's own location.
        _ => Ok(()),
    }
}

/// Checks the keys of a quantity table.
pub fn check_input_keys(file: &SourceFile, path: &KeyPath, table: &toml::Table) -> Result<(), InputError> {
    for key in table.keys() {
        if !INPUT_KEYS.contains(&key.as_str()) {
            return Err(unknown_key(file, &path.key(key), key, "a quantity", INPUT_KEYS.iter().copied()));
        }
    }
    Ok(())
}

/// The error for an unknown key: where it is, the closest known key, and every known key.
pub fn unknown_key<'a>(
    file: &SourceFile,
    path: &KeyPath,
    key: &str,
    title: &str,
    known: impl Iterator<Item = &'a str> + Clone,
) -> InputError {
    let list = known.clone().collect::<Vec<_>>().join(", ");
    let err = InputError::at_key(file, path, format!("unknown field `{key}` in {title}")).with_label("not a known key");
    match closest(key, known) {
        Some(best) => err.with_help(format!("did you mean `{best}`? {title} takes {list}")),
        None => err.with_help(format!("{title} takes {list}")),
    }
}

/// Declares a schema struct — the serde type (`deny_unknown_fields`) and its [`Section`] — from
/// one definition. Each field gives its key as written in files, its Rust type, what it holds
/// ([`Kind`]), its type/unit and default as the reference shows them, and its doc comment:
///
/// ```ignore
/// schema_struct! {
///     /// A `[[phase]]`.
///     pub struct Phase as "[[phase]]" {
///         /// The day the phase is fully online.
///         "online" online: toml::Value => Value, "date", "required";
///     }
/// }
/// ```
#[macro_export]
macro_rules! schema_struct {
    (
        $(#[doc = $sdoc:literal])*
        $vis:vis struct $name:ident as $title:literal {
            $(
                $(#[doc = $fdoc:literal])*
                $(#[serde($($serde:tt)*)])*
                $key:literal $field:ident : $ty:ty => $kind:expr, $tyname:literal, $default:literal;
            )*
        }
    ) => {
        $(#[doc = $sdoc])*
        #[derive(Clone, Debug, serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        $vis struct $name {
            $(
                $(#[doc = $fdoc])*
                #[serde(rename = $key)]
                $(#[serde($($serde)*)])*
                pub $field: $ty,
            )*
        }

        impl $name {
            /// What this section accepts, for the key checker and the generated reference.
            pub const SECTION: $crate::schema::meta::Section = $crate::schema::meta::Section {
                title: $title,
                doc: concat!($($sdoc, "\n"),*),
                fields: &[$(
                    $crate::schema::meta::FieldDoc {
                        key: $key,
                        kind: {
                            #[allow(unused_imports)]
                            use $crate::schema::meta::Kind::*;
                            $kind
                        },
                        ty: $tyname,
                        default: $default,
                        doc: concat!($($fdoc, "\n"),*),
                    }
                ),*],
            };
        }
    };
}

#[cfg(test)]
#[allow(dead_code)] // the test sections' fields are declared to be checked, not read
mod tests {
    use super::*;

    crate::schema_struct! {
        /// A test section.
        struct Inner as "[inner]" {
            /// A number.
            "x" x: Option<f64> => Value, "number", "0";
        }
    }

    crate::schema_struct! {
        /// The test root.
        struct Outer as "the file" {
            /// Items.
            #[serde(default)]
            "item" items: Vec<Inner> => Tables(&Inner::SECTION), "tables", "none";
            /// A quantity.
            "q" q: Option<toml::Value> => Input, "quantity", "none";
        }
    }

    fn check(text: &str) -> Result<(), InputError> {
        let file = SourceFile::new("t.toml", text);
        let table: toml::Table = toml::from_str(text).unwrap();
        Outer::SECTION.check_keys(&file, &KeyPath::root(), &table)
    }

    #[test]
    fn unknown_keys_are_located_and_get_the_closest_known_key() {
        assert!(check("[[item]]\nx = 1\n").is_ok());
        let err = check("q = 1\n[[item]]\nx = 1\n[[item]]\ny = 2\n").unwrap_err();
        assert_eq!(err.location().map(|(_, l, c)| (l, c)), Some((5, 1)));
        assert!(err.message.contains("unknown field `y` in [inner]"), "{}", err.message);
        assert_eq!(err.help.as_deref(), Some("[inner] takes x"));
        let err = check("q = { value = 1, sorce = \"x\" }\n").unwrap_err();
        assert!(err.help.as_deref().unwrap().starts_with("did you mean `source`?"), "{:?}", err.help);
    }

    #[test]
    fn the_serde_field_list_is_the_section_field_list() {
        // serde rejects what the section does not list, and accepts what it lists.
        let ok: Result<Outer, _> = toml::from_str("q = 1\n[[item]]\nx = 1\n");
        assert!(ok.is_ok());
        let bad: Result<Outer, _> = toml::from_str("z = 1\n");
        assert!(bad.is_err());
        assert_eq!(Outer::SECTION.keys().collect::<Vec<_>>(), ["item", "q"]);
    }
}
