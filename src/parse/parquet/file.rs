//! A Parquet file opened against a collection: its footer decoded, its columns matched to
//! the fields by name and their Arrow types checked, before any row is read.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

use arrow_schema::{Field, Schema};
use parquet::arrow::arrow_reader::{ArrowReaderMetadata, ArrowReaderOptions};
use parquet::file::FOOTER_SIZE;
use parquet::file::metadata::{ColumnChunkMetaData, FooterTail};

use super::{FileBytes, ParquetError, json, types};
use crate::parse::json::JsonRowConverter;
use crate::record::Column;
use crate::schema::{CollectionSchema, META_FIELD};
use crate::validate::{self, Fill, Violation};

/// The magic at both ends of a Parquet file.
pub const MAGIC: &[u8; 4] = b"PAR1";

/// Where a field's values come from.
#[derive(Debug, Clone)]
pub(super) enum Source {
    /// The file's column at this index (top-level, as in the Arrow schema).
    Column(usize),
    /// No column: every row gets this.
    Fill(Fill),
}

/// A checked Parquet file: what the workers need to read any of its units.
#[derive(Debug, Clone)]
pub struct ParquetFile {
    pub(super) file: String,
    pub(super) meta: ArrowReaderMetadata,
    pub(super) schema: CollectionSchema,
    /// One per schema field.
    pub(super) sources: Vec<Source>,
    /// Each field's default value as a one-row column.
    pub(super) defaults: Vec<Option<Column>>,
    /// Each Array field's element schema and Array of Struct field's struct schema
    /// ([`validate::nested_schema`]), made once for every batch.
    pub(super) nested: Vec<Option<crate::schema::FieldSchema>>,
    /// The `$meta` column.
    pub(super) meta_column: Option<usize>,
    /// Columns that are not fields, kept in `$meta` (collections with dynamic fields).
    pub(super) dynamic: Vec<(usize, String)>,
}

/// The length of the footer's metadata, from the file's last 8 bytes (for a reader that
/// fetches the footer by ranged reads); the footer then spans the last `len + 8` bytes.
pub fn footer_len(file: &str, tail: &[u8]) -> Result<u64, ParquetError> {
    let tail: [u8; FOOTER_SIZE] = tail.try_into().map_err(|_| {
        ParquetError::damaged(
            file,
            None,
            None,
            format!(
                "{} bytes, shorter than a Parquet footer ({FOOTER_SIZE} bytes)",
                tail.len()
            ),
        )
    })?;
    let len = FooterTail::try_new(&tail)
        .map(|t| t.metadata_length() as u64)
        .map_err(|e| ParquetError::damaged(file, None, None, e))?;
    if len > FOOTER_METADATA_MAX_BYTES {
        return Err(ParquetError::damaged(
            file,
            None,
            None,
            format!(
                "a footer of {len} bytes, over the limit of {FOOTER_METADATA_MAX_BYTES} bytes \
                 (a hostile or damaged file: its metadata is not decoded)"
            ),
        ));
    }
    Ok(len)
}

/// Checks the magic and the footer of `file` and decodes its metadata, with dictionary
/// columns read as their plain values; refuses a column chunk whose range is negative.
pub(super) fn read_meta(
    file: &str,
    bytes: &FileBytes,
) -> Result<ArrowReaderMetadata, ParquetError> {
    use parquet::file::reader::{ChunkReader, Length};
    let damaged = |e| ParquetError::damaged(file, None, None, e);
    let head = bytes.get_bytes(0, MAGIC.len().min(bytes.len() as usize));
    if !head.as_deref().is_ok_and(|h| h == MAGIC) {
        return Err(damaged(format!(
            "bad magic: the file does not start with \"PAR1\" ({} bytes)",
            bytes.len()
        )));
    }
    let len = bytes.len();
    if len >= FOOTER_SIZE as u64 {
        let tail = bytes.get_bytes(len - FOOTER_SIZE as u64, FOOTER_SIZE);
        footer_len(file, tail.as_deref().unwrap_or_default())?;
    }
    let opts = ArrowReaderOptions::new();
    let meta = std::panic::catch_unwind(|| ArrowReaderMetadata::load(bytes, opts))
        .map_err(|p| damaged(super::read::panic_message(&p)))?
        .map_err(|e| damaged(e.to_string()))?;
    let meta = plain_values(meta);
    for (g, rg) in meta.metadata().row_groups().iter().enumerate() {
        for c in rg.columns() {
            if chunk_range(c).is_none() {
                return Err(ParquetError::damaged(
                    file,
                    Some(g as u64),
                    Some(c.column_path().string().as_str()),
                    "the column chunk's offset or length is negative",
                ));
            }
        }
    }
    Ok(meta)
}

/// The largest footer (file metadata) decoded: real files hold kilobytes to a few
/// megabytes; the cap keeps a hostile footer from making the decoder allocate at will.
pub const FOOTER_METADATA_MAX_BYTES: u64 = 64 << 20;

impl ParquetFile {
    /// Decodes the footer of `file` from `bytes` (which must hold the file's first 4 bytes
    /// and its footer) and matches its columns to `schema`.
    pub fn open(
        file: &str,
        schema: &CollectionSchema,
        bytes: &FileBytes,
    ) -> Result<Self, ParquetError> {
        let meta = read_meta(file, bytes)?;
        let defaults = JsonRowConverter::new(schema)
            .map(|c| c.defaults().to_vec())
            .map_err(ParquetError::from)?;
        let columns = meta.schema().fields().clone();
        let mut by_name: HashMap<&str, usize> = HashMap::new();
        let refuse = |v: Violation| ParquetError::Columns {
            file: file.to_string(),
            violation: v,
        };
        for (i, c) in columns.iter().enumerate() {
            if by_name.insert(c.name(), i).is_some() {
                return Err(refuse(Violation::new(
                    c.name(),
                    "each column once",
                    format!("two columns named \"{}\"", c.name()),
                )));
            }
        }
        let mut sources = Vec::with_capacity(schema.fields.len());
        for (i, field) in schema.fields.iter().enumerate() {
            let Some(&col) = by_name.get(field.name.as_str()) else {
                let fill = validate::missing(schema, i, field.default_value.is_some()).map_err(
                    |mut v| {
                        v.found = "no column (the field is missing)".into();
                        refuse(v)
                    },
                )?;
                sources.push(Source::Fill(fill));
                continue;
            };
            if schema.is_generated(i) {
                return Err(refuse(validate::auto_id_given(
                    field,
                    format!("a column \"{}\"", field.name),
                )));
            }
            let t = columns[col].data_type();
            if !types::accepts(field, t) {
                return Err(ParquetError::ColumnType {
                    file: file.to_string(),
                    field: field.name.clone(),
                    data_type: field.data_type,
                    expected: types::expected(field),
                    found: t.to_string(),
                });
            }
            sources.push(Source::Column(col));
        }
        let mut meta_column = None;
        let mut dynamic = Vec::new();
        for (i, c) in columns.iter().enumerate() {
            let name = c.name().as_str();
            if schema.field(name).is_some() {
                continue;
            }
            if !schema.enable_dynamic_field {
                return Err(refuse(validate::unknown_key(name)));
            }
            if name == META_FIELD {
                if !types::is_string(c.data_type())
                    && *c.data_type() != arrow_schema::DataType::Null
                {
                    return Err(refuse(validate::meta_shape(format!(
                        "a column of Arrow type {}",
                        c.data_type()
                    ))));
                }
                meta_column = Some(i);
            } else if json::holds(c.data_type()) {
                dynamic.push((i, name.to_string()));
            } else {
                return Err(refuse(Violation::new(
                    name,
                    "a dynamic column of a type JSON can hold (bool, numbers, strings, lists, structs)",
                    format!("Arrow type {}", c.data_type()),
                )));
            }
        }
        Ok(ParquetFile {
            file: file.to_string(),
            meta,
            schema: schema.clone(),
            sources,
            defaults,
            nested: schema.fields.iter().map(validate::nested_schema).collect(),
            meta_column,
            dynamic,
        })
    }

    /// The file name.
    pub fn name(&self) -> &str {
        &self.file
    }

    /// Rows in the file.
    pub fn rows(&self) -> u64 {
        self.meta.metadata().file_metadata().num_rows().max(0) as u64
    }

    /// The columns read (fields, `$meta`, dynamic columns), by index.
    pub(super) fn projection(&self) -> Vec<usize> {
        let mut cols: Vec<usize> = self
            .sources
            .iter()
            .filter_map(|s| match s {
                Source::Column(c) => Some(*c),
                Source::Fill(_) => None,
            })
            .chain(self.meta_column)
            .chain(self.dynamic.iter().map(|d| d.0))
            .collect();
        cols.sort_unstable();
        cols
    }

    /// Decoded bytes a row of row group `row_group` takes, about: the uncompressed size of
    /// the chunks of the columns read (or their unencoded size, when the writer recorded it
    /// and it is larger: strings behind a dictionary), over the group's rows; at least 1.
    pub fn row_bytes(&self, row_group: usize) -> u64 {
        let md = self.meta.metadata();
        let Some(rg) = md.row_groups().get(row_group) else {
            return 1;
        };
        let schema = md.file_metadata().schema_descr();
        let roots = self.projection();
        let bytes: u64 = (0..rg.num_columns())
            .filter(|&c| roots.contains(&schema.get_column_root_idx(c)))
            .map(|c| {
                let col = rg.column(c);
                let plain = u64::try_from(col.uncompressed_size()).unwrap_or(0);
                let unencoded = col
                    .unencoded_byte_array_data_bytes()
                    .and_then(|b| u64::try_from(b).ok())
                    .unwrap_or(0);
                plain.max(unencoded)
            })
            .fold(0, u64::saturating_add);
        (bytes / rg.num_rows().max(1) as u64).max(1)
    }

    /// Bytes of row group `row_group` a ranged reader fetches (the chunks of the columns
    /// read), or [`ParquetError::RowGroupTooLarge`] when they are over a quarter of `budget`.
    pub fn fetch_bytes(
        &self,
        row_group: usize,
        file_len: u64,
        budget: u64,
    ) -> Result<u64, ParquetError> {
        let bytes = self
            .chunk_ranges(row_group, file_len)
            .iter()
            .map(|r| r.end - r.start)
            .sum();
        let limit = budget / 4;
        if bytes > limit {
            return Err(ParquetError::RowGroupTooLarge {
                file: self.file.clone(),
                row_group: row_group as u64,
                bytes,
                limit,
                budget,
            });
        }
        Ok(bytes)
    }

    /// The byte ranges of row group `row_group` the reader needs (the chunks of the
    /// columns read), for a file fetched by ranged reads; clamped to the file's length.
    pub fn chunk_ranges(&self, row_group: usize, file_len: u64) -> Vec<Range<u64>> {
        let md = self.meta.metadata();
        let Some(rg) = md.row_groups().get(row_group) else {
            return Vec::new();
        };
        let schema = md.file_metadata().schema_descr();
        let roots = self.projection();
        (0..rg.num_columns())
            .filter(|&c| roots.contains(&schema.get_column_root_idx(c)))
            .map(|c| {
                let (start, len) = chunk_range(rg.column(c)).unwrap_or((0, 0));
                start.min(file_len)..start.saturating_add(len).min(file_len)
            })
            .collect()
    }
}

/// The file's metadata with every dictionary-typed column (pyarrow's `dictionary_encode()`,
/// pandas' `category`) asked of the decoder as its value type, so that its values come out
/// plain, with no dictionary to unpack. When the decoder cannot read a column so, the
/// metadata is kept as it is and the type check refuses the column, naming its type.
fn plain_values(meta: ArrowReaderMetadata) -> ArrowReaderMetadata {
    let schema = meta.schema();
    if !schema
        .fields()
        .iter()
        .any(|f| types::has_dictionary(f.data_type()))
    {
        return meta;
    }
    let fields: Vec<Field> = schema
        .fields()
        .iter()
        .map(|f| {
            f.as_ref()
                .clone()
                .with_data_type(types::undictionary(f.data_type()))
        })
        .collect();
    let plain = Arc::new(Schema::new_with_metadata(fields, schema.metadata().clone()));
    let opts = ArrowReaderOptions::new().with_schema(plain);
    let md = meta.metadata().clone();
    let plain = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        ArrowReaderMetadata::try_new(md, opts)
    }));
    match plain {
        Ok(Ok(m)) => m,
        _ => meta,
    }
}

/// A column chunk's first byte and length (dictionary page first), or `None` when the
/// metadata gives a negative one (`ColumnChunkMetaData::byte_range` panics on those).
fn chunk_range(c: &ColumnChunkMetaData) -> Option<(u64, u64)> {
    let start = c.dictionary_page_offset().unwrap_or(c.data_page_offset());
    Some((
        u64::try_from(start).ok()?,
        u64::try_from(c.compressed_size()).ok()?,
    ))
}
