//! The numeric inputs of one run, registered once, each with its range and provenance.
//!
//! Building a model from a scenario registers every number about the world it uses — catalog
//! values, cost inputs, PUE — as a [`Param`]. The planner reads them through a [`Values`] vector,
//! so the same pure planning function serves the central case, each one-at-a-time sensitivity
//! case and every Monte Carlo draw. A derived param follows its base (`value = factor × base`),
//! so e.g. Rubin Ultra's derived rack price moves with Vera Rubin's.

use std::collections::HashMap;
use std::ops::Index;

use rand::RngExt;
use rand_distr::{Distribution, Triangular};
use serde::Serialize;

use crate::quantity::{Provenance, Quantity};

/// Index of a registered param.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ParamId(pub usize);

/// A derived param's dependence on another: `value = factor × base`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct ParamLink {
    /// The param this one follows.
    #[serde(skip)]
    pub base: ParamId,
    /// The constant factor.
    pub factor: f64,
}

/// One registered input.
#[derive(Clone, Debug, Serialize)]
pub struct Param {
    /// Stable key, e.g. `catalog.vr-nvl144.system_power_kw` or `phase[0].pue`.
    pub key: String,
    /// Human label.
    pub label: String,
    /// Unit of the values.
    pub unit: String,
    /// The value, its range and its provenance.
    pub quantity: Quantity,
    /// Set when the param follows another.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link: Option<ParamLink>,
}

impl Param {
    /// Whether the param is varied on its own in uncertainty analysis (has a range, follows
    /// nothing).
    pub fn is_free_range(&self) -> bool {
        self.link.is_none() && self.quantity.estimate.is_range()
    }
}

/// All inputs of a model, in registration order (a derived param comes after its base).
#[derive(Clone, Debug, Default, Serialize)]
pub struct Params {
    list: Vec<Param>,
    #[serde(skip)]
    by_key: HashMap<String, ParamId>,
}

impl Params {
    /// Registers a param, or returns the one already registered under `key`.
    pub fn add(&mut self, key: &str, label: &str, unit: &str, quantity: Quantity, link: Option<ParamLink>) -> ParamId {
        if let Some(id) = self.by_key.get(key) {
            return *id;
        }
        if let Some(l) = link {
            assert!(l.base.0 < self.list.len(), "a derived param is registered after its base");
        }
        let id = ParamId(self.list.len());
        self.list.push(Param {
            key: key.to_string(),
            label: label.to_string(),
            unit: unit.to_string(),
            quantity,
            link,
        });
        self.by_key.insert(key.to_string(), id);
        id
    }

    /// The param registered under `key`.
    pub fn find(&self, key: &str) -> Option<ParamId> {
        self.by_key.get(key).copied()
    }

    /// The param with this id.
    pub fn get(&self, id: ParamId) -> &Param {
        &self.list[id.0]
    }

    /// All params in registration order.
    pub fn iter(&self) -> impl Iterator<Item = (ParamId, &Param)> {
        self.list.iter().enumerate().map(|(i, p)| (ParamId(i), p))
    }

    /// Number of params.
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// True when no param is registered.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// Every param at its central value.
    pub fn central(&self) -> Values {
        self.fill(|_, p| p.quantity.estimate.central)
    }

    /// Central values except `id`, which is set to `value` (its followers follow).
    pub fn central_with(&self, id: ParamId, value: f64) -> Values {
        self.fill(|i, p| if i == id { value } else { p.quantity.estimate.central })
    }

    /// One Monte Carlo draw: each free param with a range from the triangular distribution on its
    /// low / central / high, the rest at central; derived params follow their base.
    pub fn sample<R: RngExt + ?Sized>(&self, rng: &mut R) -> Values {
        self.fill(|_, p| {
            let e = p.quantity.estimate;
            if e.is_range() {
                Triangular::new(e.low, e.high, e.central).map_or(e.central, |t| t.sample(rng))
            } else {
                e.central
            }
        })
    }

    /// Builds a value vector: free params from `free`, derived params from their base.
    fn fill(&self, mut free: impl FnMut(ParamId, &Param) -> f64) -> Values {
        let mut v = Vec::with_capacity(self.list.len());
        for (i, p) in self.list.iter().enumerate() {
            let x = match p.link {
                Some(l) => l.factor * v[l.base.0],
                None => free(ParamId(i), p),
            };
            v.push(x);
        }
        Values(v)
    }
}

/// One value per registered param.
#[derive(Clone, Debug, PartialEq)]
pub struct Values(pub Vec<f64>);

impl Index<ParamId> for Values {
    type Output = f64;

    fn index(&self, id: ParamId) -> &f64 {
        &self.0[id.0]
    }
}

/// One input with its range and provenance.
#[derive(Clone, Debug, Serialize)]
pub struct InputRecord {
    /// Key, e.g. `catalog.vr-nvl144.system_power_kw`.
    pub key: String,
    /// Label.
    pub label: String,
    /// Unit.
    pub unit: String,
    /// Low.
    pub low: f64,
    /// Central.
    pub central: f64,
    /// High.
    pub high: f64,
    /// True when it rests on sources or a derivation from sourced values only.
    pub sourced: bool,
    /// Where it comes from.
    pub provenance: Provenance,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quantity::{Estimate, Provenance};
    use rand::SeedableRng;

    fn q(low: f64, c: f64, high: f64) -> Quantity {
        Quantity { estimate: Estimate { low, central: c, high }, provenance: Provenance::default() }
    }

    #[test]
    fn derived_params_follow_their_base() {
        let mut ps = Params::default();
        let a = ps.add("a", "a", "x", q(1.0, 2.0, 4.0), None);
        let b = ps.add("b", "b", "x", q(4.0, 8.0, 16.0), Some(ParamLink { base: a, factor: 4.0 }));
        let c = ps.central_with(a, 3.0);
        assert_eq!(c[b], 12.0);
        let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(1);
        for _ in 0..100 {
            let s = ps.sample(&mut rng);
            assert!((1.0..=4.0).contains(&s[a]));
            assert_eq!(s[b], 4.0 * s[a]);
        }
        assert!(!ps.get(b).is_free_range());
        assert_eq!(ps.add("a", "again", "x", q(0.0, 0.0, 0.0), None), a);
    }
}
