//! Data types of fields, with the names used by the schema file and Milvus.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A field's data type (Milvus's `DataType`, by its RESTful v2 name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DataType {
    /// `true` / `false`.
    Bool,
    /// 8-bit signed integer.
    Int8,
    /// 16-bit signed integer.
    Int16,
    /// 32-bit signed integer.
    Int32,
    /// 64-bit signed integer.
    Int64,
    /// 32-bit float.
    Float,
    /// 64-bit float.
    Double,
    /// UTF-8 string with a `max_length` in bytes.
    VarChar,
    /// A JSON document.
    Json,
    /// An array of scalars of `element_type`, at most `max_capacity` long.
    Array,
    /// `dim` 32-bit floats.
    FloatVector,
    /// `dim` bits, stored as `dim / 8` bytes.
    BinaryVector,
    /// `dim` IEEE half floats.
    Float16Vector,
    /// `dim` bfloat16 values.
    BFloat16Vector,
    /// Sparse vector of (index, value) pairs.
    SparseFloatVector,
    /// `dim` signed 8-bit integers (Milvus 2.6).
    Int8Vector,
    /// A geometry as WKT text (Milvus 2.6), checked and stored in its canonical WKT.
    Geometry,
    /// An instant with a time zone (Milvus 2.6), stored as UTC microseconds.
    Timestamptz,
    /// A list of structs (Milvus 2.6.4), each with the field's `struct_fields`, at most
    /// `max_capacity` long.
    ArrayOfStruct,
}

impl DataType {
    /// Every type, in the order of the schema file's documentation.
    pub const ALL: [DataType; 19] = [
        DataType::Bool,
        DataType::Int8,
        DataType::Int16,
        DataType::Int32,
        DataType::Int64,
        DataType::Float,
        DataType::Double,
        DataType::VarChar,
        DataType::Json,
        DataType::Array,
        DataType::FloatVector,
        DataType::BinaryVector,
        DataType::Float16Vector,
        DataType::BFloat16Vector,
        DataType::SparseFloatVector,
        DataType::Int8Vector,
        DataType::Geometry,
        DataType::Timestamptz,
        DataType::ArrayOfStruct,
    ];

    /// The name used in schema files (`"Int64"`, `"FloatVector"`, `"JSON"`...).
    pub fn name(self) -> &'static str {
        match self {
            DataType::Bool => "Bool",
            DataType::Int8 => "Int8",
            DataType::Int16 => "Int16",
            DataType::Int32 => "Int32",
            DataType::Int64 => "Int64",
            DataType::Float => "Float",
            DataType::Double => "Double",
            DataType::VarChar => "VarChar",
            DataType::Json => "JSON",
            DataType::Array => "Array",
            DataType::FloatVector => "FloatVector",
            DataType::BinaryVector => "BinaryVector",
            DataType::Float16Vector => "Float16Vector",
            DataType::BFloat16Vector => "BFloat16Vector",
            DataType::SparseFloatVector => "SparseFloatVector",
            DataType::Int8Vector => "Int8Vector",
            DataType::Geometry => "Geometry",
            DataType::Timestamptz => "Timestamptz",
            DataType::ArrayOfStruct => "ArrayOfStruct",
        }
    }

    /// Dense vector types, which need a `dim`.
    pub fn is_dense_vector(self) -> bool {
        matches!(
            self,
            DataType::FloatVector
                | DataType::BinaryVector
                | DataType::Float16Vector
                | DataType::BFloat16Vector
                | DataType::Int8Vector
        )
    }

    /// Any vector type (dense or sparse); vectors can never be null.
    pub fn is_vector(self) -> bool {
        self.is_dense_vector() || self == DataType::SparseFloatVector
    }

    /// Types allowed as a field of the structs of an `ArrayOfStruct` field (Milvus 2.6.4:
    /// scalars and float vectors).
    pub fn is_struct_member(self) -> bool {
        self.is_array_element() || self == DataType::FloatVector
    }

    /// Types allowed as an array's element type.
    pub fn is_array_element(self) -> bool {
        matches!(
            self,
            DataType::Bool
                | DataType::Int8
                | DataType::Int16
                | DataType::Int32
                | DataType::Int64
                | DataType::Float
                | DataType::Double
                | DataType::VarChar
        )
    }
}

impl fmt::Display for DataType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for DataType {
    type Err = ();

    /// Parses a schema-file type name. Case-insensitive, as Milvus's REST layer is.
    fn from_str(s: &str) -> Result<Self, ()> {
        DataType::ALL
            .into_iter()
            .find(|t| t.name().eq_ignore_ascii_case(s))
            .ok_or(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for t in DataType::ALL {
            assert_eq!(t.name().parse::<DataType>(), Ok(t));
        }
        assert_eq!("json".parse::<DataType>(), Ok(DataType::Json));
        assert!("Text".parse::<DataType>().is_err());
    }

    #[test]
    fn int8_vectors_are_dense_vectors_with_a_dim() {
        assert!(DataType::Int8Vector.is_dense_vector() && DataType::Int8Vector.is_vector());
        let schema = |params: &str, extra: &str| {
            let text = format!(
                r#"{{"collectionName": "c", "schema": {{"fields": [
                {{"fieldName": "id", "dataType": "Int64", "isPrimary": true}},
                {{"fieldName": "q", "dataType": "Int8Vector"{params}{extra}}}]}}}}"#
            );
            crate::schema::CollectionSchema::from_json(text.as_bytes(), 16)
                .map_err(|e| e.to_string())
        };
        let ok = schema(r#", "elementTypeParams": {"dim": "8"}"#, "").unwrap();
        assert_eq!(ok.fields[1].dim, Some(8));
        let err = schema("", "").unwrap_err();
        assert!(
            err.contains("Int8Vector needs elementTypeParams.dim"),
            "{err}"
        );
        let err = schema(r#", "elementTypeParams": {"dim": 32769}"#, "").unwrap_err();
        assert!(
            err.contains("dim of field \"q\" must be at most 32768, found 32769"),
            "{err}"
        );
        let err = schema(
            r#", "elementTypeParams": {"dim": 2}"#,
            r#", "nullable": true"#,
        )
        .unwrap_err();
        assert!(err.contains("cannot be nullable"), "{err}");
    }
}
