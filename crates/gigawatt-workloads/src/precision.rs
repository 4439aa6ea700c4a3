//! Numeric formats: bytes per value and which dense peak of a platform applies.

use gigawatt_core::catalog::Field;
use serde::Serialize;

/// A numeric format for weights, activations or the KV cache.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Precision {
    /// 4-bit floating point (NVFP4): half a byte per value.
    Fp4,
    /// 8-bit floating point: one byte per value.
    Fp8,
    /// BF16 or FP16: two bytes per value (the same dense tensor-core peak).
    Bf16,
}

/// How precisions may be written, for help messages.
pub const PRECISION_FORMS: &str = "write \"fp4\", \"fp8\", \"bf16\" or \"fp16\"";

impl Precision {
    /// Reads `fp4`, `fp8`, `bf16` or `fp16`.
    pub fn parse(s: &str) -> Option<Precision> {
        match s.to_ascii_lowercase().as_str() {
            "fp4" | "nvfp4" => Some(Precision::Fp4),
            "fp8" => Some(Precision::Fp8),
            "bf16" | "fp16" => Some(Precision::Bf16),
            _ => None,
        }
    }

    /// Bytes per value.
    pub fn bytes(self) -> f64 {
        match self {
            Precision::Fp4 => 0.5,
            Precision::Fp8 => 1.0,
            Precision::Bf16 => 2.0,
        }
    }

    /// The catalog field holding a platform's dense peak in this format.
    pub fn peak_field(self) -> Field {
        match self {
            Precision::Fp4 => Field::Fp4DenseTflops,
            Precision::Fp8 => Field::Fp8DenseTflops,
            Precision::Bf16 => Field::Bf16DenseTflops,
        }
    }

    /// Lower-case name.
    pub fn name(self) -> &'static str {
        match self {
            Precision::Fp4 => "fp4",
            Precision::Fp8 => "fp8",
            Precision::Bf16 => "bf16",
        }
    }
}

impl std::fmt::Display for Precision {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
