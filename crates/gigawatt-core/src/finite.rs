//! A check that a result holds no NaN or infinity anywhere: JSON cannot carry them (serde_json
//! writes `null`), so every number a result serialises must be finite. Fuzz targets and tests
//! run every result through [`check`].

use serde::ser::{self, Serialize};

/// The first non-finite number in `value`, by its path (`phases[3].capex.total_usd`), if any.
pub fn check<T: Serialize + ?Sized>(value: &T) -> Result<(), String> {
    let mut finder = Finder { path: Vec::new() };
    match value.serialize(&mut finder) {
        Ok(()) => Ok(()),
        Err(NonFinite(path)) => Err(path),
    }
}

/// Where a non-finite number was found.
#[derive(Debug)]
pub struct NonFinite(String);

impl std::fmt::Display for NonFinite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "non-finite number at {}", self.0)
    }
}

impl std::error::Error for NonFinite {}

impl ser::Error for NonFinite {
    fn custom<M: std::fmt::Display>(msg: M) -> Self {
        NonFinite(msg.to_string())
    }
}

struct Finder {
    path: Vec<String>,
}

impl Finder {
    fn float(&self, v: f64) -> Result<(), NonFinite> {
        if v.is_finite() { Ok(()) } else { Err(NonFinite(format!("{} ({v})", self.path.join(".")))) }
    }

    fn nested<T: Serialize + ?Sized>(&mut self, segment: String, value: &T) -> Result<(), NonFinite> {
        self.path.push(segment);
        value.serialize(&mut *self)?;
        self.path.pop();
        Ok(())
    }
}

type Done = Result<(), NonFinite>;

impl<'a> ser::Serializer for &'a mut Finder {
    type Ok = ();
    type Error = NonFinite;
    type SerializeSeq = Compound<'a>;
    type SerializeTuple = Compound<'a>;
    type SerializeTupleStruct = Compound<'a>;
    type SerializeTupleVariant = Compound<'a>;
    type SerializeMap = Compound<'a>;
    type SerializeStruct = Compound<'a>;
    type SerializeStructVariant = Compound<'a>;

    fn serialize_f32(self, v: f32) -> Done {
        self.float(f64::from(v))
    }
    fn serialize_f64(self, v: f64) -> Done {
        self.float(v)
    }
    fn serialize_bool(self, _: bool) -> Done {
        Ok(())
    }
    fn serialize_i8(self, _: i8) -> Done {
        Ok(())
    }
    fn serialize_i16(self, _: i16) -> Done {
        Ok(())
    }
    fn serialize_i32(self, _: i32) -> Done {
        Ok(())
    }
    fn serialize_i64(self, _: i64) -> Done {
        Ok(())
    }
    fn serialize_u8(self, _: u8) -> Done {
        Ok(())
    }
    fn serialize_u16(self, _: u16) -> Done {
        Ok(())
    }
    fn serialize_u32(self, _: u32) -> Done {
        Ok(())
    }
    fn serialize_u64(self, _: u64) -> Done {
        Ok(())
    }
    fn serialize_char(self, _: char) -> Done {
        Ok(())
    }
    fn serialize_str(self, _: &str) -> Done {
        Ok(())
    }
    fn serialize_bytes(self, _: &[u8]) -> Done {
        Ok(())
    }
    fn serialize_none(self) -> Done {
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Done {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Done {
        Ok(())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Done {
        Ok(())
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, _: &'static str) -> Done {
        Ok(())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, value: &T) -> Done {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &T,
    ) -> Done {
        self.nested(variant.to_string(), value)
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Compound<'a>, NonFinite> {
        Ok(Compound { finder: self, index: 0 })
    }
    fn serialize_tuple(self, _: usize) -> Result<Compound<'a>, NonFinite> {
        Ok(Compound { finder: self, index: 0 })
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Compound<'a>, NonFinite> {
        Ok(Compound { finder: self, index: 0 })
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Compound<'a>, NonFinite> {
        Ok(Compound { finder: self, index: 0 })
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Compound<'a>, NonFinite> {
        Ok(Compound { finder: self, index: 0 })
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Compound<'a>, NonFinite> {
        Ok(Compound { finder: self, index: 0 })
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Compound<'a>, NonFinite> {
        Ok(Compound { finder: self, index: 0 })
    }
}

/// A sequence, tuple, map or struct being walked.
struct Compound<'a> {
    finder: &'a mut Finder,
    index: usize,
}

impl Compound<'_> {
    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Done {
        let segment = format!("[{}]", self.index);
        self.index += 1;
        self.finder.nested(segment, value)
    }
}

/// The sequence-like compounds: each element is walked under its index.
macro_rules! elements {
    ($($trait:ident :: $method:ident),*) => {$(
        impl ser::$trait for Compound<'_> {
            type Ok = ();
            type Error = NonFinite;
            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Done {
                self.element(value)
            }
            fn end(self) -> Done {
                Ok(())
            }
        }
    )*};
}

elements!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field
);

impl ser::SerializeMap for Compound<'_> {
    type Ok = ();
    type Error = NonFinite;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Done {
        key.serialize(&mut *self.finder)
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Done {
        self.element(value)
    }
    fn end(self) -> Done {
        Ok(())
    }
}

/// The struct-like compounds: each field is walked under its name.
macro_rules! fields {
    ($($trait:ident),*) => {$(
        impl ser::$trait for Compound<'_> {
            type Ok = ();
            type Error = NonFinite;
            fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Done {
                self.finder.nested(key.to_string(), value)
            }
            fn end(self) -> Done {
                Ok(())
            }
        }
    )*};
}

fields!(SerializeStruct, SerializeStructVariant);

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Serialize)]
    struct Row {
        name: &'static str,
        values: Vec<f64>,
        nested: Option<Box<Row>>,
    }

    #[test]
    fn a_nan_deep_inside_is_found_with_its_path() {
        let ok = Row { name: "a", values: vec![1.0, 2.0], nested: None };
        assert_eq!(check(&ok), Ok(()));
        let bad = Row {
            name: "a",
            values: vec![],
            nested: Some(Box::new(Row { name: "b", values: vec![0.0, f64::NAN], nested: None })),
        };
        assert_eq!(check(&bad), Err("nested.values.[1] (NaN)".to_string()));
        assert!(check(&vec![f64::INFINITY]).is_err());
    }

    #[test]
    fn the_seed_plan_is_finite() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/nvidia-openai-10gw.toml");
        let file = crate::SourceFile::new("seed", std::fs::read_to_string(root).unwrap());
        let model = crate::load_scenario(&file, &crate::Catalog::bundled().unwrap()).unwrap();
        let plan = crate::plan(&model, crate::PlanOptions::from_model(&model));
        assert_eq!(check(&plan), Ok(()));
    }
}
