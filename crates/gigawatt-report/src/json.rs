//! JSON output: the result structs as they are, pretty-printed, with a trailing newline.

use serde::Serialize;

/// Serialises any result as pretty JSON followed by a newline.
pub fn to_json<T: Serialize>(value: &T) -> String {
    let mut s = serde_json::to_string_pretty(value).expect("results serialise");
    s.push('\n');
    s
}
