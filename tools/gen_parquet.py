#!/usr/bin/env python3
"""Writes the Parquet fixtures: data/parquet/pass/*, data/parquet/fail/* and data/book/book.parquet.

Needs pyarrow (the test venv .ci/venv has it through pymilvus; scripts/test.sh creates it):

    .ci/venv/bin/python tools/gen_parquet.py

Each case is a directory with schema.json (docs/formats.md, "Schema file"), input.parquet and
expected.json (pass: the rows as vecload's row_to_json prints them, in file order, auto-id
keys left out) or error.txt (fail: substrings the error message must contain, one a line).
Values are chosen so that float32 rounding prints them back unchanged. The output is
deterministic for a given pyarrow version (created_by names it).
"""

import json
import shutil
import struct
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "data" / "parquet"


def field(name, dtype, **kw):
    f = {"fieldName": name, "dataType": dtype}
    params = {}
    for k in ("dim", "max_length", "max_capacity"):
        if k in kw:
            params[k] = kw.pop(k)
    if params:
        f["elementTypeParams"] = params
    if "element" in kw:
        f["elementDataType"] = kw.pop("element")
    if kw.pop("primary", False):
        f["isPrimary"] = True
    if kw.pop("nullable", False):
        f["nullable"] = True
    if "default" in kw:
        f["defaultValue"] = kw.pop("default")
    assert not kw, kw
    return f


def schema(fields, auto_id=False, dynamic=False):
    return {
        "collectionName": "c",
        "schema": {"autoId": auto_id, "enableDynamicField": dynamic, "fields": fields},
        "params": {"shardsNum": 1},
    }


ID = field("id", "Int64", primary=True)
VEC = field("v", "FloatVector", dim=2)
F32 = pa.float32()


def lst(t):
    return pa.list_(t)


def write(path, table, **kw):
    kw.setdefault("compression", "snappy")
    pq.write_table(table, path, **kw)


def case(kind, name, sch, table, result, **kw):
    d = OUT / kind / name
    d.mkdir(parents=True)
    (d / "schema.json").write_text(json.dumps(sch, indent=1) + "\n")
    path = d / "input.parquet"
    if isinstance(table, bytes):
        path.write_bytes(table)
    else:
        write(path, table, **kw)
    if kind == "pass":
        text = "[\n" + ",\n".join(json.dumps(r) for r in result) + "\n]\n"
        (d / "expected.json").write_text(text)
    else:
        (d / "error.txt").write_text("\n".join(result) + "\n")
    return path


def tbl(columns):
    """A table from (name, type, values) triples, in order."""
    return pa.table({n: pa.array(v, type=t) for n, t, v in columns})


def rows(columns):
    names = [c[0] for c in columns]
    return [dict(zip(names, vals)) for vals in zip(*[c[2] for c in columns])]


def book_columns():
    return [
        ("book_id", pa.int64(), [101, 102, 103, 104, 105]),
        ("word_count", pa.int64(), [13, 25, 7, 12, 34]),
        ("book_intro", lst(F32), [[1.5, 1.25], [2.5, 2.25], [3.5, 3.25], [4.5, 4.25], [5.5, 5.25]]),
    ]


BOOK_SCHEMA = schema(
    [field("book_id", "Int64", primary=True), field("word_count", "Int64"), field("book_intro", "FloatVector", dim=2)]
)


def halves(fmt, values):
    return list(struct.pack("<%d%s" % (len(values), fmt), *values))


def bf16(values):
    return list(b"".join(struct.pack("<f", v)[2:] for v in values))


def passes():
    base = [("id", pa.int64(), [1, 2, 3]), ("v", lst(F32), [[1.0, 2.0], [0.5, -0.5], [0.0, 3.0]])]

    scal = base + [
        ("b", pa.bool_(), [True, False, True]),
        ("i8", pa.int8(), [-128, 0, 127]),
        ("i16", pa.int16(), [-32768, 1, 32767]),
        ("i32", pa.int32(), [-(2**31), 2, 2**31 - 1]),
        ("i64", pa.int64(), [-(2**63), 3, 2**63 - 1]),
        ("f", F32, [1.5, -0.25, 3.0e38]),
        ("d", pa.float64(), [0.1, -2.5, 1e300]),
        ("s", pa.string(), ["", "héllo", "abc"]),
        ("j", pa.string(), ['{"a": 1}', "[1, 2]", '"x"']),
    ]
    fields = [ID, VEC, field("b", "Bool"), field("i8", "Int8"), field("i16", "Int16"), field("i32", "Int32"),
              field("i64", "Int64"), field("f", "Float"), field("d", "Double"),
              field("s", "VarChar", max_length=6), field("j", "JSON")]
    want = rows(scal)
    for r in want:
        r["j"] = json.loads(r["j"])
    case("pass", "scalars", schema(fields), tbl(scal), want)

    wide = base + [
        ("a", pa.int8(), [1, -2, 3]),
        ("b", pa.int16(), [300, -300, 0]),
        ("c", pa.int32(), [7, 8, 9]),
        ("d", F32, [0.5, 1.5, 2.5]),
        ("e", pa.uint8(), [0, 100, 255]),
        ("g", pa.int64(), [1, 2, 3]),
    ]
    fields = [ID, VEC, field("a", "Int64"), field("b", "Int32"), field("c", "Float"), field("d", "Double"),
              field("e", "Int16"), field("g", "Int8")]
    want = rows(wide)
    for r in want:
        r["c"] = float(r["c"])
    case("pass", "integer_and_float_widening", schema(fields), tbl(wide), want)

    vecs = [
        ("id", pa.int64(), [1, 2]),
        ("v", lst(pa.float64()), [[1.0, 2.0], [0.5, 0.25]]),
        ("vi", lst(pa.int32()), [[1, 2], [-3, 4]]),
        ("vf", pa.list_(F32, 2), [[1.5, 2.5], [3.5, 4.5]]),
        ("vl", pa.large_list(F32), [[0.0, 1.0], [2.0, 3.0]]),
    ]
    fields = [ID, VEC, field("vi", "FloatVector", dim=2), field("vf", "FloatVector", dim=2),
              field("vl", "FloatVector", dim=2)]
    want = rows(vecs)
    for r in want:
        r["vi"] = [float(x) for x in r["vi"]]
    case("pass", "float_vector_forms", schema(fields), tbl(vecs), want)

    # Byte vectors, split in two collections: Milvus 2.5 allows at most 4 vector fields.
    bv = base[:2] + [
        ("bl", lst(pa.uint8()), [[1, 255], [0, 7], [128, 64]]),
        ("bb", pa.binary(), [b"\x01\xff", b"\x00\x07", b"\x80\x40"]),
        ("z", lst(pa.uint8()), [bf16([1.0, -2.0]), bf16([3.0, 0.5]), bf16([0.0, 1.5])]),
    ]
    fields = [ID, VEC, field("bl", "BinaryVector", dim=16), field("bb", "BinaryVector", dim=16),
              field("z", "BFloat16Vector", dim=2)]
    want = rows(base)
    for r, bl, z in zip(want, [[1, 255], [0, 7], [128, 64]], [[1.0, -2.0], [3.0, 0.5], [0.0, 1.5]]):
        r.update({"bl": bl, "bb": bl, "z": z})
    case("pass", "byte_vectors", schema(fields), tbl(bv), want)

    hv = base[:2] + [
        ("h", lst(pa.uint8()), [halves("e", [1.0, -2.0]), halves("e", [0.5, 0.0]), halves("e", [65504.0, 0.25])]),
        ("hb", pa.binary(), [bytes(halves("e", [1.0, 2.0]))] * 3),
        ("hf", lst(F32), [[1.0, 0.5], [2.0, 4.0], [-1.0, 0.0]]),
    ]
    fields = [ID, VEC, field("h", "Float16Vector", dim=2), field("hb", "Float16Vector", dim=2),
              field("hf", "Float16Vector", dim=2)]
    want = rows(base)
    for r, h, hf in zip(want, [[1.0, -2.0], [0.5, 0.0], [65504.0, 0.25]],
                        [[1.0, 0.5], [2.0, 4.0], [-1.0, 0.0]]):
        r.update({"h": h, "hb": [1.0, 2.0], "hf": hf})
    case("pass", "float16_vectors", schema(fields), tbl(hv), want)

    # Int8Vector (Milvus 2.6): list<int8> as pymilvus writes it, fixed_size_list<int8>, and
    # wider integer lists whose values are in range.
    i8rows = [[-128, 0, 127], [1, -1, 2], [-5, 100, -100]]
    iv = base[:2] + [
        ("i8", lst(pa.int8()), i8rows),
        ("fx", pa.list_(pa.int8(), 3), i8rows),
        ("wide", lst(pa.int32()), i8rows),
    ]
    fields = [ID, VEC] + [field(n, "Int8Vector", dim=3) for n in ("i8", "fx", "wide")]
    want = rows(base[:2])
    for r, v in zip(want, i8rows):
        r.update({"i8": v, "fx": v, "wide": v})
    case("pass", "int8_vectors", schema(fields), tbl(iv), want)

    sp = base + [("sp", pa.string(), ['{"1": 2.0, "5": 0.5}', '{"indices": [3, 0], "values": [1.5, 0.0]}', "{}"])]
    fields = [ID, VEC, field("sp", "SparseFloatVector")]
    want = rows(base)
    for r, s in zip(want, [{"1": 2.0, "5": 0.5}, {"0": 0.0, "3": 1.5}, {}]):
        r["sp"] = s
    case("pass", "sparse_json_strings", schema(fields), tbl(sp), want)

    st_type = pa.struct([("indices", lst(pa.uint32())), ("values", lst(F32))])
    sp = base + [("sp", st_type, [{"indices": [5, 1], "values": [0.5, 2.0]}, {"indices": [], "values": []},
                                  {"indices": [4294967294], "values": [1.0]}])]
    want = rows(base)
    for r, s in zip(want, [{"1": 2.0, "5": 0.5}, {}, {"4294967294": 1.0}]):
        r["sp"] = s
    case("pass", "sparse_struct", schema(fields), tbl(sp), want)

    meta = base + [("$meta", pa.string(), ['{"color": "red", "n": 1}', None, "{}"])]
    want = rows(base)
    want[0].update({"color": "red", "n": 1})
    case("pass", "meta_column", schema([ID, VEC], dynamic=True), tbl(meta), want)

    dyn = base + [
        ("$meta", pa.string(), ['{"color": "red"}', None, '{"z": [1]}']),
        ("age", pa.int32(), [30, None, 5]),
        ("tag", pa.string(), ["a", "b", "c"]),
        ("xs", lst(pa.int64()), [[1], [], [2, 3]]),
    ]
    want = rows(base)
    want[0].update({"age": 30, "color": "red", "tag": "a", "xs": [1]})
    want[1].update({"age": None, "tag": "b", "xs": []})
    want[2].update({"age": 5, "tag": "c", "xs": [2, 3], "z": [1]})
    case("pass", "dynamic_columns", schema([ID, VEC], dynamic=True), tbl(dyn), want)

    nul = base + [
        ("nb", pa.bool_(), [None, True, False]),
        ("ni", pa.int32(), [1, None, 3]),
        ("ns", pa.string(), [None, "ab", None]),
        ("nj", pa.string(), ['{"a": null}', None, None]),
        ("na", lst(pa.int32()), [None, [1, -1], []]),
        ("nd", pa.float64(), [None, None, None]),
        ("nn", pa.null(), [None, None, None]),
    ]
    fields = [ID, VEC, field("nb", "Bool", nullable=True), field("ni", "Int32", nullable=True),
              field("ns", "VarChar", nullable=True, max_length=4), field("nj", "JSON", nullable=True),
              field("na", "Array", element="Int32", max_capacity=2, nullable=True),
              field("nd", "Double", nullable=True), field("nn", "VarChar", nullable=True, max_length=2),
              field("absent", "Int64", nullable=True)]
    want = rows(nul)
    want[0]["nj"] = {"a": None}
    for r in want:
        r["absent"] = None
    case("pass", "nullable_with_nulls", schema(fields), tbl(nul), want)

    dflt = base + [("di", pa.int32(), [None, 5, None]), ("ds", pa.string(), ["q", None, None])]
    fields = [ID, VEC, field("di", "Int32", default=7), field("ds", "VarChar", max_length=4, default="x"),
              field("df", "Float", default=0.5), field("dn", "VarChar", max_length=4, nullable=True, default="y")]
    want = rows(dflt)
    for r, di, ds in zip(want, [7, 5, 7], ["q", "x", "x"]):
        r.update({"di": di, "ds": ds, "df": 0.5, "dn": "y"})
    case("pass", "default_values", schema(fields), tbl(dflt), want)

    arr = base + [
        ("ai", lst(pa.int8()), [[1, 2, 3], [], [-128]]),
        ("al", pa.large_list(pa.int64()), [[1], [2, 3], []]),
        ("as", lst(pa.string()), [["ab"], ["", "xyz"], []]),
        ("ad", lst(pa.float64()), [[0.5], [], [1e300]]),
        ("af", lst(F32), [[1.5], [2.5, 3.5], []]),
        ("ab", lst(pa.bool_()), [[True], [False, True], []]),
        ("aw", lst(pa.int8()), [[1], [2], [3]]),
    ]
    fields = [ID, VEC, field("ai", "Array", element="Int8", max_capacity=3),
              field("al", "Array", element="Int64", max_capacity=2),
              field("as", "Array", element="VarChar", max_capacity=2, max_length=3),
              field("ad", "Array", element="Double", max_capacity=2),
              field("af", "Array", element="Float", max_capacity=2),
              field("ab", "Array", element="Bool", max_capacity=2),
              field("aw", "Array", element="Int64", max_capacity=1)]
    case("pass", "arrays", schema(fields), tbl(arr), rows(arr))

    large = [
        ("id", pa.int64(), [1, 2]),
        ("v", pa.large_list(F32), [[1.0, 2.0], [3.0, 4.0]]),
        ("s", pa.large_string(), ["a", "bc"]),
        ("j", pa.large_string(), ['{"k": 1}', "{}"]),
        ("bb", pa.large_binary(), [b"\x01\x02", b"\x03\x04"]),
        ("$meta", pa.large_string(), ['{"m": 1}', "{}"]),
    ]
    fields = [ID, VEC, field("s", "VarChar", max_length=2), field("j", "JSON"), field("bb", "BinaryVector", dim=16)]
    want = [{"id": 1, "v": [1.0, 2.0], "s": "a", "j": {"k": 1}, "bb": [1, 2], "m": 1},
            {"id": 2, "v": [3.0, 4.0], "s": "bc", "j": {}, "bb": [3, 4]}]
    case("pass", "large_types", schema(fields, dynamic=True), tbl(large), want)

    auto = [("n", pa.int32(), [5, 6, 7]), ("v", lst(F32), [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])]
    case("pass", "auto_id", schema([ID, field("n", "Int32"), VEC], auto_id=True), tbl(auto), rows(auto))

    vpk = [("pk", pa.string(), ["b", "a"]), ("v", lst(F32), [[1.0, 2.0], [3.0, 4.0]])]
    case("pass", "varchar_primary_key", schema([field("pk", "VarChar", primary=True, max_length=4), VEC]),
         tbl(vpk), rows(vpk))

    many = [("id", pa.int64(), list(range(10))), ("v", lst(F32), [[float(i), 0.5] for i in range(10)]),
            ("s", pa.string(), ["r%d" % i for i in range(10)])]
    fields = [ID, VEC, field("s", "VarChar", max_length=3)]
    case("pass", "row_groups", schema(fields), tbl(many), rows(many), row_group_size=3)
    case("pass", "data_page_v2", schema(fields), tbl(many), rows(many), data_page_version="2.0",
         row_group_size=4)
    case("pass", "zero_rows", schema(fields), tbl([(n, t, []) for n, t, _ in many]), [])
    # Dictionary-typed columns (pyarrow's dictionary_encode()): read as their values.
    dct = tbl([("id", pa.int64(), [1, 2, 3, 4, 5]), ("v", lst(F32), [[1.0, 2.0]] * 5)])
    dict_cols = [
        ("s", pa.array(["a", "bc", "a", None, "bc"])),
        ("ls", pa.array(["x", "y", "x", "y", "x"], pa.large_string())),
        ("n", pa.array([7, 7, -3, 7, 100], pa.int64())),
        ("u", pa.array([1, 2, 1, 2, 1], pa.uint8())),
        ("b", pa.array([b"\x01\x02", b"\x03\x04", b"\x01\x02", b"\x01\x02", b"\x03\x04"])),
        ("j", pa.array(['{"k": 1}', "{}", '{"k": 1}', "{}", '{"k": 1}'])),
    ]
    for name, values in dict_cols:
        dct = dct.append_column(name, values.dictionary_encode())
    fields = [ID, VEC, field("s", "VarChar", max_length=2, nullable=True), field("ls", "VarChar", max_length=1),
              field("n", "Int16"), field("u", "Int64"), field("b", "BinaryVector", dim=16), field("j", "JSON")]
    want = []
    for i in range(5):
        r = {"id": i + 1, "v": [1.0, 2.0]}
        for name, values in dict_cols:
            v = values[i].as_py()
            r[name] = list(v) if name == "b" else json.loads(v) if name == "j" else v
        want.append(r)
    case("pass", "dictionary_columns", schema(fields), dct, want)

    # A pandas categorical column, as DataFrame.to_parquet writes it.
    import pandas as pd
    df = pd.DataFrame({"id": [1, 2, 3], "v": [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]],
                       "color": pd.Categorical(["red", "green", "red"]),
                       "size": pd.Categorical([10, 20, 10])})
    sink = pa.BufferOutputStream()
    df.to_parquet(sink)
    fields = [ID, VEC, field("color", "VarChar", max_length=8), field("size", "Int32")]
    want = [{"id": 1, "v": [1.0, 2.0], "color": "red", "size": 10},
            {"id": 2, "v": [3.0, 4.0], "color": "green", "size": 20},
            {"id": 3, "v": [5.0, 6.0], "color": "red", "size": 10}]
    case("pass", "pandas_categorical", schema(fields), sink.getvalue().to_pybytes(), want)

    # Milvus 2.6 types: Geometry as WKT strings (nullable), Timestamptz as ISO strings and as
    # Arrow timestamps of every unit (a time zone only labels them), Array of Struct as
    # list<struct<...>> with a scalar and a vector member.
    ts_rows = ["2025-01-31T08:30:00+08:00", "2025-01-31", "1969-12-31T23:59:59.5Z"]
    ts_micros = [1738283400000000, 1738281600000000, -500000]
    want_ts = ["2025-01-31T00:30:00.000000Z", "2025-01-31T00:00:00.000000Z", "1969-12-31T23:59:59.500000Z"]
    chunk_t = pa.list_(pa.struct([("text", pa.string()), ("emb", lst(F32))]))
    chunks = [[{"text": "a", "emb": [1.0, 2.0]}, {"text": "b", "emb": [3.5, 4.0]}], [], [{"text": "c", "emb": [0.5, 0.0]}]]
    t26 = base + [
        ("g", pa.string(), ["POINT (1 2)", None, "LINESTRING (0 0, 1 1.5)"]),
        ("ts", pa.string(), ts_rows),
        ("tus", pa.timestamp("us", tz="Asia/Shanghai"), ts_micros),
        ("tns", pa.timestamp("ns"), [m * 1000 for m in ts_micros]),
        ("ts_s", pa.timestamp("s"), [m // 1000000 for m in ts_micros]),
        ("chunks", chunk_t, chunks),
    ]
    struct_field = {"fieldName": "chunks", "dataType": "ArrayOfStruct",
                    "elementTypeParams": {"max_capacity": 4},
                    "structFields": [field("text", "VarChar", max_length=8), field("emb", "FloatVector", dim=2)]}
    fields = [ID, VEC, {**field("g", "Geometry"), "nullable": True}, field("ts", "Timestamptz"),
              field("tus", "Timestamptz"), field("tns", "Timestamptz"), field("ts_s", "Timestamptz"), struct_field]
    want = rows(base)
    for r, g, t, m, c in zip(want, ["POINT(1 2)", None, "LINESTRING(0 0,1 1.5)"], want_ts, ts_micros, chunks):
        whole = "1969-12-31T23:59:59.000000Z" if m < 0 else t
        r.update({"g": g, "ts": t, "tus": t, "tns": t, "ts_s": whole, "chunks": c})
    case("pass", "types_26", schema(fields), tbl(t26), want)

    for codec in ["snappy", "zstd", "gzip", "lz4", "brotli", "none"]:
        case("pass", "codec_" + codec, BOOK_SCHEMA, tbl(book_columns()), rows(book_columns()),
             compression=codec)
    case("pass", "book", BOOK_SCHEMA, tbl(book_columns()), rows(book_columns()))


def fails():
    base = [("id", pa.int64(), [1, 2, 3]), ("v", lst(F32), [[1.0, 2.0], [0.5, -0.5], [0.0, 3.0]])]

    def one(name, col, fld, errs, dynamic=False, cols=None):
        cols = (cols or base) + ([col] if col else [])
        case("fail", name, schema([ID, VEC] + ([fld] if fld else []), dynamic=dynamic), tbl(cols), errs)

    one("wrong_type", ("s", pa.int64(), [1, 2, 3]), field("s", "VarChar", max_length=4),
        ['input.parquet: field "s": expected a column of strings', "found Arrow type Int64"])
    one("vector_of_strings", ("w", lst(pa.string()), [["a"], ["b"], ["c"]]), field("w", "FloatVector", dim=1),
        ['field "w"', "lists of numbers", "List(Utf8"])
    # A dictionary column is checked as its values: strings do not fit an integer field.
    words = tbl(base).append_column("n", pa.array(["a", "b", "a"]).dictionary_encode())
    case("fail", "dictionary_of_strings_for_int", schema([ID, VEC, field("n", "Int64")]), words,
         ['input.parquet: field "n": expected a column of integers', "found Arrow type Utf8"])
    bad_dim = [("id", pa.int64(), [1, 2, 3]), ("v", lst(F32), [[1.0, 2.0], [0.5, -0.5, 1.0], [0.0, 3.0]])]
    case("fail", "dim_mismatch", schema([ID, VEC]), tbl(bad_dim),
         ['input.parquet: row 1 (row group 0), field "v": expected 2 floats, found 3'])
    many = [("id", pa.int64(), list(range(10))),
            ("v", lst(F32), [[1.0, 2.0]] * 7 + [[1.0]] + [[1.0, 2.0]] * 2)]
    case("fail", "dim_mismatch_in_third_row_group", schema([ID, VEC]), tbl(many),
         ['input.parquet: row 7 (row group 2), field "v": expected 2 floats, found 1'], row_group_size=3)
    nan = [("id", pa.int64(), [1, 2]), ("v", lst(F32), [[1.0, 2.0], [float("nan"), 1.0]])]
    case("fail", "nan_in_vector", schema([ID, VEC]), tbl(nan),
         ['row 1 (row group 0), field "v": expected a finite 32-bit float (vector element)', "not a number"])
    nan64 = [("id", pa.int64(), [1, 2]), ("v", lst(pa.float64()), [[1.0, 2.0], [1e300, 1.0]])]
    case("fail", "vector_float64_overflows_float32", schema([ID, VEC]), tbl(nan64),
         ['row 1 (row group 0), field "v"', "out of range"])
    one("nan_in_double", ("d", pa.float64(), [1.0, float("nan"), 2.0]), field("d", "Double"),
        ['row 1 (row group 0), field "d": expected a finite 64-bit float', "not a number"])
    one("int_out_of_range", ("i", pa.int64(), [1, 300, 2]), field("i", "Int8"),
        ['row 1 (row group 0), field "i": expected an Int8 in -128..=127, found 300 (out of range)'])
    one("uint64_out_of_range", ("i", pa.uint64(), [1, 2**63, 2]), field("i", "Int64"),
        ['row 1 (row group 0), field "i"', "9223372036854775808 (out of range)"])
    one("float_for_int", ("i", pa.float64(), [1.0, 2.0, 3.0]), field("i", "Int64"),
        ['field "i": expected a column of integers', "found Arrow type Float64"])
    one("varchar_too_long", ("s", pa.string(), ["ab", "héllo", "x"]), field("s", "VarChar", max_length=5),
        ['row 1 (row group 0), field "s": expected at most 5 UTF-8 bytes (max_length), found 6 bytes'])
    one("missing_required_column", None, field("n", "Int32"),
        ['input.parquet: field "n": expected an Int32 value, found no column (the field is missing)'])
    case("fail", "missing_vector_column", schema([ID, VEC]), tbl(base[:1]),
         ['field "v": expected a FloatVector(2) value, found no column'])
    one("null_in_required", ("n", pa.int32(), [1, None, 3]), field("n", "Int32"),
        ['row 1 (row group 0), field "n": expected an integer (Int32), found null'])
    nullvec = [("id", pa.int64(), [1, 2]), ("v", lst(F32), [[1.0, 2.0], None])]
    case("fail", "null_vector", schema([ID, VEC]), tbl(nullvec), ['row 1 (row group 0), field "v"', "found null"])
    one("unknown_column_not_dynamic", ("extra", pa.int32(), [1, 2, 3]), None,
        ['input.parquet: field "extra"', 'unknown field "extra"'])
    case("fail", "auto_id_column_given", schema([ID, VEC], auto_id=True), tbl(base),
         ['field "id": expected no value (the primary key is auto-generated), found a column "id"'])
    one("meta_not_object", ("$meta", pa.string(), ['{"a": 1}', "[1]", "{}"]), None,
        ['row 1 (row group 0), field "$meta"', "a list"], dynamic=True)
    one("meta_not_json", ("$meta", pa.string(), ["{", "{}", "{}"]), None,
        ['row 0 (row group 0), field "$meta"', "not JSON"], dynamic=True)
    case("fail", "meta_key_clash", schema([ID, VEC], dynamic=True),
         tbl(base + [("$meta", pa.string(), ["{}", '{"k": 1}', "{}"]), ("k", pa.int32(), [1, 2, 3])]),
         ['row 1 (row group 0), field "k": expected each dynamic key once'])
    one("json_invalid", ("j", pa.string(), ["{}", "{nope", "1"]), field("j", "JSON"),
        ['row 1 (row group 0), field "j"', "not JSON"])
    one("sparse_negative_value", ("sp", pa.string(), ['{"1": 0.5}', "{}", '{"2": -1.0}']),
        field("sp", "SparseFloatVector"), ['row 2 (row group 0), field "sp": expected non-negative sparse values'])
    st_type = pa.struct([("indices", lst(pa.int64())), ("values", lst(F32))])
    one("sparse_struct_lengths", ("sp", st_type, [{"indices": [1], "values": [1.0]},
                                                   {"indices": [1, 2], "values": [1.0]},
                                                   {"indices": [], "values": []}]),
        field("sp", "SparseFloatVector"), ['row 1 (row group 0), field "sp": expected as many values as indices'])
    one("array_over_capacity", ("a", lst(pa.int32()), [[1], [1, 2, 3], []]),
        field("a", "Array", element="Int32", max_capacity=2),
        ['row 1 (row group 0), field "a": expected at most 2 elements (max_capacity), found 3 elements'])
    one("array_element_out_of_range", ("a", lst(pa.int32()), [[1], [1000], []]),
        field("a", "Array", element="Int8", max_capacity=2),
        ['row 1 (row group 0), field "a": expected array elements that are an Int8 in -128..=127'])
    one("binary_vector_wrong_bytes", ("b", pa.binary(), [b"\x01\x02", b"\x01", b"\x00\x00"]),
        field("b", "BinaryVector", dim=16), ['row 1 (row group 0), field "b": expected 2 bytes (dim/8), found 1 bytes'])
    i8 = field("i8", "Int8Vector", dim=2)
    one("int8_vector_out_of_range", ("i8", lst(pa.int16()), [[1, 2], [-128, 127], [0, 128]]), i8,
        ['row 2 (row group 0), field "i8": expected integers in -128..=127 (Int8Vector elements), found 128'])
    one("int8_vector_wrong_dim", ("i8", lst(pa.int8()), [[1, 2], [1, 2, 3], [0, 0]]), i8,
        ['row 1 (row group 0), field "i8": expected 2 integers (int8), found 3'])
    one("int8_vector_floats", ("i8", lst(F32), [[1.0, 2.0], [1.5, 0.0], [0.0, 0.0]]), i8,
        ['input.parquet: field "i8": expected a column of lists of integers (list<int8>'])
    one("float16_inf_bits", ("h", lst(pa.uint8()), [[0, 60, 0, 60], [0, 124, 0, 60], [0, 0, 0, 0]]),
        field("h", "Float16Vector", dim=2), ['row 1 (row group 0), field "h"', "0x7c00 (inf)"])

    # Damaged files, from the book file.
    book = OUT / "fail" / "_book.parquet"
    write(book, tbl(book_columns()))
    # Milvus 2.6 types refused: sub-microsecond timestamps, bad WKT, a struct without a member,
    # a struct member of the wrong value; a function's output column given.
    one("timestamptz_nanoseconds", ("t", pa.timestamp("ns"), [0, 1000, 1001]), field("t", "Timestamptz"),
        ['input.parquet: row 2 (row group 0), field "t"', "at most microsecond precision", "1001 ns"])
    one("geometry_not_wkt", ("g", pa.string(), ["POINT (1 2)", "POINT (1)", "POINT (3 4)"]), field("g", "Geometry"),
        ['input.parquet: row 1 (row group 0), field "g": expected WKT text', "POINT (1)"])
    members = [field("text", "VarChar", max_length=2), field("emb", "FloatVector", dim=2)]
    sf = {"fieldName": "chunks", "dataType": "ArrayOfStruct", "elementTypeParams": {"max_capacity": 4},
          "structFields": members}
    one("array_of_struct_missing_member",
        ("chunks", pa.list_(pa.struct([("text", pa.string())])), [[{"text": "a"}], [], []]), sf,
        ['input.parquet: field "chunks": expected a column of list<struct<text:', "emb: lists of numbers"])
    long_text = pa.list_(pa.struct([("text", pa.string()), ("emb", lst(F32))]))
    one("array_of_struct_member_too_long",
        ("chunks", long_text, [[], [{"text": "ab", "emb": [1.0, 2.0]}, {"text": "abc", "emb": [1.0, 2.0]}], []]), sf,
        ['input.parquet: row 1 (row group 0), field "chunks[text]"', "at most 2 UTF-8 bytes", "(struct 1)"])
    fn_schema = schema([ID, VEC, field("text", "VarChar", max_length=8), field("sp", "SparseFloatVector")])
    fn_schema["schema"]["functions"] = [{"name": "bm25", "type": "BM25", "inputFieldNames": ["text"],
                                         "outputFieldNames": ["sp"], "params": {}}]
    case("fail", "function_output_column", fn_schema,
         tbl(base + [("text", pa.string(), ["a", "b", "c"]), ("sp", pa.string(), ["{}", "{}", "{}"])]),
         ['input.parquet: field "sp"', 'output of function "bm25"'])
    data = book.read_bytes()
    book.unlink()
    case("fail", "damaged_bad_magic", BOOK_SCHEMA, b"XXXX" + data[4:], ["damaged Parquet file", "bad magic"])
    case("fail", "damaged_truncated_footer", BOOK_SCHEMA, data[:-3], ["damaged Parquet file", "footer"])
    case("fail", "damaged_truncated_file", BOOK_SCHEMA, data[:4] + data[len(data) // 2:],
         ["damaged Parquet file"])
    # The first column chunk's page data overwritten: its page header no longer decodes.
    meta = pq.ParquetFile(pa.BufferReader(data)).metadata
    col = meta.row_group(0).column(0)
    start = col.dictionary_page_offset or col.data_page_offset
    bad = bytearray(data)
    bad[start:start + 12] = b"\xff" * 12
    case("fail", "damaged_page", BOOK_SCHEMA, bytes(bad),
         ['damaged Parquet file', '(row group 0, column "book_id")'])


def book():
    write(ROOT / "data" / "book" / "book.parquet", tbl(book_columns()))


def main():
    shutil.rmtree(OUT, ignore_errors=True)
    (OUT / "pass").mkdir(parents=True)
    (OUT / "fail").mkdir(parents=True)
    passes()
    fails()
    book()


if __name__ == "__main__":
    main()
