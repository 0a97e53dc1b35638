#!/usr/bin/env python3
"""Writes data/csv/{pass,fail}/<case>/ for vecload's CSV reader (docs/formats.md, "CSV").

Usage, from anywhere: .ci/venv/bin/python tools/gen_csv.py   (needs pandas: scripts/test.sh
installs it in .ci/venv with pymilvus). Then list any new case in tests/csv.rs.

Each case is a schema.json, input.csv, an optional options.json (the import request's
options: {"sep": ..., "nullkey": ...}) and expected.json (the rows as vecload's row_to_json
renders them, in file order) or error.txt (substrings the failure reason must contain,
one a line). Cases named pandas_* (and the book rows) are written by pandas'
DataFrame.to_csv as pymilvus' CSV writer calls it: vectors, sparse vectors, JSON and
arrays as json.dumps text, None as the null key. The others are written byte for byte.
The output is deterministic.
"""

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "data" / "csv"
ID = {"fieldName": "id", "dataType": "Int64", "isPrimary": True}
V = {"fieldName": "v", "dataType": "FloatVector", "elementTypeParams": {"dim": 2}}
CASES = []


def f(name, dt, **kw):
    d = {"fieldName": name, "dataType": dt}
    d.update(kw)
    return d


def schema(fields, auto_id=False, dynamic=False, base=True):
    fs = ([ID, V] if base else []) + fields
    return {"collectionName": "c", "schema": {"autoId": auto_id, "enableDynamicField": dynamic,
            "fields": fs}, "params": {"shardsNum": 1}}


def ok(name, sch, text, expected, options=None):
    CASES.append(("pass", name, sch, text, options, expected))


def bad(name, sch, text, errors, options=None):
    CASES.append(("fail", name, sch, text, options, errors))


def pandas_csv(columns, sep=",", nullkey="", lineterminator="\n"):
    """CSV text as pymilvus writes it: `columns` is a list of (name, values, kind), kind
    "json" for json.dumps'd values, "bool" for str()'d bools, "num" for numpy scalars."""
    df = pd.DataFrame(columns=[c[0] for c in columns])
    for name, values, kind in columns:
        if kind == "json":
            df[name] = pd.Series([None if x is None else json.dumps(x) for x in values],
                                 dtype=np.dtype("str"))
        elif kind == "bool":
            df[name] = pd.Series(values, dtype=np.dtype("str"))
        elif kind == "str":
            df[name] = pd.Series(values, dtype=np.dtype("str"))
        else:
            df[name] = np.array([None if x is None else kind(x) for x in values])
    return df.to_csv(sep=sep, na_rep=nullkey, index=False, lineterminator=lineterminator)


def write():
    if OUT.exists():
        shutil.rmtree(OUT)
    for kind, name, sch, text, options, result in CASES:
        d = OUT / kind / name
        d.mkdir(parents=True)
        sc = sch["schema"]
        fields = ",\n     ".join(json.dumps(x, ensure_ascii=False) for x in sc["fields"])
        (d / "schema.json").write_text(
            '{"collectionName": "c", "schema": {"autoId": %s, "enableDynamicField": %s,\n'
            '   "fields": [\n     %s]}, "params": {"shardsNum": 1}}\n'
            % (json.dumps(sc["autoId"]), json.dumps(sc["enableDynamicField"]), fields))
        (d / "input.csv").write_bytes(text.encode() if isinstance(text, str) else text)
        if options is not None:
            (d / "options.json").write_text(json.dumps(options) + "\n")
        if kind == "pass":
            rows = ",\n".join(json.dumps(r, ensure_ascii=False) for r in result)
            (d / "expected.json").write_text("[\n" + rows + "\n]\n")
        else:
            (d / "error.txt").write_text("\n".join(result) + "\n")


# ------------------------------------------------------------------------- pandas

SCALARS = schema([f("b", "Bool"), f("i8", "Int8"), f("i16", "Int16"), f("i32", "Int32"),
                  f("fl", "Float"), f("db", "Double"),
                  f("s", "VarChar", elementTypeParams={"max_length": 16})])
ok("pandas_scalars", SCALARS, pandas_csv([
    ("id", [1, 2, -9007199254740993], np.int64),
    ("v", [[0.5, -1.0], [0.1, 2.0], [1e-8, 3.4028235e38]], "json"),
    ("b", [True, False, True], "bool"),
    ("i8", [-128, 127, 0], np.int8),
    ("i16", [-32768, 32767, 1], np.int16),
    ("i32", [-2147483648, 2147483647, 2], np.int32),
    ("fl", [0.1, -2.5, 1e-8], np.float32),
    ("db", [0.1, 1e300, -0.0], np.float64),
    ("s", ["plain", "a, b", 'say "hi"'], "str"),
]), [
    {"id": 1, "v": [0.5, -1.0], "b": True, "i8": -128, "i16": -32768, "i32": -2147483648,
     "fl": 0.1, "db": 0.1, "s": "plain"},
    {"id": 2, "v": [0.1, 2.0], "b": False, "i8": 127, "i16": 32767, "i32": 2147483647,
     "fl": -2.5, "db": 1e300, "s": "a, b"},
    {"id": -9007199254740993, "v": [1e-8, 3.4028235e38], "b": True, "i8": 0, "i16": 1,
     "i32": 2, "fl": 1e-8, "db": -0.0, "s": 'say "hi"'},
])

VECTORS = schema([
    f("bv", "BinaryVector", elementTypeParams={"dim": 16}),
    f("h", "Float16Vector", elementTypeParams={"dim": 2}),
    f("sp", "SparseFloatVector"),
    f("j", "JSON"),
    f("ai", "Array", elementDataType="Int32", elementTypeParams={"max_capacity": 3}),
    f("as", "Array", elementDataType="VarChar",
      elementTypeParams={"max_capacity": 2, "max_length": 12}),
])
ok("pandas_vectors_json_arrays", VECTORS, pandas_csv([
    ("id", [1, 2], np.int64),
    ("v", [[1.0, 2.0], [3.0, 4.0]], "json"),
    ("bv", [[0, 255], [170, 1]], "json"),
    ("h", [[0.5, -2.0], [1.0, 65504.0]], "json"),
    ("sp", [{"5": 0.5, "1": 2.0}, {}], "json"),
    ("j", [{"b": [1, "x, \"y\""], "a": None}, {"k": {"n": 1.5}}], "json"),
    ("ai", [[1, -2, 3], []], "json"),
    ("as", [["a,b", "\"q\""], ["line\nbreak"]], "json"),
]), [
    {"id": 1, "v": [1.0, 2.0], "bv": [0, 255], "h": [0.5, -2.0], "sp": {"1": 2.0, "5": 0.5},
     "j": {"a": None, "b": [1, "x, \"y\""]}, "ai": [1, -2, 3], "as": ["a,b", "\"q\""]},
    {"id": 2, "v": [3.0, 4.0], "bv": [170, 1], "h": [1.0, 65504.0], "sp": {},
     "j": {"k": {"n": 1.5}}, "ai": [], "as": ["line\nbreak"]},
])

NULLS = schema([
    f("nb", "Bool", nullable=True), f("ni", "Int32", nullable=True),
    f("ns", "VarChar", nullable=True, elementTypeParams={"max_length": 4}),
    f("nj", "JSON", nullable=True),
    f("na", "Array", nullable=True, elementDataType="Int8",
      elementTypeParams={"max_capacity": 2}),
    f("di", "Int16", defaultValue=7),
    f("s", "VarChar", elementTypeParams={"max_length": 4}),
])
NULL_ROWS = [
    ("id", [1, 2], np.int64),
    ("v", [[1.0, 2.0], [1.0, 2.0]], "json"),
    ("nb", [None, "False"], "str"),
    ("ni", [None, 5], np.int32),
    ("ns", [None, "ab"], "str"),
    ("nj", [None, {"a": 1}], "json"),
    ("na", [None, [1, 2]], "json"),
    ("di", [None, 3], np.int16),
    ("s", ["", "x"], "str"),
]
NULL_EXPECTED = [
    {"id": 1, "v": [1.0, 2.0], "nb": None, "ni": None, "ns": None, "nj": None, "na": None,
     "di": 7, "s": ""},
    {"id": 2, "v": [1.0, 2.0], "nb": False, "ni": 5, "ns": "ab", "nj": {"a": 1}, "na": [1, 2],
     "di": 3, "s": "x"},
]
ok("pandas_null_key_empty", NULLS, pandas_csv(NULL_ROWS), NULL_EXPECTED)
ok("pandas_null_key_custom", NULLS, pandas_csv(NULL_ROWS, nullkey="NULL"), NULL_EXPECTED,
   options={"nullkey": "NULL"})
ok("pandas_sep_semicolon", SCALARS, pandas_csv([
    ("id", [1], np.int64), ("v", [[1.0, 2.0]], "json"), ("b", [False], "bool"),
    ("i8", [1], np.int8), ("i16", [2], np.int16), ("i32", [3], np.int32),
    ("fl", [1.5], np.float32), ("db", [2.5], np.float64), ("s", ["a;b, c"], "str")],
    sep=";"), [{"id": 1, "v": [1.0, 2.0], "b": False, "i8": 1, "i16": 2, "i32": 3, "fl": 1.5,
                "db": 2.5, "s": "a;b, c"}], options={"sep": ";"})
ok("pandas_sep_tab", SCALARS, pandas_csv([
    ("id", [1], np.int64), ("v", [[1.0, 2.0]], "json"), ("b", [True], "bool"),
    ("i8", [1], np.int8), ("i16", [2], np.int16), ("i32", [3], np.int32),
    ("fl", [1.5], np.float32), ("db", [2.5], np.float64), ("s", ["a\tb"], "str")],
    sep="\t"), [{"id": 1, "v": [1.0, 2.0], "b": True, "i8": 1, "i16": 2, "i32": 3, "fl": 1.5,
                 "db": 2.5, "s": "a\tb"}], options={"sep": "\t"})
ok("pandas_crlf", schema([f("s", "VarChar", elementTypeParams={"max_length": 16})]), pandas_csv([
    ("id", [1, 2], np.int64), ("v", [[1.0, 2.0], [3.0, 4.0]], "json"),
    ("s", ["two\nlines", "end"], "str")], lineterminator="\r\n"), [
    {"id": 1, "v": [1.0, 2.0], "s": "two\nlines"}, {"id": 2, "v": [3.0, 4.0], "s": "end"}])

# The seed's book rows (data/book/book.json) as pandas writes them, into the book schema.
BOOK = json.loads((ROOT / "data" / "book" / "schema.json").read_text())
BOOK_ROWS = json.loads((ROOT / "data" / "book" / "book.json").read_text())["rows"]
ok("book_rows", BOOK, pandas_csv([
    ("book_id", [r["book_id"] for r in BOOK_ROWS], np.int64),
    ("word_count", [r["word_count"] for r in BOOK_ROWS], np.int64),
    ("book_intro", [r["book_intro"] for r in BOOK_ROWS], "json"),
]), BOOK_ROWS)

# ------------------------------------------------------------------------- by hand

ok("quoting_embedded", schema([f("s", "VarChar", elementTypeParams={"max_length": 32})]),
   'id,v,s\r\n1,"[1, 2]","a, ""quoted"", and\r\na newline"\r\n'
   '2,"[3,4]",no""quote\r\n"3","[5,6]","x"\r\n',
   [{"id": 1, "v": [1.0, 2.0], "s": 'a, "quoted", and\r\na newline'},
    {"id": 2, "v": [3.0, 4.0], "s": 'no""quote'}, {"id": 3, "v": [5.0, 6.0], "s": "x"}])
ok("bool_forms", schema([f("b", "Bool")]),
   "id,v,b\n" + "".join(f'{i},"[1,2]",{t}\n' for i, t in enumerate(
       ["1", "t", "T", "TRUE", "true", "True", "0", "f", "F", "FALSE", "false", "False"])),
   [{"id": i, "v": [1.0, 2.0], "b": i < 6} for i in range(12)])
ok("dynamic_extra_columns", schema([f("w", "Int64")], dynamic=True),
   'id,color,v,w,$meta,n\n1,red,"[1,2]",5,"{""obj"": {""b"": 1, ""a"": [2]}}",9\n'
   '2,,"[1,2]",6,,x\n',
   [{"id": 1, "v": [1.0, 2.0], "w": 5, "color": "red", "n": "9",
     "obj": {"a": [2], "b": 1}},
    {"id": 2, "v": [1.0, 2.0], "w": 6, "color": "", "n": "x"}])
ok("missing_nullable_default_auto_id",
   schema([f("ni", "Int64", nullable=True), f("d", "VarChar", defaultValue="dflt",
           elementTypeParams={"max_length": 8})], auto_id=True),
   'v\n"[1,2]"\n"[3,4]"\n',
   [{"v": [1.0, 2.0], "ni": None, "d": "dflt"}, {"v": [3.0, 4.0], "ni": None, "d": "dflt"}])
ok("bom_blank_lines_no_final_newline", schema([f("x", "Float")]),
   b'\xef\xbb\xbf"id",v,x\n\n1,"[1,2]",+1.5\r\n\r\n2,"[3,4]",.25\n\n3,"[5,6]",1e-3',
   [{"id": 1, "v": [1.0, 2.0], "x": 1.5}, {"id": 2, "v": [3.0, 4.0], "x": 0.25},
    {"id": 3, "v": [5.0, 6.0], "x": 0.001}])
ok("floats_correctly_rounded", schema([f("x", "Float"), f("d", "Double")]),
   'id,v,x,d\n1,"[1.0000001788139343, 0.47283125]",3.4028235e38,0.1\n'
   '2,"[1.00000017881393432617187500000000001, 1e-46]",16777217,9007199254740993\n',
   [{"id": 1, "v": [1.0000001, 0.47283125], "x": 3.4028235e38, "d": 0.1},
    {"id": 2, "v": [1.0000002, 0.0], "x": 16777216.0, "d": 9007199254740992.0}])

# ------------------------------------------------------------------------- fail

ONE_INT = schema([f("w", "Int64")])
bad("bad_int", ONE_INT, 'id,v,w\n1,"[1,2]",5\n2,"[1,2]",abc\n',
    ["input.csv: row 1 (line 3, byte 19)", 'field "w"', "an integer (Int64)", 'cell "abc"'])
bad("int8_out_of_range", schema([f("w", "Int8")]), 'id,v,w\n1,"[1,2]",128\n',
    ["row 0 (line 2", 'field "w"', "128 (out of range)"])
bad("nan_float", schema([f("x", "Float")]), 'id,v,x\n1,"[1,2]",NaN\n',
    ["row 0 (line 2, byte 7)", 'field "x"', "finite 32-bit float", "NaN (not a number)"])
bad("inf_double", schema([f("x", "Double")]), 'id,v,x\n1,"[1,2]",-Inf\n',
    ['field "x"', "finite 64-bit float", "-Inf (out of range)"])
bad("dim_mismatch", schema([]), 'id,v\n1,"[1,2]"\n2,"[1,\n2,3]"\n',
    ["row 1 (line 3, byte 15)", 'field "v"', "expected 2 floats", "found 3"])
bad("vector_not_json", schema([]), 'id,v\n1,"[1,x]"\n',
    ['field "v"', "a cell that is not JSON"])

# Int8Vector (Milvus 2.6): a JSON list of integers in -128..=127 in the cell.
I8 = schema([f("i8", "Int8Vector", elementTypeParams={"dim": 3})])
ok("pandas_int8_vectors", I8, pandas_csv([
    ("id", [1, 2], np.int64),
    ("v", [[1.0, 2.0], [3.0, 4.0]], "json"),
    ("i8", [[-128, 0, 127], [5, -5, 1]], "json"),
]), [{"id": 1, "v": [1.0, 2.0], "i8": [-128, 0, 127]}, {"id": 2, "v": [3.0, 4.0], "i8": [5, -5, 1]}])
bad("int8_vector_out_of_range", I8, 'id,v,i8\n1,"[1,2]","[1,2,3]"\n2,"[1,2]","[0,128,0]"\n',
    ["row 1 (line 3", 'field "i8"', "expected integers in -128..=127 (Int8Vector elements)", "128"])
bad("int8_vector_wrong_dim", I8, 'id,v,i8\n1,"[1,2]","[1,2]"\n',
    ["row 0 (line 2", 'field "i8"', "expected 3 integers (int8)", "found 2"])
bad("int8_vector_float", I8, 'id,v,i8\n1,"[1,2]","[1,2.5,3]"\n',
    ["row 0 (line 2", 'field "i8"', "Int8Vector", "2.5"])
# Milvus 2.6: Geometry as WKT text and Timestamptz as ISO-8601 text in the cell; Array of
# Struct as a JSON list of objects (as pymilvus writes JSON cells).
T26 = schema([f("g", "Geometry", nullable=True), f("ts", "Timestamptz"),
              f("chunks", "ArrayOfStruct", elementTypeParams={"max_capacity": 2}, structFields=[
                  f("text", "VarChar", elementTypeParams={"max_length": 8}),
                  f("emb", "FloatVector", elementTypeParams={"dim": 2})])])
ok("pandas_types_26", T26, pandas_csv([
    ("id", [1, 2], np.int64),
    ("v", [[1.0, 2.0], [3.0, 4.0]], "json"),
    ("g", ["POINT (1 2)", None], "str"),
    ("ts", ["2025-01-31T08:30:00+08:00", "2025-01-31 00:00:00.25"], "str"),
    ("chunks", [[{"text": "a, b", "emb": [1.0, 2.0]}], []], "json"),
]), [{"id": 1, "v": [1.0, 2.0], "g": "POINT(1 2)", "ts": "2025-01-31T00:30:00.000000Z",
      "chunks": [{"text": "a, b", "emb": [1.0, 2.0]}]},
     {"id": 2, "v": [3.0, 4.0], "g": None, "ts": "2025-01-31T00:00:00.250000Z", "chunks": []}])
bad("timestamptz_not_iso", T26, 'id,v,g,ts,chunks\n1,"[1,2]",,2025-13-01,[]\n',
    ["row 0 (line 2", 'field "ts"', "ISO-8601", "2025-13-01"])
bad("geometry_not_wkt", T26, 'id,v,g,ts,chunks\n1,"[1,2]",POINT,2025-01-01,[]\n',
    ["row 0 (line 2", 'field "g"', "WKT", "POINT"])
bad("array_of_struct_missing_member", T26,
    'id,v,g,ts,chunks\n1,"[1,2]",,2025-01-01,"[{""text"": ""a""}]"\n',
    ["row 0 (line 2", 'field "chunks[emb]"', "no value (struct 0)"])
bad("varchar_too_long", schema([f("s", "VarChar", elementTypeParams={"max_length": 3})]),
    'id,v,s\n1,"[1,2]",abcé\n', ['field "s"', "at most 3 UTF-8 bytes", "found 5 bytes"])
bad("bool_yes", schema([f("b", "Bool")]), 'id,v,b\n1,"[1,2]",yes\n',
    ['field "b"', "true or false", 'cell "yes"'])
bad("missing_column", ONE_INT, 'id,v\n1,"[1,2]"\n',
    ["input.csv: header (line 1)", 'field "w"', "an Int64 value", "missing"])
bad("unknown_column_not_dynamic", ONE_INT, 'id,v,w,extra\n1,"[1,2]",3,x\n',
    ["input.csv: header (line 1)", 'unknown field "extra"'])
bad("auto_id_column_given", schema([], auto_id=True), 'id,v\n1,"[1,2]"\n',
    ["header (line 1)", 'field "id"', "auto-generated", "a column"])
bad("unterminated_quote", ONE_INT, 'id,v,w\n1,"[1,2]",5\n2,"[1,2],6\n3,4,7\n',
    ["input.csv: unterminated quoted field", "line 3 (byte 21)"])
bad("cell_count", ONE_INT, 'id,v,w\n1,"[1,2]",5\n2,"[1,2]"\n',
    ["row 1 (line 3", "3 cells, one per header column", "found 2 cells"])
bad("meta_not_object", schema([], dynamic=True), 'id,v,$meta\n1,"[1,2]",[1]\n',
    ['field "$meta"', "a list of 1 values"])
bad("non_nullable_null", ONE_INT, 'id,v,w\n1,"[1,2]",\n',
    ['field "w"', "an integer (Int64)", "found null"])
bad("bad_sep", ONE_INT, 'id;v;w\n', ["unsupported CSV separator \";;\""],
    options={"sep": ";;"})
bad("empty_file", ONE_INT, "\n\r\n", ["input.csv: no header row"])

write()
