//! `segment_reader`: segment files read back, and batches written then read.
//!
//! The first byte picks a mode (its value modulo 3):
//! * 0, raw: the rest is a segment file;
//! * 1, framed: the rest describes fields, `$meta`, and blocks of any payload bytes, which
//!   the check frames into a file with correct lengths, CRCs, footer and trailer, so the
//!   fuzzer reaches the block decoder and the checks after it;
//! * 2, round trip: the rest builds batches (every column type, masks, `$meta`) and writer
//!   options; `SegmentWriter` writes them and every file is read back.
//!
//! Properties:
//! * nothing panics; the fuzz target also bounds the memory a read may take (a huge
//!   claimed length must be refused, not allocated);
//! * `read_all` succeeding implies `verify` and `read_meta` succeed; what it returns has one
//!   value per row in every column and the footer's types and row count;
//! * round trip: every batch is accepted, the files hold the rows in order, bit for bit
//!   (NaN payloads included), with the writer's row and byte counts and canonical names.

use std::path::Path;

use vecload::record::{Column, ColumnData, RowBatch};
use vecload::schema::DataType;
use vecload::segment::format::{FORMAT_VERSION, MAGIC, TRAILER_MAGIC};
use vecload::segment::{
    SegmentMeta, SegmentName, SegmentReader, SegmentWriter, WriterOptions, read_all, read_meta,
    verify,
};

use super::draw::Draw;

/// Runs the mode the first byte picks.
pub fn check(data: &[u8]) {
    let mut d = Draw::new(data);
    match d.u8() % 3 {
        0 => read_file(d.rest()),
        1 => read_file(&framed(&mut d)),
        _ => round_trip(&mut d),
    }
}

/// The file a framed input describes (see the module docs).
pub fn framed(d: &mut Draw) -> Vec<u8> {
    let fields: Vec<DataType> = (0..d.below(6)).map(|_| d.pick(&DataType::ALL)).collect();
    let has_meta = d.bool();
    let mut file = MAGIC.to_vec();
    file.extend(FORMAT_VERSION.to_le_bytes());
    let mut blocks = Vec::new();
    for _ in 0..d.below(4) {
        let rows = u64::from(d.u8() % 16);
        let len = usize::from(d.u16());
        let payload = d.bytes(len);
        blocks.push((file.len() as u64, payload.len() as u64, rows));
        file.extend((payload.len() as u32).to_le_bytes());
        file.extend(crc32fast::hash(payload).to_le_bytes());
        file.extend(payload);
    }
    // The footer, in bincode's fixed-int little-endian layout of SegmentFooter.
    let mut footer = Vec::new();
    let string = |out: &mut Vec<u8>, s: &str| {
        out.extend((s.len() as u64).to_le_bytes());
        out.extend(s.as_bytes());
    };
    string(&mut footer, "c");
    string(&mut footer, "p");
    footer.extend(0u32.to_le_bytes()); // shard
    footer.extend(1u64.to_le_bytes()); // task_id
    footer.extend((fields.len() as u64).to_le_bytes());
    for (i, t) in fields.iter().enumerate() {
        string(&mut footer, &format!("f{i}"));
        let tag = DataType::ALL.iter().position(|x| x == t).unwrap_or(0) as u32;
        footer.extend(tag.to_le_bytes());
    }
    footer.push(u8::from(has_meta));
    footer.extend(blocks.iter().map(|b| b.2).sum::<u64>().to_le_bytes());
    footer.extend((blocks.len() as u64).to_le_bytes());
    for (offset, len, rows) in blocks {
        for n in [offset, len, rows] {
            footer.extend(n.to_le_bytes());
        }
    }
    file.extend(&footer);
    file.extend((footer.len() as u64).to_le_bytes());
    file.extend(crc32fast::hash(&footer).to_le_bytes());
    file.extend(TRAILER_MAGIC);
    file
}

/// Writes `bytes` to a file and reads it every way there is.
pub fn read_file(bytes: &[u8]) {
    let dir = super::scratch_dir();
    let path = dir.path().join("t00000001-w0-p0-s0-0000.vseg");
    std::fs::write(&path, bytes).expect("write the segment");
    read_checked(&path);
}

/// Reads `path` with `read_meta`, `verify`, `read_all` and block by block, checking that
/// they agree; returns what `read_all` returns.
pub fn read_checked(path: &Path) -> Option<RowBatch> {
    let meta = read_meta(path);
    let verified = verify(path);
    let all = read_all(path);
    let blocks = SegmentReader::open(path).map(|mut r| {
        let n = r.summary().blocks.len();
        (0..n)
            .map(|i| r.read_block(i).expect("an indexed block").ok())
            .collect::<Vec<_>>()
    });
    let Ok(summary) = meta else {
        assert!(
            verified.is_err() && all.is_err() && blocks.is_err(),
            "open disagrees"
        );
        return None;
    };
    let blocks = blocks.expect("open succeeded once");
    if let Ok(v) = &verified {
        assert!(v.blocks_verified && blocks.iter().all(Option::is_some));
        assert_eq!(v.meta, summary.meta);
    } else {
        assert!(
            blocks.iter().any(Option::is_none),
            "verify failed on good blocks"
        );
    }
    let batch = all.ok()?;
    assert!(verified.is_ok(), "read_all accepted what verify refused");
    assert_eq!(
        super::batch_rows(&batch) as u64,
        summary.row_count,
        "read_all row count"
    );
    assert_eq!(batch.columns.len(), summary.meta.fields.len());
    for (c, (_, t)) in batch.columns.iter().zip(&summary.meta.fields) {
        assert_eq!(type_of(&c.data), *t, "a column of another type");
    }
    assert_eq!(batch.meta.is_some(), summary.meta.has_meta);
    Some(batch)
}

/// Builds batches and writer options from the input, writes, reads back, compares.
pub fn round_trip(d: &mut Draw) {
    let shape = Shape::draw(d);
    let batches: Vec<RowBatch> = (0..1 + d.below(3))
        .map(|_| {
            let rows = d.below(6);
            shape.batch(d, rows)
        })
        .collect();
    let opts = WriterOptions {
        block_bytes: d.pick(&[1, 64, 512, 1 << 16]),
        segment_max_size: d.pick(&[1, 256, 2048, 1 << 30]),
    };
    let task_id = u64::from(d.u32());
    let meta = SegmentMeta {
        collection: "c".into(),
        partition: "p".into(),
        shard: u32::from(d.u8() % 4),
        task_id,
        fields: shape
            .columns
            .iter()
            .enumerate()
            .map(|(i, c)| (format!("f{i}"), c.data_type))
            .collect(),
        has_meta: shape.meta,
    };
    let dir = super::scratch_dir();
    let mut writer = SegmentWriter::new(dir.path(), task_id, 0, 0, meta.clone(), opts);
    for b in &batches {
        writer
            .add_batch(b)
            .unwrap_or_else(|e| panic!("a well-formed batch refused: {e}"));
    }
    let infos = writer.finish().expect("finish");

    let mut want = shape.batch(&mut Draw::new(&[]), 0);
    for b in &batches {
        append(&mut want, b);
    }
    let total = super::batch_rows(&want);
    assert_eq!(infos.iter().map(|i| i.rows).sum::<u64>(), total as u64);
    let mut got = shape.batch(&mut Draw::new(&[]), 0);
    for info in &infos {
        let name = SegmentName::parse(&info.file_name).expect("a canonical file name");
        assert_eq!((name.task_id, name.shard), (task_id, meta.shard));
        let path = dir.path().join(&info.file_name);
        let size = std::fs::metadata(&path).expect("segment file").len();
        assert_eq!(size, info.bytes, "the writer's byte count");
        assert!(info.rows > 0, "a file without rows");
        let batch = read_checked(&path).expect("a written segment reads back");
        assert_eq!(super::batch_rows(&batch) as u64, info.rows);
        let summary = read_meta(&path).expect("meta");
        assert_eq!(summary.meta, meta);
        append(&mut got, &batch);
    }
    assert!(
        same_batch(&got, &want),
        "rows read back differ from rows written"
    );
}

fn append(dst: &mut RowBatch, src: &RowBatch) {
    for r in 0..super::batch_rows(src) {
        assert!(dst.push_row_from(src, r), "batch shapes differ");
    }
}

/// One column's type, vector dim, element type and mask.
#[derive(Debug, Clone, Copy)]
struct ColumnShape {
    data_type: DataType,
    dim: usize,
    element: DataType,
    nullable: bool,
}

/// The shape every batch of a round trip shares.
#[derive(Debug, Clone)]
struct Shape {
    columns: Vec<ColumnShape>,
    meta: bool,
}

const ELEMENTS: [DataType; 8] = [
    DataType::Bool,
    DataType::Int8,
    DataType::Int16,
    DataType::Int32,
    DataType::Int64,
    DataType::Float,
    DataType::Double,
    DataType::VarChar,
];

impl Shape {
    fn draw(d: &mut Draw) -> Shape {
        let columns = (0..1 + d.below(5))
            .map(|_| {
                let data_type = d.pick(&DataType::ALL);
                let n = 1 + d.below(4);
                let dim = match data_type {
                    DataType::BinaryVector => 8 * n,
                    t if t.is_dense_vector() => n,
                    _ => 0,
                };
                ColumnShape {
                    data_type,
                    dim,
                    element: d.pick(&ELEMENTS),
                    nullable: d.bool(),
                }
            })
            .collect();
        Shape {
            columns,
            meta: d.bool(),
        }
    }

    fn batch(&self, d: &mut Draw, rows: usize) -> RowBatch {
        let columns = self
            .columns
            .iter()
            .map(|c| {
                let mut data = ColumnData::empty_of(c.data_type, c.dim, rows);
                let validity = c.nullable.then(|| (0..rows).map(|_| d.bool()).collect());
                for _ in 0..rows {
                    push_value(d, &mut data, c.element);
                }
                Column { data, validity }
            })
            .collect();
        let meta = self.meta.then(|| (0..rows).map(|_| d.string(8)).collect());
        RowBatch { columns, meta }
    }
}

/// Appends one row of values drawn from `d`.
fn push_value(d: &mut Draw, data: &mut ColumnData, element: DataType) {
    use ColumnData as C;
    match data {
        C::Bool(v) => v.push(d.bool()),
        C::Int8(v) => v.push(d.u8() as i8),
        C::Int16(v) => v.push(d.u16() as i16),
        C::Int32(v) => v.push(d.u32() as i32),
        C::Int64(v) => v.push(d.u64() as i64),
        C::Float(v) => v.push(f32::from_bits(d.u32())),
        C::Double(v) => v.push(f64::from_bits(d.u64())),
        C::VarChar(v) | C::Json(v) => v.push(d.string(12)),
        C::Array(v) => {
            let mut elems = ColumnData::empty_of(element, 0, 0);
            for _ in 0..d.below(4) {
                push_value(d, &mut elems, element);
            }
            v.push(elems);
        }
        C::FloatVector { dim, values } => {
            values.extend((0..*dim).map(|_| f32::from_bits(d.u32())));
        }
        C::BinaryVector { dim, bytes } => bytes.extend((0..*dim / 8).map(|_| d.u8())),
        C::Float16Vector { dim, bits } | C::BFloat16Vector { dim, bits } => {
            bits.extend((0..*dim).map(|_| d.u16()));
        }
        C::SparseFloatVector(v) => {
            let n = d.below(4);
            v.push((0..n).map(|_| (d.u32(), f32::from_bits(d.u32()))).collect());
        }
        C::Int8Vector { dim, values } => values.extend((0..*dim).map(|_| d.u8() as i8)),
        C::Geometry(v) => v.push(d.string(12)),
        C::Timestamptz(v) => v.push(d.u64() as i64),
        C::ArrayOfStruct(v) => {
            // Two members, as a schema would give them: an integer and a 2-dim vector.
            let mut members = vec![
                ColumnData::empty_of(DataType::Int64, 0, 0),
                ColumnData::empty_of(DataType::FloatVector, 2, 0),
            ];
            for _ in 0..d.below(4) {
                members.iter_mut().for_each(|m| push_value(d, m, element));
            }
            v.push(members);
        }
    }
}

fn type_of(data: &ColumnData) -> DataType {
    use ColumnData as C;
    match data {
        C::Bool(_) => DataType::Bool,
        C::Int8(_) => DataType::Int8,
        C::Int16(_) => DataType::Int16,
        C::Int32(_) => DataType::Int32,
        C::Int64(_) => DataType::Int64,
        C::Float(_) => DataType::Float,
        C::Double(_) => DataType::Double,
        C::VarChar(_) => DataType::VarChar,
        C::Json(_) => DataType::Json,
        C::Array(_) => DataType::Array,
        C::FloatVector { .. } => DataType::FloatVector,
        C::BinaryVector { .. } => DataType::BinaryVector,
        C::Float16Vector { .. } => DataType::Float16Vector,
        C::BFloat16Vector { .. } => DataType::BFloat16Vector,
        C::SparseFloatVector(_) => DataType::SparseFloatVector,
        C::Int8Vector { .. } => DataType::Int8Vector,
        C::Geometry(_) => DataType::Geometry,
        C::Timestamptz(_) => DataType::Timestamptz,
        C::ArrayOfStruct(_) => DataType::ArrayOfStruct,
    }
}

/// Equality with floats compared by bits, so NaN payloads must survive too.
fn same_batch(a: &RowBatch, b: &RowBatch) -> bool {
    a.meta == b.meta
        && a.columns.len() == b.columns.len()
        && a.columns
            .iter()
            .zip(&b.columns)
            .all(|(x, y)| x.validity == y.validity && same_data(&x.data, &y.data))
}

fn same_data(a: &ColumnData, b: &ColumnData) -> bool {
    use ColumnData as C;
    let f32s = |x: &[f32], y: &[f32]| {
        x.iter()
            .map(|v| v.to_bits())
            .eq(y.iter().map(|v| v.to_bits()))
    };
    match (a, b) {
        (C::Float(x), C::Float(y)) => f32s(x, y),
        (C::Double(x), C::Double(y)) => x
            .iter()
            .map(|v| v.to_bits())
            .eq(y.iter().map(|v| v.to_bits())),
        (C::FloatVector { dim: m, values: x }, C::FloatVector { dim: n, values: y }) => {
            m == n && f32s(x, y)
        }
        (C::Array(x), C::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same_data(p, q))
        }
        (C::ArrayOfStruct(x), C::ArrayOfStruct(y)) => {
            x.len() == y.len()
                && x.iter().zip(y).all(|(p, q)| {
                    p.len() == q.len() && p.iter().zip(q).all(|(a, b)| same_data(a, b))
                })
        }
        (C::SparseFloatVector(x), C::SparseFloatVector(y)) => {
            x.len() == y.len()
                && x.iter().zip(y).all(|(p, q)| {
                    p.iter()
                        .map(|(i, v)| (*i, v.to_bits()))
                        .eq(q.iter().map(|(i, v)| (*i, v.to_bits())))
                })
        }
        _ => a == b,
    }
}
