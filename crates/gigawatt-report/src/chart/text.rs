//! The charts' font: DejaVu Sans, shipped in `assets/fonts/` and compiled in, with its metrics.
//!
//! Charts name this font first in their `font-family`, lay their text out with its advance
//! widths (legend wrapping, label columns, whether a value fits inside a bar), and the PNG
//! renderer loads only these two files, so text looks and fits the same on every machine.

use std::sync::OnceLock;

/// DejaVu Sans (regular), TrueType.
pub const FONT_REGULAR: &[u8] = include_bytes!("../../../../assets/fonts/DejaVuSans.ttf");
/// DejaVu Sans Bold, TrueType.
pub const FONT_BOLD: &[u8] = include_bytes!("../../../../assets/fonts/DejaVuSans-Bold.ttf");
/// The family name the fonts register under.
pub const FONT_FAMILY: &str = "DejaVu Sans";
/// The `font-family` list written into SVG: the bundled font first, then the closest common
/// fallbacks (Verdana and Geneva share Bitstream Vera's proportions).
pub const FONT_STACK: &str = "'DejaVu Sans', Verdana, Geneva, sans-serif";

struct Metrics {
    units_per_em: f64,
    /// Advance widths of U+0000..U+0400, in font units (0 where the font lacks the glyph).
    advances: Vec<u16>,
    /// Advance of a missing glyph.
    fallback: u16,
}

impl Metrics {
    fn load(data: &[u8]) -> Metrics {
        let face = ttf_parser::Face::parse(data, 0).expect("the bundled font parses");
        let advance = |c: char| face.glyph_index(c).and_then(|g| face.glyph_hor_advance(g));
        let fallback = advance('0').unwrap_or(1303);
        let advances = (0u32..0x400).map(|u| char::from_u32(u).and_then(advance).unwrap_or(0)).collect();
        Metrics { units_per_em: f64::from(face.units_per_em()), advances, fallback }
    }

    fn width(&self, s: &str, size: f64) -> f64 {
        let units: f64 = s
            .chars()
            .map(|c| {
                let a = self.advances.get(c as usize).copied().filter(|&a| a > 0).unwrap_or(self.fallback);
                f64::from(a)
            })
            .sum();
        units * size / self.units_per_em
    }
}

fn regular() -> &'static Metrics {
    static M: OnceLock<Metrics> = OnceLock::new();
    M.get_or_init(|| Metrics::load(FONT_REGULAR))
}

fn bold() -> &'static Metrics {
    static M: OnceLock<Metrics> = OnceLock::new();
    M.get_or_init(|| Metrics::load(FONT_BOLD))
}

/// Width in pixels of `s` set in DejaVu Sans at `size` px (no kerning).
pub fn width(s: &str, size: f64) -> f64 {
    regular().width(s, size)
}

/// Width in pixels of `s` set in DejaVu Sans Bold at `size` px (no kerning).
pub fn bold_width(s: &str, size: f64) -> f64 {
    bold().width(s, size)
}

/// `s` shortened with an ellipsis so that it is at most `max` px wide at `size` px.
pub fn truncate(s: &str, size: f64, max: f64) -> String {
    if width(s, size) <= max {
        return s.to_string();
    }
    let mut out: String = String::new();
    for c in s.chars() {
        let candidate = format!("{out}{c}…");
        if width(&candidate, size) > max {
            break;
        }
        out.push(c);
    }
    format!("{}…", out.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_come_from_the_font() {
        // DejaVu Sans: 2048 units per em; '0' advances 1303 units, 'i' 569.
        assert!((width("0", 2048.0) - 1303.0).abs() < 1e-9);
        assert!(width("iiii", 12.0) < width("0000", 12.0));
        assert!(bold_width("GPUs", 12.0) > width("GPUs", 12.0));
        assert_eq!(width("", 12.0), 0.0);
    }

    #[test]
    fn truncation_fits_and_marks_the_cut() {
        let t = truncate("Rack price of the Vera Rubin NVL144 system", 11.0, 120.0);
        assert!(t.ends_with('…'));
        assert!(width(&t, 11.0) <= 120.0);
        assert_eq!(truncate("PUE", 11.0, 120.0), "PUE");
    }
}
