//! `csv_rows`: any bytes as a CSV file, framed and parsed against a fixed schema (Int64
//! key, VarChar(8), Float, FloatVector(4), JSON, dynamic fields on), with the default `,`
//! separator and with `;`, as the pipeline does: header, then units parsed one by one.
//!
//! Properties:
//! * nothing panics; every batch has one value per row in every column, mask and `$meta`;
//! * the framer over the whole file gives the same header, records and error at every unit
//!   size (0: one record per unit, 7, 64, unbounded): each unit holds whole records, those
//!   of its rows (blank lines between records may go to either side);
//! * `StreamFramer`, fed the file in chunks of 1, 5, 64 or all bytes, gives the header,
//!   units (with the file's bytes) and error the framer gives on the whole file;
//! * parsing the units gives the same batch and the same error however the file is cut into
//!   units; a bad row names the file and the row after the rows accepted;
//! * [`Cells`] reads the records and cells csv-core (the reader it replaced) reads: blank
//!   lines left out, one `\r` dropped from a record's last cell.

use std::sync::OnceLock;

use vecload::parse::csv::{
    Cells, CsvError, CsvHeader, CsvOptions, CsvRowConverter, CsvUnit, Framer, Step, StreamFramer,
    StreamStep,
};
use vecload::record::RowBatch;
use vecload::schema::CollectionSchema;
use vecload::validate::RowError;

/// The schema (see the module docs).
pub const SCHEMA: &str = r#"{"collectionName": "fuzz_csv",
 "schema": {"autoId": false, "enableDynamicField": true, "fields": [
  {"fieldName": "id", "dataType": "Int64", "isPrimary": true},
  {"fieldName": "s", "dataType": "VarChar", "elementTypeParams": {"max_length": 8}},
  {"fieldName": "f", "dataType": "Float"},
  {"fieldName": "v", "dataType": "FloatVector", "elementTypeParams": {"dim": 4}},
  {"fieldName": "j", "dataType": "JSON"}]}}"#;

/// The file name errors carry.
const FILE: &str = "fuzz.csv";
/// The separators tried.
pub const SEPS: [u8; 2] = [b',', b';'];
/// The unit sizes compared, in bytes (0: one record per unit).
pub const UNIT_SIZES: [usize; 4] = [0, 7, 64, usize::MAX];
/// The chunk sizes a streamed file arrives in, in bytes.
pub const CHUNK_SIZES: [usize; 4] = [1, 5, 64, usize::MAX];

fn schema() -> &'static CollectionSchema {
    static SCHEMA_PARSED: OnceLock<CollectionSchema> = OnceLock::new();
    SCHEMA_PARSED.get_or_init(|| {
        CollectionSchema::from_json(SCHEMA.as_bytes(), 16).expect("the fuzz schema is valid")
    })
}

/// Frames and parses `data` with both separators and checks every property.
pub fn check(data: &[u8]) {
    for sep in SEPS {
        // A byte-order mark at the start is the framer's to skip (csv-core skips it too).
        let body = data.strip_prefix(b"\xef\xbb\xbf").unwrap_or(data);
        assert_eq!(
            cells(body, sep),
            csv_core_cells(body, sep),
            "the cells are not csv-core's"
        );
        let runs: Vec<Framed> = UNIT_SIZES.iter().map(|&s| frame(data, sep, s)).collect();
        let records = &runs[0];
        for (size, run) in UNIT_SIZES.iter().zip(&runs) {
            assert_eq!(
                run.header, records.header,
                "unit size {size} changes the header"
            );
            assert_eq!(
                run.error, records.error,
                "unit size {size} changes the error"
            );
            same_records(&run.units, &records.units, *size, run.error.is_none());
        }
        for (chunk, size) in CHUNK_SIZES.iter().zip([0, 64, 7, usize::MAX]) {
            let want = &runs[UNIT_SIZES.iter().position(|&s| s == size).unwrap_or(0)];
            let streamed = stream(data, sep, *chunk, size);
            assert_eq!(
                streamed.header, want.header,
                "chunks of {chunk} change the header"
            );
            assert_eq!(
                streamed.error, want.error,
                "chunks of {chunk} change the error"
            );
            assert_eq!(
                streamed.units, want.units,
                "chunks of {chunk} change the units"
            );
        }
        let Some((text, line)) = &records.header else {
            assert!(records.error.is_some(), "no header and no error");
            continue;
        };
        let opts = CsvOptions {
            sep,
            null_key: String::new(),
        };
        let header = match CsvHeader::parse(FILE, *line, text, sep, schema()) {
            Ok(h) => h,
            Err(e) => {
                assert!(
                    e.to_string().contains(FILE),
                    "an error without the file: {e}"
                );
                continue;
            }
        };
        if records.error.is_some() {
            continue; // units differ by unit size before a framing error
        }
        let parsed: Vec<Parsed> = runs
            .iter()
            .map(|run| parse(data, &header, &opts, &run.units))
            .collect();
        for (size, p) in UNIT_SIZES.iter().zip(&parsed) {
            assert_eq!(
                p.error, parsed[0].error,
                "unit size {size} changes the error"
            );
            assert!(
                p.batch == parsed[0].batch,
                "unit size {size} changes the rows"
            );
        }
    }
}

/// What the framer gave: the header, the units, the error.
#[derive(Debug)]
pub struct Framed {
    /// The header record's bytes and line.
    pub header: Option<(Vec<u8>, u64)>,
    /// Every unit, in order.
    pub units: Vec<CsvUnit>,
    /// The error that ended framing.
    pub error: Option<CsvError>,
}

/// Frames the whole of `data` in units of `size` bytes, checking that units are
/// consecutive and within the file.
pub fn frame(data: &[u8], sep: u8, size: usize) -> Framed {
    let mut framer = Framer::new(sep);
    let mut out = Framed {
        header: None,
        units: Vec::new(),
        error: None,
    };
    loop {
        match framer.next(FILE, data, 0, true, size) {
            Err(e) => {
                assert!(
                    e.to_string().contains(FILE),
                    "an error without the file: {e}"
                );
                out.error = Some(e);
                return out;
            }
            Ok(Step::Header { start, end, line }) => {
                assert!(out.header.is_none(), "two headers");
                let text = data.get(start as usize..end as usize);
                out.header = Some((text.expect("a header within the file").to_vec(), line));
            }
            Ok(Step::Unit(unit)) => {
                assert!(out.header.is_some(), "a unit before the header");
                let rows: u64 = out.units.iter().map(|u| u.rows).sum();
                assert_eq!(unit.first_row, rows, "units are not consecutive");
                assert!(unit.rows >= 1, "an empty unit");
                let prev = out.units.last().map_or(0, |u| u.end);
                assert!(prev <= unit.start && unit.start < unit.end, "units overlap");
                assert!(unit.end <= data.len() as u64, "a unit past the file");
                out.units.push(unit);
            }
            Ok(Step::NeedMore) => panic!("more bytes wanted with the whole file given"),
            Ok(Step::Done) => {
                assert!(out.header.is_some(), "done without a header");
                return out;
            }
        }
    }
}

/// `units` (of unit size `size`) are whole records of `records` (one record per unit).
/// After a framing error, a unit still open when it came is missing.
fn same_records(units: &[CsvUnit], records: &[CsvUnit], size: usize, complete: bool) {
    let rows: u64 = units.iter().map(|u| u.rows).sum();
    if complete {
        assert_eq!(
            rows,
            records.len() as u64,
            "unit size {size} changes the rows"
        );
    }
    assert!(rows <= records.len() as u64, "unit size {size} adds rows");
    // Blank lines between records go to either side: a unit holds its records, whole,
    // from after the record before its first to before the end of the record after its last.
    for u in units {
        let first = u.first_row as usize;
        let last = (u.first_row + u.rows - 1) as usize;
        let before = first.checked_sub(1).map_or(0, |k| records[k].end);
        let after = records.get(last + 1).map_or(u64::MAX, |r| r.end);
        assert!(
            before <= u.start && u.start < records[first].end,
            "unit size {size}: {u:?} does not start at its first record ({:?})",
            records[first]
        );
        assert!(
            records[last].end <= u.end && u.end < after,
            "unit size {size}: {u:?} does not end at its last record ({:?})",
            records[last]
        );
    }
}

/// Frames `data` fed to a `StreamFramer` in chunks of `chunk` bytes, in units of `size`.
pub fn stream(data: &[u8], sep: u8, chunk: usize, size: usize) -> Framed {
    let mut framer = StreamFramer::new(sep);
    let mut chunks = data.chunks(chunk.max(1));
    let mut finished = false;
    let mut out = Framed {
        header: None,
        units: Vec::new(),
        error: None,
    };
    loop {
        match framer.next(FILE, size) {
            Err(e) => {
                out.error = Some(e);
                return out;
            }
            Ok(StreamStep::Header(text, line)) => {
                assert!(out.header.is_none(), "two headers");
                out.header = Some((text, line));
            }
            Ok(StreamStep::Unit(unit, bytes)) => {
                assert_eq!(
                    data.get(unit.start as usize..unit.end as usize),
                    Some(bytes.as_slice()),
                    "a unit's bytes are not the file's"
                );
                out.units.push(unit);
            }
            Ok(StreamStep::NeedMore) => match chunks.next() {
                Some(c) => framer.push(c),
                None => {
                    assert!(!finished, "more bytes wanted after the end of the file");
                    framer.finish();
                    finished = true;
                }
            },
            Ok(StreamStep::Done) => {
                assert!(finished, "done before the end of the file was said");
                return out;
            }
        }
    }
}

/// The rows parsed before the first bad row, and its error.
#[derive(Debug)]
pub struct Parsed {
    /// The rows accepted.
    pub batch: RowBatch,
    /// The first bad row.
    pub error: Option<RowError>,
}

/// Parses `units` of `data` one by one, each into a fresh batch appended to the rows, as the
/// pipeline's workers do, until the first bad row.
pub fn parse(data: &[u8], header: &CsvHeader, opts: &CsvOptions, units: &[CsvUnit]) -> Parsed {
    let mut conv = CsvRowConverter::new(schema(), header.clone(), opts.clone())
        .expect("the fuzz schema's defaults fit");
    let mut out = Parsed {
        batch: RowBatch::empty(schema(), 0),
        error: None,
    };
    for unit in units {
        let bytes = &data[unit.start as usize..unit.end as usize];
        let before = out.batch.len();
        let r = conv.parse_unit(FILE, bytes, unit, &mut out.batch);
        let rows = super::batch_rows(&out.batch);
        assert!(rows >= before, "a unit took rows away");
        if let Err(e) = r {
            assert_eq!(e.location.file, FILE, "an error without the file");
            assert_eq!(
                e.location.row, rows as u64,
                "the bad row is not the one after the rows accepted"
            );
            assert!(
                e.location.row < unit.first_row + unit.rows,
                "a bad row past its unit"
            );
            out.error = Some(e);
            return out;
        }
        assert_eq!(rows as u64, unit.first_row + unit.rows, "a unit lost rows");
    }
    out
}

/// The records [`Cells`] reads in `data`, each as its cells.
pub fn cells(data: &[u8], sep: u8) -> Vec<Vec<Vec<u8>>> {
    let (mut cells, mut pos, mut records) = (Cells::default(), 0, Vec::new());
    while let Some(start) = cells.read(data, sep, &mut pos) {
        assert!(
            start < pos && pos <= data.len(),
            "a record outside the input"
        );
        records.push(
            (0..cells.len())
                .map(|k| cells.get(data, k).to_vec())
                .collect(),
        );
    }
    assert_eq!(pos, data.len(), "input left after the last record");
    records
}

/// The records csv-core reads in `data` (records end at `\n`), blank lines (empty, or a
/// lone `\r`) left out, one `\r` dropped from each record's last cell. csv-core skips a
/// byte-order mark at the start of its input: it is given one, so that `data` is read whole.
pub fn csv_core_cells(data: &[u8], sep: u8) -> Vec<Vec<Vec<u8>>> {
    let mut rdr = csv_core::ReaderBuilder::new()
        .delimiter(sep)
        .terminator(csv_core::Terminator::Any(b'\n'))
        .build();
    let input = [&b"\xef\xbb\xbf"[..], data].concat();
    let (mut out, mut ends) = (vec![0u8; input.len() + 1], vec![0usize; input.len() + 2]);
    let (mut pos, mut records) = (0, Vec::new());
    loop {
        let start = pos.max(3);
        let (mut o, mut e) = (0, 0);
        loop {
            let (res, i, no, ne) = rdr.read_record(&input[pos..], &mut out[o..], &mut ends[e..]);
            (pos, o, e) = (pos + i, o + no, e + ne);
            match res {
                csv_core::ReadRecordResult::Record => break,
                csv_core::ReadRecordResult::End => return records,
                _ => {}
            }
        }
        let raw = &input[start..pos];
        let raw = &raw[raw.iter().take_while(|&&b| b == b'\n').count()..];
        let raw = raw.strip_suffix(b"\n").unwrap_or(raw);
        if raw.is_empty() || raw == b"\r" {
            continue;
        }
        let mut cells: Vec<Vec<u8>> = Vec::with_capacity(e);
        let mut from = 0;
        for &end in &ends[..e] {
            cells.push(out[from..end].to_vec());
            from = end;
        }
        if let Some(last) = cells.last_mut()
            && last.last() == Some(&b'\r')
        {
            last.pop();
        }
        records.push(cells);
    }
}
