//! Names in a filter bound to the schema: a field (with a path into its JSON value or an
//! element of its Array), or, in a dynamic collection, a key of `$meta`.

use super::PathKey;
use super::compile::{Bound, Compiler, Res, Ty, scalar_ty};
use super::eval::Get;
use crate::schema::{DataType, META_FIELD};

impl Compiler<'_> {
    pub(super) fn field(&self, name: &str, path: &[PathKey]) -> Res<Bound> {
        let shown = display(name, path);
        let Some((index, f)) = self.schema.field(name) else {
            let dynamic = self.schema.enable_dynamic_field;
            if name == META_FIELD && dynamic && !path.is_empty() {
                return Ok(dyn_bound(Get::Meta(path.to_vec()), shown));
            }
            if dynamic {
                let mut full = vec![PathKey::Key(name.to_string())];
                full.extend_from_slice(path);
                return Ok(dyn_bound(Get::Meta(full), shown));
            }
            return Err(format!(
                "field {name} does not exist in collection {} (and it keeps no dynamic fields)",
                self.schema.name
            ));
        };
        let mut b = Bound {
            get: Get::Col(index, path.to_vec()),
            ty: scalar_ty(f.data_type),
            name: shown,
            type_name: f.data_type.name().to_string(),
            f32: f.data_type == DataType::Float,
        };
        if f.function.is_some() {
            b.ty = Ty::Other(f.data_type);
            return Ok(b);
        }
        match (f.data_type, path) {
            (_, []) => {
                if let (DataType::Array, Some(elem)) = (f.data_type, f.element_type) {
                    b.ty = Ty::Array(elem);
                    b.type_name = format!("an Array of {}", elem.name());
                }
            }
            (DataType::Json, _) => {}
            (DataType::Array, [PathKey::Index(_)]) => {
                let elem = f.element_type.unwrap_or(DataType::Json);
                b.ty = scalar_ty(elem);
                b.f32 = elem == DataType::Float;
                b.type_name = format!("an element of {}", elem.name());
            }
            (t, _) => {
                return Err(format!(
                    "field {name} is {}: {} has no such element",
                    t.name(),
                    b.name
                ));
            }
        }
        Ok(b)
    }
}

fn dyn_bound(get: Get, name: String) -> Bound {
    Bound {
        get,
        ty: Ty::Dyn,
        name,
        type_name: "a dynamic field".into(),
        f32: false,
    }
}

fn display(name: &str, path: &[PathKey]) -> String {
    let mut s = name.to_string();
    for k in path {
        match k {
            PathKey::Key(k) => s.push_str(&format!("[\"{k}\"]")),
            PathKey::Index(i) => s.push_str(&format!("[{i}]")),
        }
    }
    s
}
