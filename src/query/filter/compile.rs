//! A parsed [`Filter`] checked against a collection's schema into a [`CompiledFilter`]:
//! every field exists (or is a dynamic field of a dynamic collection), every literal fits
//! the type of what it is compared with (refusals name the field and both types),
//! instants become microseconds, `in` lists become hash sets.

use serde_json::Value;

use super::eval::{Get, Leaf, Node, Pat, ValueSet};
use super::{ArithOp, Contains, Filter, Operand};
use crate::query::{Key, QueryError};
use crate::record::RowBatch;
use crate::schema::{CollectionSchema, DataType, FieldSchema};

/// A filter bound to a schema, evaluated block by block over typed columns.
#[derive(Debug, Clone)]
pub struct CompiledFilter {
    root: Node,
}

impl CompiledFilter {
    /// Which rows of `batch` (a block of a segment of the schema's collection) match.
    pub fn mask(&self, batch: &RowBatch) -> Vec<bool> {
        let rows = batch.len();
        self.root.mask(batch, rows)
    }

    /// Rows whose primary key is one of `keys`.
    pub fn ids(schema: &CollectionSchema, keys: &[Key]) -> CompiledFilter {
        let mut set = ValueSet::default();
        for k in keys {
            set.insert(match k {
                Key::Int(i) => Value::from(*i),
                Key::Str(s) => Value::from(s.as_str()),
            });
        }
        CompiledFilter {
            root: Node::leaf(Leaf::In(Get::Col(schema.primary_index(), Vec::new()), set)),
        }
    }
}

impl Filter {
    /// Checks the filter against `schema` and binds it to its columns.
    pub fn compile(&self, schema: &CollectionSchema) -> Result<CompiledFilter, QueryError> {
        Ok(CompiledFilter {
            root: Compiler { schema }
                .node(self)
                .map_err(QueryError::BadFilter)?,
        })
    }
}

/// What an operand holds, for the type checks.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Ty {
    Num,
    Bool,
    Str,
    Time,
    /// JSON, a dynamic field, or a literal list: anything.
    Dyn,
    Array(DataType),
    /// Not filterable (vectors, geometry, structs).
    Other(DataType),
}

/// Compile errors stay a `String` inside (a small `Result` keeps the recursive frames small)
/// and become [`QueryError::BadFilter`] at the end.
pub(super) type Res<T> = Result<T, String>;

fn bad(msg: String) -> String {
    msg
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

pub(super) fn scalar_ty(t: DataType) -> Ty {
    match t {
        DataType::Bool => Ty::Bool,
        DataType::Int8
        | DataType::Int16
        | DataType::Int32
        | DataType::Int64
        | DataType::Float
        | DataType::Double => Ty::Num,
        DataType::VarChar => Ty::Str,
        DataType::Timestamptz => Ty::Time,
        DataType::Json => Ty::Dyn,
        other => Ty::Other(other),
    }
}

/// An operand bound to the schema: how to read it, what it holds, how to name it.
pub(super) struct Bound {
    pub get: Get,
    pub ty: Ty,
    pub name: String,
    /// The field's type name as the schema says (`Int64`, `Array of Int64`...).
    pub type_name: String,
    /// A Float field (or element): its literals are rounded to f32.
    pub f32: bool,
}

pub(super) struct Compiler<'s> {
    pub schema: &'s CollectionSchema,
}

impl Compiler<'_> {
    // Recursion goes node -> list / not -> node: small frames, no iterator adaptors, so the
    // deepest allowed filter compiles on a small stack (see the `filter` tests).
    fn node(&self, f: &Filter) -> Res<Node> {
        match f {
            Filter::And(all) => self.list(all, true),
            Filter::Or(all) => self.list(all, false),
            Filter::Not(inner) => self.not(inner),
            leaf => self.leaf(leaf),
        }
    }

    #[inline(never)]
    fn list(&self, all: &[Filter], and: bool) -> Res<Node> {
        let mut nodes = Vec::with_capacity(all.len());
        for f in all {
            nodes.push(self.node(f)?);
        }
        Ok(if and {
            Node::And(nodes)
        } else {
            Node::Or(nodes)
        })
    }

    #[inline(never)]
    fn not(&self, inner: &Filter) -> Res<Node> {
        Ok(Node::Not(Box::new(self.node(inner)?)))
    }

    #[inline(never)]
    fn leaf(&self, f: &Filter) -> Res<Node> {
        Ok(match f {
            Filter::And(_) | Filter::Or(_) | Filter::Not(_) => return self.node(f),
            Filter::Cmp(a, op, b) => {
                let (a, b) = (self.operand(a)?, self.operand(b)?);
                let (a, b) = self.comparable(a, b)?;
                Node::leaf(Leaf::Cmp(a, *op, b))
            }
            Filter::In(a, list) => {
                let a = self.operand(a)?;
                self.scalar(&a)?;
                let mut set = ValueSet::default();
                for v in list {
                    set.insert(self.literal_for(&a, v)?);
                }
                Node::leaf(Leaf::In(a.get, set))
            }
            Filter::Like(a, pattern) => {
                let a = self.operand(a)?;
                if !matches!(a.ty, Ty::Str | Ty::Dyn) {
                    return Err(bad(format!(
                        "field {} is {}: 'like' needs a VarChar or JSON field",
                        a.name, a.type_name
                    )));
                }
                Node::leaf(Leaf::Like(a.get, pattern_of(pattern)))
            }
            Filter::IsNull(a) => {
                let a = self.operand(a)?;
                if matches!(a.get, Get::Lit(_) | Get::Arith(..)) {
                    return Err(bad(format!("'is null' needs a field, found {}", a.name)));
                }
                Node::leaf(Leaf::IsNull(a.get))
            }
            Filter::Contains(kind, a, v) => {
                let a = self.operand(a)?;
                let values = match (kind, v) {
                    (Contains::One, v) => vec![v.clone()],
                    (_, Value::Array(list)) => list.clone(),
                    (_, v) => vec![v.clone()],
                };
                match a.ty {
                    Ty::Dyn => Node::leaf(Leaf::Contains(*kind, a.get, values)),
                    Ty::Array(elem) => {
                        let elem = Bound {
                            ty: scalar_ty(elem),
                            type_name: elem.name().to_string(),
                            name: format!("{}[]", a.name),
                            get: Get::Lit(Value::Null),
                            f32: elem == DataType::Float,
                        };
                        let values = values
                            .iter()
                            .map(|v| self.literal_for(&elem, v))
                            .collect::<Result<_, _>>()?;
                        Node::leaf(Leaf::Contains(*kind, a.get, values))
                    }
                    _ => {
                        return Err(bad(format!(
                            "field {} is {}: *_contains needs an Array or JSON field",
                            a.name, a.type_name
                        )));
                    }
                }
            }
        })
    }

    /// Refuses what cannot be compared as one value (vectors, whole arrays).
    fn scalar(&self, a: &Bound) -> Res<()> {
        match a.ty {
            Ty::Other(t) => Err(bad(format!(
                "field {} is {}: it cannot be filtered",
                a.name,
                t.name()
            ))),
            Ty::Array(_) => Err(bad(format!(
                "field {} is {}: compare an element ({}[0]) or use array_contains or array_length",
                a.name, a.type_name, a.name
            ))),
            _ => Ok(()),
        }
    }

    /// Both sides of a comparison, checked against each other (a literal converted to the
    /// field's type: instants to microseconds, Float literals rounded to f32).
    fn comparable(&self, a: Bound, b: Bound) -> Res<(Get, Get)> {
        self.scalar(&a)?;
        self.scalar(&b)?;
        match (&a.get, &b.get) {
            (Get::Lit(x), Get::Lit(_)) => {
                let x = self.literal_for(&b, x)?;
                Ok((Get::Lit(x), b.get))
            }
            (_, Get::Lit(v)) => {
                let v = self.literal_for(&a, v)?;
                Ok((a.get, Get::Lit(v)))
            }
            (Get::Lit(v), _) => {
                let v = self.literal_for(&b, v)?;
                Ok((Get::Lit(v), b.get))
            }
            _ => {
                let ok = a.ty == b.ty || a.ty == Ty::Dyn || b.ty == Ty::Dyn;
                if !ok {
                    return Err(bad(format!(
                        "field {} is {} and field {} is {}: they cannot be compared",
                        a.name, a.type_name, b.name, b.type_name
                    )));
                }
                Ok((a.get, b.get))
            }
        }
    }

    /// `v` as a value of what `a` holds, or the refusal naming both types.
    fn literal_for(&self, a: &Bound, v: &Value) -> Res<Value> {
        let mismatch = || {
            bad(format!(
                "field {} is {}, the value {} is {}",
                a.name,
                a.type_name,
                v,
                kind_of(v)
            ))
        };
        if v.is_null() {
            return Err(bad(format!(
                "null cannot be compared: use '{} is null'",
                a.name
            )));
        }
        match (a.ty, v) {
            (Ty::Dyn, v) => Ok(v.clone()),
            (Ty::Num, Value::Number(n)) => match (a.f32, n.as_f64()) {
                (true, Some(x)) if n.as_i64().is_none() => {
                    Ok(serde_json::Number::from_f64(f64::from(x as f32))
                        .map_or(Value::Null, Value::Number))
                }
                _ => Ok(v.clone()),
            },
            (Ty::Bool, Value::Bool(_)) | (Ty::Str, Value::String(_)) => Ok(v.clone()),
            (Ty::Time, Value::String(s)) => {
                let field = FieldSchema::new(&a.name, DataType::Timestamptz);
                crate::validate::timestamptz(&field, s)
                    .map(Value::from)
                    .map_err(|_| {
                        bad(format!(
                            "field {} is Timestamptz, the value {v} is not an ISO-8601 instant (such as ISO '2025-01-31T08:30:00Z')",
                            a.name
                        ))
                    })
            }
            _ => Err(mismatch()),
        }
    }

    // Recursion goes operand -> arith / length -> operand: small frames (see `node`).
    fn operand(&self, o: &Operand) -> Res<Bound> {
        match o {
            Operand::Lit(v) => Ok(Bound {
                get: Get::Lit(v.clone()),
                ty: Ty::Dyn,
                name: format!("the value {v}"),
                type_name: kind_of(v).to_string(),
                f32: false,
            }),
            Operand::Field(name, path) => self.field(name, path),
            Operand::Arith(a, op, b) => self.arith(a, *op, b),
            Operand::Length(inner) => self.length(inner),
        }
    }

    #[inline(never)]
    fn arith(&self, a: &Operand, op: ArithOp, b: &Operand) -> Res<Bound> {
        let a = Box::new(self.operand(a)?);
        let b = Box::new(self.operand(b)?);
        for side in [&a, &b] {
            let number = matches!(side.ty, Ty::Num | Ty::Dyn)
                && !matches!(&side.get, Get::Lit(v) if !v.is_number());
            if !number {
                return Err(format!(
                    "arithmetic needs numbers: {} is {}",
                    side.name, side.type_name
                ));
            }
        }
        let ty = if a.ty == Ty::Num || b.ty == Ty::Num {
            Ty::Num
        } else {
            Ty::Dyn
        };
        Ok(Bound {
            name: format!("{} {} {}", a.name, op.text(), b.name),
            get: Get::Arith(Box::new(a.get), op, Box::new(b.get)),
            ty,
            type_name: "a number".into(),
            f32: false,
        })
    }

    #[inline(never)]
    fn length(&self, inner: &Operand) -> Res<Bound> {
        let a = self.operand(inner)?;
        if !matches!(a.ty, Ty::Array(_) | Ty::Dyn) || matches!(a.get, Get::Lit(_)) {
            return Err(format!(
                "array_length needs an Array or JSON field, found {} ({})",
                a.name, a.type_name
            ));
        }
        Ok(Bound {
            name: format!("array_length({})", a.name),
            get: Get::Length(Box::new(a.get)),
            ty: Ty::Num,
            type_name: "an Int64".into(),
            f32: false,
        })
    }
}

/// A `like` pattern: `%` any run, `_` one character, `\` makes the next one literal.
fn pattern_of(p: &str) -> Vec<Pat> {
    let mut out = Vec::new();
    let mut chars = p.chars();
    while let Some(c) = chars.next() {
        out.push(match c {
            '%' => Pat::Any,
            '_' => Pat::One,
            '\\' => Pat::Char(chars.next().unwrap_or('\\')),
            c => Pat::Char(c),
        });
    }
    out
}
