//! A small JSON reader that keeps each value's byte span, so that a bad field of a Philly job
//! is reported at its line and column. It reads a top-level array (or a stream of values, one
//! job per line) one element at a time, so a large file is never held as one tree; nesting is
//! limited to [`MAX_DEPTH`] so that no input can exhaust the stack.

use std::ops::Range;

/// Deepest nesting of arrays and objects accepted.
pub(crate) const MAX_DEPTH: usize = 64;

/// A JSON value with its byte span.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Node {
    /// The value.
    pub value: Value,
    /// Its bytes in the text.
    pub span: Range<usize>,
}

/// A JSON value.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Value {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, as written (checked by the caller).
    Number(String),
    /// A string, unescaped.
    String(String),
    /// An array.
    Array(Vec<Node>),
    /// An object's members in order.
    Object(Vec<(String, Node)>),
}

impl Node {
    /// The member `key` of an object.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Object(members) => members.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// What kind of value this is, for messages.
    pub fn kind(&self) -> &'static str {
        match self.value {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::Array(_) => "an array",
            Value::Object(_) => "an object",
        }
    }
}

/// A syntax error: what is wrong, at which byte.
#[derive(Debug, PartialEq)]
pub(crate) struct SyntaxError {
    /// What is wrong.
    pub message: String,
    /// Where.
    pub at: usize,
}

/// Reads the elements of a top-level array, or a stream of top-level values, one at a time.
pub(crate) struct Elements<'a> {
    parser: Parser<'a>,
    in_array: bool,
    started: bool,
    done: bool,
}

impl<'a> Elements<'a> {
    /// The elements of `text`.
    pub fn new(text: &'a str) -> Elements<'a> {
        let mut parser = Parser { text, bytes: text.as_bytes(), pos: 0 };
        if text.starts_with('\u{feff}') {
            parser.pos = 3;
        }
        parser.skip_ws();
        let in_array = parser.peek() == Some(b'[');
        if in_array {
            parser.pos += 1;
        }
        Elements { parser, in_array, started: false, done: false }
    }

    /// The next element, `None` after the last one.
    pub fn next_element(&mut self) -> Result<Option<Node>, SyntaxError> {
        if self.done {
            return Ok(None);
        }
        let p = &mut self.parser;
        p.skip_ws();
        if self.in_array {
            if p.peek() == Some(b']') {
                p.pos += 1;
                self.done = true;
                p.skip_ws();
                return if p.pos < p.bytes.len() { Err(p.error("text after the end of the array")) } else { Ok(None) };
            }
            if self.started {
                p.expect(b',', "`,` or `]` after an element of the array")?;
                p.skip_ws();
            }
        } else if p.pos >= p.bytes.len() {
            self.done = true;
            return Ok(None);
        }
        self.started = true;
        p.value(0).map(Some)
    }
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn error(&self, message: impl Into<String>) -> SyntaxError {
        let found = match self.text.get(self.pos..).and_then(|s| s.chars().next()) {
            Some(c) => format!(", found `{c}`"),
            None => ", found the end of the file".to_string(),
        };
        SyntaxError { message: format!("expected {}{found}", message.into()), at: self.pos }
    }

    fn expect(&mut self, c: u8, what: &str) -> Result<(), SyntaxError> {
        if self.peek() == Some(c) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.error(what))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Node, SyntaxError> {
        if depth > MAX_DEPTH {
            return Err(SyntaxError { message: format!("JSON nested deeper than {MAX_DEPTH} levels"), at: self.pos });
        }
        self.skip_ws();
        let start = self.pos;
        let value = match self.peek() {
            Some(b'{') => self.object(depth)?,
            Some(b'[') => self.array(depth)?,
            Some(b'"') => Value::String(self.string()?),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(b't') => self.word("true", Value::Bool(true))?,
            Some(b'f') => self.word("false", Value::Bool(false))?,
            Some(b'n') => self.word("null", Value::Null)?,
            _ => return Err(self.error("a JSON value")),
        };
        Ok(Node { value, span: start..self.pos })
    }

    fn word(&mut self, word: &str, value: Value) -> Result<Value, SyntaxError> {
        if self.bytes[self.pos..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            Ok(value)
        } else {
            Err(self.error("a JSON value"))
        }
    }

    fn number(&mut self) -> Value {
        let start = self.pos;
        while matches!(self.peek(), Some(b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9')) {
            self.pos += 1;
        }
        Value::Number(self.text[start..self.pos].to_string())
    }

    fn array(&mut self, depth: usize) -> Result<Value, SyntaxError> {
        self.pos += 1;
        let mut items = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Value::Array(items));
        }
        loop {
            items.push(self.value(depth + 1)?);
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Value::Array(items));
                }
                _ => return Err(self.error("`,` or `]` in an array")),
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<Value, SyntaxError> {
        self.pos += 1;
        let mut members = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Value::Object(members));
        }
        loop {
            self.skip_ws();
            if self.peek() != Some(b'"') {
                return Err(self.error("a key in double quotes"));
            }
            let key = self.string()?;
            self.skip_ws();
            self.expect(b':', "`:` after a key")?;
            members.push((key, self.value(depth + 1)?));
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Value::Object(members));
                }
                _ => return Err(self.error("`,` or `}` in an object")),
            }
        }
    }

    fn string(&mut self) -> Result<String, SyntaxError> {
        self.pos += 1;
        let mut out = String::new();
        loop {
            let run = self.bytes[self.pos..].iter().position(|&b| b == b'"' || b == b'\\' || b < 0x20);
            let Some(run) = run else {
                self.pos = self.bytes.len();
                return Err(self.error("`\"` to close the string"));
            };
            out.push_str(&self.text[self.pos..self.pos + run]);
            self.pos += run;
            match self.bytes[self.pos] {
                b'"' => {
                    self.pos += 1;
                    return Ok(out);
                }
                b'\\' => {
                    self.pos += 1;
                    out.push(self.escape()?);
                }
                _ => return Err(self.error("no control character inside a string")),
            }
        }
    }

    fn escape(&mut self) -> Result<char, SyntaxError> {
        let c = match self.peek() {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => {
                self.pos += 1;
                return self.unicode_escape();
            }
            _ => return Err(self.error("an escape such as `\\n` or `\\u00e9`")),
        };
        self.pos += 1;
        Ok(c)
    }

    fn unicode_escape(&mut self) -> Result<char, SyntaxError> {
        let high = self.hex4()?;
        if (0xD800..0xDC00).contains(&high) && self.bytes[self.pos..].starts_with(b"\\u") {
            self.pos += 2;
            let low = self.hex4()?;
            if (0xDC00..0xE000).contains(&low) {
                let c = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00);
                return Ok(char::from_u32(c).unwrap_or('\u{fffd}'));
            }
        }
        Ok(char::from_u32(high).unwrap_or('\u{fffd}'))
    }

    fn hex4(&mut self) -> Result<u32, SyntaxError> {
        let digits = self.text.get(self.pos..self.pos + 4).filter(|d| d.bytes().all(|b| b.is_ascii_hexdigit()));
        let Some(digits) = digits else { return Err(self.error("four hex digits after `\\u`")) };
        self.pos += 4;
        Ok(u32::from_str_radix(digits, 16).unwrap_or(0xFFFD))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(text: &str) -> Result<Vec<Node>, SyntaxError> {
        let mut elements = Elements::new(text);
        std::iter::from_fn(|| elements.next_element().transpose()).collect()
    }

    #[test]
    fn elements_of_an_array_keep_their_spans() {
        let text = r#"[ {"a": "x\u00e9", "b": [1, 2.5e3]}, {} ]"#;
        let nodes = all(text).unwrap();
        assert_eq!(nodes.len(), 2);
        let a = nodes[0].get("a").unwrap();
        assert_eq!(a.value, Value::String("xé".into()));
        assert_eq!(&text[a.span.clone()], r#""x\u00e9""#);
        assert_eq!(&text[nodes[1].span.clone()], "{}");
    }

    #[test]
    fn a_stream_of_objects_is_read_too() {
        assert_eq!(all("{\"a\":1}\n{\"a\":2}\n").unwrap().len(), 2);
    }

    #[test]
    fn syntax_errors_say_where() {
        assert_eq!(all("[{\"a\" 1}]").unwrap_err().at, 6);
        assert!(all("[1,").is_err());
        assert!(all("[1] x").is_err());
        assert!(all("\"abc").is_err());
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let deep = "[".repeat(100_000);
        assert!(all(&deep).unwrap_err().message.contains("nested"));
    }
}
