//! Human number formatting: "4.42 M", "$54.2 B", "1.15", "2,048".

/// A count with thousands separators: `24576` → `24,576`.
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A large count: below 100,000 with separators (`24,576`), above as `261.5 K`, `4.42 M`,
/// `46.0 B` or `1.20 T`.
pub fn count(x: f64) -> String {
    let a = x.abs();
    if a >= 1e12 {
        format!("{} T", sig3(x / 1e12))
    } else if a >= 1e9 {
        format!("{} B", sig3(x / 1e9))
    } else if a >= 1e6 {
        format!("{} M", sig3(x / 1e6))
    } else if a >= 1e5 {
        format!("{} K", sig3(x / 1e3))
    } else {
        let sign = if x < 0.0 { "-" } else { "" };
        format!("{sign}{}", thousands(a.round() as u64))
    }
}

/// Dollars with a scale: `$586.3 B`, `$1.23 T`, `$7.80 M`, `$154.4 K`, `$950`.
pub fn usd(x: f64) -> String {
    let sign = if x < 0.0 { "-" } else { "" };
    let a = x.abs();
    let body = if a >= 1e12 {
        format!("{} T", sig3(a / 1e12))
    } else if a >= 1e9 {
        format!("{} B", one_decimal_or_sig3(a / 1e9))
    } else if a >= 1e6 {
        format!("{} M", sig3(a / 1e6))
    } else if a >= 1e3 {
        format!("{} K", one_decimal_or_sig3(a / 1e3))
    } else {
        format!("{a:.0}")
    };
    format!("{sign}${body}")
}

/// Power from MW: `41.1 MW`, `1.00 GW`, `10.0 GW`.
pub fn power_mw(mw: f64) -> String {
    if mw.abs() >= 1000.0 { format!("{} GW", sig3(mw / 1000.0)) } else { format!("{} MW", sig3(mw)) }
}

/// A fraction as a percentage: `0.167` → `16.7%`.
pub fn percent(f: f64) -> String {
    format!("{:.1}%", f * 100.0)
}

/// Three significant figures, without exponent: 4.42, 58.6, 261, 1.00.
pub fn sig3(x: f64) -> String {
    let a = x.abs();
    if a == 0.0 {
        "0".into()
    } else if a >= 100.0 {
        format!("{x:.0}")
    } else if a >= 10.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.2}")
    }
}

fn one_decimal_or_sig3(x: f64) -> String {
    if x >= 100.0 { format!("{x:.1}") } else { sig3(x) }
}

/// A plain number for tables: integers as integers, small numbers with up to 3 decimals.
pub fn number(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        if x.abs() >= 10_000.0 { thousands(x.abs() as u64) } else { format!("{x:.0}") }
    } else if x.abs() >= 1000.0 {
        format!("{x:.0}")
    } else {
        let s = format!("{x:.3}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// A value in its unit, for input listings (`$7.80 M`, `11.7 M USD/MW`, `1.15`).
pub fn with_unit(x: f64, unit: &str) -> String {
    match unit {
        "USD" => usd(x),
        "USD/MW" => format!("{}/MW", usd(x)),
        "USD/GW" => format!("{}/GW", usd(x)),
        "USD/MWh" => format!("${}/MWh", number(x)),
        "ratio" | "fraction" | "count" | "fraction/yr" => number(x),
        "GPUs" => count(x),
        other => format!("{} {other}", number(x)),
    }
}

/// `low – high` or a single value when they agree.
pub fn span(low: f64, central: f64, high: f64, f: impl Fn(f64) -> String) -> String {
    if low == high { f(central) } else { format!("{} – {}", f(low), f(high)) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_read_like_a_person_writes() {
        assert_eq!(count(4_224_240.0), "4.22 M");
        assert_eq!(count(261_504.0), "262 K");
        assert_eq!(count(24_576.0), "24,576");
        assert_eq!(usd(5.863e11), "$586.3 B");
        assert_eq!(usd(5.42e10), "$54.2 B");
        assert_eq!(usd(7.8e6), "$7.80 M");
        assert_eq!(usd(1.5e12), "$1.50 T");
        assert_eq!(usd(-2.0e9), "-$2.00 B");
        assert_eq!(power_mw(41.1), "41.1 MW");
        assert_eq!(power_mw(10_000.0), "10.0 GW");
        assert_eq!(percent(0.1667), "16.7%");
        assert_eq!(thousands(3072), "3,072");
        assert_eq!(number(1.15), "1.15");
        assert_eq!(number(0.228), "0.228");
        assert_eq!(number(72.0), "72");
    }
}
