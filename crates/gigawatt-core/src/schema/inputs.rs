//! The inputs a scenario may set with a default in `catalog/defaults.toml` (`[phase_defaults]`,
//! `[costs]`, `[financing]`): each one's key, label, unit and
//! check, defined once here for the parser, the defaults file, the outputs and the reference.

/// What a numeric input must satisfy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Check {
    /// Strictly positive.
    Positive,
    /// Zero or more.
    NonNegative,
    /// Between 0 and 1 inclusive.
    Fraction,
    /// At least 0 and below 1 (a share of a total that the rest must still exist beside).
    FractionBelowOne,
    /// At least 1 (PUE, overhead factors).
    AtLeastOne,
    /// A growth rate per year between 0 and 10 (+1,000 % a year): compounded over a timeline of
    /// decades, anything faster leaves the numbers a model can compute with.
    Growth,
}

impl Check {
    /// Whether `v` passes.
    pub fn ok(self, v: f64) -> bool {
        match self {
            Check::Positive => v > 0.0,
            Check::NonNegative => v >= 0.0,
            Check::Fraction => (0.0..=1.0).contains(&v),
            Check::FractionBelowOne => (0.0..1.0).contains(&v),
            Check::AtLeastOne => v >= 1.0,
            Check::Growth => (0.0..=10.0).contains(&v),
        }
    }

    /// What passing means, for messages.
    pub fn expected(self) -> &'static str {
        match self {
            Check::Positive => "positive",
            Check::NonNegative => "zero or more",
            Check::Fraction => "between 0 and 1",
            Check::FractionBelowOne => "at least 0 and below 1",
            Check::AtLeastOne => "at least 1",
            Check::Growth => "between 0 and 10 (+1,000 % a year)",
        }
    }
}

/// One input with a default: where it lives, what it means, its unit and its check.
#[derive(Clone, Copy, Debug)]
pub struct InputSpec {
    /// Table it lives under (`costs`, `phase`, `financing`).
    pub section: &'static str,
    /// Key within the table.
    pub key: &'static str,
    /// Human label.
    pub label: &'static str,
    /// Unit.
    pub unit: &'static str,
    /// Validity check.
    pub check: Check,
}

impl InputSpec {
    /// `section.key`.
    pub fn full_key(&self) -> String {
        format!("{}.{}", self.section, self.key)
    }
}

const fn spec(
    section: &'static str,
    key: &'static str,
    label: &'static str,
    unit: &'static str,
    check: Check,
) -> InputSpec {
    InputSpec { section, key, label, unit, check }
}

/// Per-phase inputs with a default (`[phase_defaults]` in a scenario, `[phase]` in defaults).
pub const PHASE_INPUTS: &[InputSpec] =
    &[spec("phase", "pue", "PUE (annualised facility ÷ IT power)", "ratio", Check::AtLeastOne)];

/// Cost inputs (`[costs]`).
pub const COST_INPUTS: &[InputSpec] = &[
    spec(
        "costs",
        "it_overhead",
        "IT power ÷ compute-system power (network, storage, management)",
        "ratio",
        Check::AtLeastOne,
    ),
    spec(
        "costs",
        "facility_usd_per_mw",
        "facility, power and cooling capex per MW of critical IT",
        "USD/MW",
        Check::Positive,
    ),
    spec("costs", "networking_fraction", "networking capex ÷ compute-system capex", "ratio", Check::NonNegative),
    spec("costs", "storage_fraction", "storage capex ÷ compute-system capex", "ratio", Check::NonNegative),
    spec(
        "costs",
        "other_fraction",
        "other capex (land, soft costs, labour) ÷ total capex",
        "fraction",
        Check::FractionBelowOne,
    ),
    spec(
        "costs",
        "nvidia_share_compute",
        "platform vendor's share of compute-system capex",
        "fraction",
        Check::Fraction,
    ),
    spec("costs", "nvidia_share_networking", "NVIDIA share of networking capex", "fraction", Check::Fraction),
    spec("costs", "electricity_usd_per_mwh", "electricity price", "USD/MWh", Check::NonNegative),
    spec("costs", "load_factor", "average ÷ installed facility power", "fraction", Check::Fraction),
    spec(
        "costs",
        "maintenance_fraction_per_year",
        "maintenance per year ÷ hardware capex",
        "fraction/yr",
        Check::NonNegative,
    ),
    spec(
        "costs",
        "hardware_depreciation_years",
        "useful life of compute, network and storage",
        "years",
        Check::Positive,
    ),
    spec("costs", "facility_depreciation_years", "useful life of the facility", "years", Check::Positive),
];

/// Financing inputs with a default (`[financing]`).
pub const FINANCING_INPUTS: &[InputSpec] =
    &[spec("financing", "valuation_usd", "pre-money valuation of the recipient", "USD", Check::Positive)];
