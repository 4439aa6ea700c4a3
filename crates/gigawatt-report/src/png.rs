//! PNG charts, rasterised from the same SVG the report writes (resvg), with the bundled fonts
//! only, so a PNG looks the same on every machine whatever fonts are installed.

use std::sync::Arc;

use crate::chart::text::{FONT_BOLD, FONT_FAMILY, FONT_REGULAR};

/// Rasterises an SVG document at `scale` × its size (2.0 for sharp images on high-density
/// screens) and encodes it as PNG.
pub fn from_svg(svg: &str, scale: f32) -> Result<Vec<u8>, String> {
    let mut fonts = resvg::usvg::fontdb::Database::new();
    fonts.load_font_data(FONT_REGULAR.to_vec());
    fonts.load_font_data(FONT_BOLD.to_vec());
    // Generic families resolve to the bundled font too: nothing is looked up on the system.
    fonts.set_sans_serif_family(FONT_FAMILY);
    fonts.set_serif_family(FONT_FAMILY);
    fonts.set_monospace_family(FONT_FAMILY);
    let options = resvg::usvg::Options {
        font_family: FONT_FAMILY.to_string(),
        fontdb: Arc::new(fonts),
        ..resvg::usvg::Options::default()
    };
    let tree = resvg::usvg::Tree::from_str(svg, &options).map_err(|e| format!("cannot read the chart's SVG: {e}"))?;
    let size = tree.size().to_int_size().scale_by(scale).ok_or("the chart has no size")?;
    let mut pixmap =
        resvg::tiny_skia::Pixmap::new(size.width(), size.height()).ok_or("the chart is too large to rasterise")?;
    resvg::render(&tree, resvg::tiny_skia::Transform::from_scale(scale, scale), &mut pixmap.as_mut());
    pixmap.encode_png().map_err(|e| format!("cannot encode PNG: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chart_rasterises_with_its_text() {
        let svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"120\" height=\"40\" \
                   font-family=\"'DejaVu Sans', sans-serif\"><rect width=\"120\" height=\"40\" fill=\"#fff\"/>\
                   <text x=\"4\" y=\"28\" font-size=\"24\">GPUs</text></svg>";
        let png = from_svg(svg, 1.0).unwrap();
        assert_eq!(&png[1..4], b"PNG");
        let blank = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"120\" height=\"40\">\
                     <rect width=\"120\" height=\"40\" fill=\"#fff\"/></svg>";
        // Text was drawn: the image with text differs from (and compresses worse than) a blank one.
        assert!(png.len() > from_svg(blank, 1.0).unwrap().len());
        assert_eq!(from_svg(svg, 1.0).unwrap(), png, "deterministic");
        assert!(from_svg("not svg", 1.0).is_err());
    }
}
