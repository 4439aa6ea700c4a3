//! Model architectures as sourced data (`catalog/models/*.toml`, compiled into the binary).
//!
//! A model file gives total and active parameters, depth, width and attention shape — grouped-query
//! attention (`kv_heads`, `head_dim`) or multi-head latent attention (`kv_lora_rank`,
//! `qk_rope_head_dim`, …) — and, for a mixture of experts, its routed experts. Every number carries
//! a `source` or an explicit `assumption`. From these the inference model derives:
//!
//! ```text
//! KV bytes per token   GQA: 2 · layers · kv_heads · head_dim · bytes      MLA: layers · (kv_lora_rank + rope_dim) · bytes
//! attention FLOPs per token per context position (QKᵀ and AV):
//!   GQA: 4 · layers · heads · head_dim
//!   MLA prefill (uncompressed): 2 · layers · heads · (nope + rope + v)
//!   MLA decode (absorbed):      2 · layers · heads · (2 · kv_lora_rank + rope)
//! ```

use gigawatt_core::defaults::Check;
use gigawatt_core::error::{InputError, KeyPath, SourceFile, closest};
use gigawatt_core::quantity::{BareNumbers, Quantity};
use gigawatt_core::schema::Input;
use serde::{Deserialize, Serialize};

use crate::parse::{At, Inputs};

/// The model files bundled with the tool.
pub const BUNDLED_MODELS: &[(&str, &str)] = &[
    ("catalog/models/llama3-70b.toml", include_str!("../../../catalog/models/llama3-70b.toml")),
    ("catalog/models/llama3.1-405b.toml", include_str!("../../../catalog/models/llama3.1-405b.toml")),
    ("catalog/models/llama2-70b.toml", include_str!("../../../catalog/models/llama2-70b.toml")),
    ("catalog/models/deepseek-v3.toml", include_str!("../../../catalog/models/deepseek-v3.toml")),
    ("catalog/models/gpt4o-class.toml", include_str!("../../../catalog/models/gpt4o-class.toml")),
    ("catalog/models/frontier-2027.toml", include_str!("../../../catalog/models/frontier-2027.toml")),
];

/// How a model's attention caches keys and values.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Attention {
    /// Grouped-query (or multi-head) attention: K and V per KV head.
    Gqa {
        /// Key/value heads.
        kv_heads: f64,
        /// Dimension per head.
        head_dim: f64,
    },
    /// Multi-head latent attention (DeepSeek-V2/V3): one compressed latent plus a RoPE key.
    Mla {
        /// Latent dimension cached per token and layer.
        kv_lora_rank: f64,
        /// Decoupled RoPE key dimension cached beside the latent.
        qk_rope_head_dim: f64,
        /// Non-RoPE query/key dimension per head.
        qk_nope_head_dim: f64,
        /// Value dimension per head.
        v_head_dim: f64,
    },
}

/// The routed experts of a mixture-of-experts model.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Moe {
    /// Layers whose FFN is a mixture of experts.
    pub moe_layers: f64,
    /// Routed experts per MoE layer.
    pub routed_experts: f64,
    /// Routed experts each token goes to.
    pub experts_per_token: f64,
    /// Parameters in all routed experts together.
    pub routed_params: f64,
}

/// One model architecture.
#[derive(Clone, Debug, Serialize)]
pub struct ModelArch {
    /// Identifier used in scenarios (`llama3-70b`).
    pub id: String,
    /// Display name.
    pub name: String,
    /// All parameters (what memory holds).
    pub params_total: f64,
    /// Parameters each token goes through (what FLOPs count).
    pub params_active: f64,
    /// Transformer layers.
    pub layers: f64,
    /// Model (hidden) dimension.
    pub hidden_size: f64,
    /// Query heads.
    pub attention_heads: f64,
    /// Attention shape.
    pub attention: Attention,
    /// Routed experts, for a mixture of experts.
    pub moe: Option<Moe>,
    /// True when any number of the architecture is an assumption, not a source.
    pub assumed: bool,
    /// The file it was read from.
    pub origin: String,
}

impl ModelArch {
    /// KV-cache bytes per token at `bytes` per value.
    pub fn kv_bytes_per_token(&self, bytes: f64) -> f64 {
        match self.attention {
            Attention::Gqa { kv_heads, head_dim } => 2.0 * self.layers * kv_heads * head_dim * bytes,
            Attention::Mla { kv_lora_rank, qk_rope_head_dim, .. } => {
                self.layers * (kv_lora_rank + qk_rope_head_dim) * bytes
            }
        }
    }

    /// Attention FLOPs per token per position of context when processing a prompt (prefill).
    pub fn attention_flops_prefill(&self) -> f64 {
        match self.attention {
            Attention::Gqa { head_dim, .. } => 4.0 * self.layers * self.attention_heads * head_dim,
            Attention::Mla { qk_rope_head_dim, qk_nope_head_dim, v_head_dim, .. } => {
                2.0 * self.layers * self.attention_heads * (qk_nope_head_dim + qk_rope_head_dim + v_head_dim)
            }
        }
    }

    /// Attention FLOPs per generated token per position of context (decode).
    pub fn attention_flops_decode(&self) -> f64 {
        match self.attention {
            Attention::Gqa { .. } => self.attention_flops_prefill(),
            Attention::Mla { kv_lora_rank, qk_rope_head_dim, .. } => {
                2.0 * self.layers * self.attention_heads * (2.0 * kv_lora_rank + qk_rope_head_dim)
            }
        }
    }

    /// Parameters outside the routed experts (attention, dense FFNs, shared experts, embeddings).
    pub fn dense_params(&self) -> f64 {
        self.params_total - self.moe.map_or(0.0, |m| m.routed_params)
    }
}

/// The set of model architectures a run can use.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ModelCatalog {
    /// Models sorted by id.
    pub models: Vec<ModelArch>,
}

impl ModelCatalog {
    /// The bundled models.
    pub fn bundled() -> Result<ModelCatalog, InputError> {
        let mut models = Vec::new();
        for (name, text) in BUNDLED_MODELS {
            let file = SourceFile::new(format!("<bundled>/{name}"), *text);
            models.push(parse_model(&file, &mut Inputs::default())?);
        }
        models.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(ModelCatalog { models })
    }

    /// The model with this id.
    pub fn get(&self, id: &str) -> Option<&ModelArch> {
        self.models.iter().find(|m| m.id == id)
    }

    /// An error for an unknown model id, naming the closest known one.
    pub fn unknown(&self, file: &SourceFile, path: &KeyPath, id: &str) -> InputError {
        let list = self.models.iter().map(|m| m.id.as_str()).collect::<Vec<_>>().join(", ");
        let err = InputError::at(file, path, format!("unknown model `{id}`")).with_label("not in catalog/models");
        match closest(id, self.models.iter().map(|m| m.id.as_str())) {
            Some(best) => err.with_help(format!("did you mean `{best}`? Known models: {list}")),
            None => err.with_help(format!("known models: {list}")),
        }
    }

    /// Registers every number of model `id` as an input of a run.
    pub fn register(&self, id: &str, inputs: &mut Inputs) -> Result<(), InputError> {
        let (name, text) = BUNDLED_MODELS
            .iter()
            .find(|(n, _)| n.ends_with(&format!("/{id}.toml")))
            .ok_or_else(|| InputError::new(format!("model `{id}` has no bundled file")))?;
        parse_model(&SourceFile::new(format!("<bundled>/{name}"), *text), inputs).map(|_| ())
    }
}

const NUMERIC: [(&str, &str, &str); 15] = [
    ("params_total", "total parameters", "count"),
    ("params_active", "active parameters per token", "count"),
    ("layers", "layers", "count"),
    ("hidden_size", "hidden size", "count"),
    ("attention_heads", "attention heads", "count"),
    ("kv_heads", "key/value heads", "count"),
    ("head_dim", "dimension per head", "count"),
    ("kv_lora_rank", "MLA latent rank", "count"),
    ("qk_rope_head_dim", "MLA RoPE key dimension", "count"),
    ("qk_nope_head_dim", "MLA non-RoPE key dimension", "count"),
    ("v_head_dim", "MLA value dimension", "count"),
    ("moe_layers", "MoE layers", "count"),
    ("routed_experts", "routed experts per MoE layer", "count"),
    ("experts_per_token", "routed experts per token", "count"),
    ("routed_params", "parameters in routed experts", "count"),
];

/// A model file as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ModelFile {
    id: Option<String>,
    name: Option<String>,
    #[allow(dead_code)] // a remark for readers of the file
    notes: Option<String>,
    params_total: Option<Input>,
    params_active: Option<Input>,
    layers: Option<Input>,
    hidden_size: Option<Input>,
    attention_heads: Option<Input>,
    kv_heads: Option<Input>,
    head_dim: Option<Input>,
    kv_lora_rank: Option<Input>,
    qk_rope_head_dim: Option<Input>,
    qk_nope_head_dim: Option<Input>,
    v_head_dim: Option<Input>,
    moe_layers: Option<Input>,
    routed_experts: Option<Input>,
    experts_per_token: Option<Input>,
    routed_params: Option<Input>,
}

impl ModelFile {
    /// The number written at `key` (one of [`NUMERIC`]).
    fn input(&self, key: &str) -> Option<&Input> {
        match key {
            "params_total" => self.params_total.as_ref(),
            "params_active" => self.params_active.as_ref(),
            "layers" => self.layers.as_ref(),
            "hidden_size" => self.hidden_size.as_ref(),
            "attention_heads" => self.attention_heads.as_ref(),
            "kv_heads" => self.kv_heads.as_ref(),
            "head_dim" => self.head_dim.as_ref(),
            "kv_lora_rank" => self.kv_lora_rank.as_ref(),
            "qk_rope_head_dim" => self.qk_rope_head_dim.as_ref(),
            "qk_nope_head_dim" => self.qk_nope_head_dim.as_ref(),
            "v_head_dim" => self.v_head_dim.as_ref(),
            "moe_layers" => self.moe_layers.as_ref(),
            "routed_experts" => self.routed_experts.as_ref(),
            "experts_per_token" => self.experts_per_token.as_ref(),
            "routed_params" => self.routed_params.as_ref(),
            _ => None,
        }
    }
}

/// Reads one model file; its numbers are registered in `inputs` under `model.ID.KEY`.
pub fn parse_model(file: &SourceFile, inputs: &mut Inputs) -> Result<ModelArch, InputError> {
    let raw: ModelFile = toml::from_str(&file.text).map_err(|e| InputError::from_toml(file, &e))?;
    let root = KeyPath::root();
    let sec = At { file, path: &root, name: "a model file", bare: BareNumbers::Forbidden };
    let id = sec.need_string("id", raw.id.as_ref(), "add id = \"my-model\"")?.to_string();
    let name = sec.need_string("name", raw.name.as_ref(), "add name = \"My model\"")?.to_string();
    let mut numbers = ModelNumbers { sec, raw: &raw, inputs, id: &id, name: &name, assumed: false };
    let params_total = numbers.need("params_total")?;
    let params_active = numbers.need("params_active")?;
    let layers = numbers.need("layers")?;
    let hidden_size = numbers.need("hidden_size")?;
    let attention_heads = numbers.need("attention_heads")?;
    let attention = numbers.attention()?;
    let moe = numbers.moe()?;
    let assumed = numbers.assumed;
    check_parameter_counts(file, &root, params_total, params_active, moe)?;
    Ok(ModelArch {
        id,
        name,
        params_total,
        params_active,
        layers,
        hidden_size,
        attention_heads,
        attention,
        moe,
        assumed,
        origin: file.name.clone(),
    })
}

/// The numbers of one model file as they are read: each registered as an input, and whether any
/// of them is an assumption.
struct ModelNumbers<'s, 'i> {
    sec: At<'s>,
    raw: &'s ModelFile,
    inputs: &'i mut Inputs,
    id: &'s str,
    name: &'s str,
    assumed: bool,
}

impl ModelNumbers<'_, '_> {
    /// The number at `key` (one of [`NUMERIC`]), if present; an error if absent and `required`.
    fn get(&mut self, key: &str, required: bool) -> Result<Option<f64>, InputError> {
        let (id, name) = (self.id, self.name);
        let (_, label, unit) = NUMERIC.iter().find(|(k, _, _)| *k == key).expect("known key");
        let q: Option<Quantity> = self.sec.quantity(key, self.raw.input(key), label, Check::Positive)?;
        match q {
            Some(q) => {
                self.assumed |= !q.provenance.is_sourced();
                self.inputs.add(&format!("model.{id}.{key}"), &format!("{name}: {label}"), unit, &q);
                Ok(Some(q.estimate.central))
            }
            None if required => Err(self
                .sec
                .err_here(format!("model `{id}` lacks `{key}` ({label})"))
                .with_help(format!("add {key} = {{ value = …, source = \"…\" }}"))),
            None => Ok(None),
        }
    }

    /// The number at `key`, which must be present.
    fn need(&mut self, key: &str) -> Result<f64, InputError> {
        Ok(self.get(key, true)?.unwrap_or_default())
    }

    /// The attention shape: latent attention when `kv_lora_rank` is given, else grouped-query.
    fn attention(&mut self) -> Result<Attention, InputError> {
        Ok(match self.get("kv_lora_rank", false)? {
            Some(kv_lora_rank) => Attention::Mla {
                kv_lora_rank,
                qk_rope_head_dim: self.need("qk_rope_head_dim")?,
                qk_nope_head_dim: self.need("qk_nope_head_dim")?,
                v_head_dim: self.need("v_head_dim")?,
            },
            None => Attention::Gqa { kv_heads: self.need("kv_heads")?, head_dim: self.need("head_dim")? },
        })
    }

    /// The routed experts, when `routed_experts` is given.
    fn moe(&mut self) -> Result<Option<Moe>, InputError> {
        Ok(match self.get("routed_experts", false)? {
            Some(routed_experts) => Some(Moe {
                moe_layers: self.need("moe_layers")?,
                routed_experts,
                experts_per_token: self.need("experts_per_token")?,
                routed_params: self.need("routed_params")?,
            }),
            None => None,
        })
    }
}

/// Checks that the active parameters follow from the total and the routed experts (or equal the
/// total for a dense model).
fn check_parameter_counts(
    file: &SourceFile,
    root: &KeyPath,
    params_total: f64,
    params_active: f64,
    moe: Option<Moe>,
) -> Result<(), InputError> {
    if params_active > params_total {
        return Err(InputError::at(file, &root.key("params_active"), "active parameters exceed total parameters")
            .with_help("a dense model has params_active = params_total; a mixture of experts has fewer active"));
    }
    if let Some(m) = moe {
        if m.experts_per_token > m.routed_experts || m.routed_params >= params_total {
            return Err(InputError::at(file, &root.key("routed_params"), "the routed experts do not fit the totals")
                .with_help("experts_per_token ≤ routed_experts and routed_params < params_total"));
        }
        let implied = params_total - m.routed_params + m.routed_params * m.experts_per_token / m.routed_experts;
        if (implied - params_active).abs() > 0.05 * params_active {
            return Err(InputError::at(
                file,
                &root.key("params_active"),
                format!(
                    "params_active = {:.3e} disagrees with the experts: (total − routed) + routed × k/E = {implied:.3e}",
                    params_active
                ),
            )
            .with_help("make the routed experts and the active parameters agree within 5%"));
        }
    } else if params_active != params_total {
        return Err(InputError::at(
            file,
            &root.key("params_active"),
            "a dense model's active and total parameters differ",
        )
        .with_help("give routed_experts, experts_per_token, moe_layers and routed_params for a mixture of experts"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const KIB: f64 = 1024.0;

    #[test]
    fn every_bundled_model_loads() {
        let cat = ModelCatalog::bundled().expect("bundled models are valid");
        assert_eq!(cat.models.len(), BUNDLED_MODELS.len());
        assert!(cat.get("frontier-2027").unwrap().assumed);
        assert!(!cat.get("llama3-70b").unwrap().assumed);
    }

    #[test]
    fn llama3_70b_kv_cache_is_320_kib_per_token_in_bf16() {
        let cat = ModelCatalog::bundled().unwrap();
        assert_eq!(cat.get("llama3-70b").unwrap().kv_bytes_per_token(2.0), 320.0 * KIB);
    }

    #[test]
    fn llama31_405b_kv_cache_is_504_kib_per_token_in_bf16() {
        let cat = ModelCatalog::bundled().unwrap();
        assert_eq!(cat.get("llama3.1-405b").unwrap().kv_bytes_per_token(2.0), 504.0 * KIB);
    }

    #[test]
    fn deepseek_v3_mla_cache_is_about_69_kb_per_token_in_bf16() {
        let cat = ModelCatalog::bundled().unwrap();
        let kv = cat.get("deepseek-v3").unwrap().kv_bytes_per_token(2.0);
        assert_eq!(kv, 61.0 * 576.0 * 2.0);
        assert!((kv / 1e3 - 70.3).abs() < 0.1, "{kv}");
    }

    #[test]
    fn an_inconsistent_mixture_of_experts_is_rejected() {
        let text = BUNDLED_MODELS[3].1.replace("value = 37e9", "value = 60e9");
        let err = parse_model(&SourceFile::new("x.toml", text), &mut Inputs::default()).unwrap_err();
        assert!(err.message.contains("disagrees with the experts"), "{}", err.message);
    }

    #[test]
    fn an_unknown_key_in_a_model_file_is_located() {
        let text = BUNDLED_MODELS[0].1.replacen("\nlayers = ", "\nlayerz = ", 1);
        let err = parse_model(&SourceFile::new("x.toml", text), &mut Inputs::default()).unwrap_err();
        assert!(err.message.contains("unknown field `layerz`"), "{}", err.message);
        assert!(err.location().is_some());
    }

    #[test]
    fn unsourced_numbers_are_refused_in_model_files() {
        let text = BUNDLED_MODELS[0]
            .1
            .lines()
            .map(|l| if l.starts_with("layers") { "layers = 80" } else { l })
            .collect::<Vec<_>>()
            .join("\n");
        let err = parse_model(&SourceFile::new("x.toml", text), &mut Inputs::default()).unwrap_err();
        assert!(err.message.contains("needs its source"), "{}", err.message);
    }
}
