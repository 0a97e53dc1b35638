"""Writes the same rows with pymilvus's LocalBulkWriter in one of its four file types, for two
schemas that hold every type Milvus 2.5 imports between them (Milvus 2.5 allows at most 4
vector fields a collection): the main one with every scalar, nullable fields holding nulls,
default values (given and left out), Array of Int32 and of VarChar, JSON, float, sparse,
binary and BFloat16 vectors, dynamic keys; a second with the Float16 vector. Run by
tests/writer.rs:

    python tests/pymilvus_writer.py PARQUET|JSON|CSV|NUMPY OUT_DIR [--nullable-numpy]

NUMPY leaves out the Array, sparse and nullable fields (the writer refuses the first two and
writes nulls as pickled object arrays); with --nullable-numpy it keeps the nullable fields, for
the import that must fail. Prints one JSON object: {"schema": <vecload schema file>,
"files": batch_files, "rows": [...], "float16": {the same for the second schema}}, the rows
as vecload's row_to_json renders them (what the import must give back); no "float16" with
--nullable-numpy.
"""
import json
import sys

import ml_dtypes  # noqa: F401  (registers numpy's bfloat16, which pymilvus needs)
from pymilvus import CollectionSchema, DataType, FieldSchema
from pymilvus.bulk_writer import BulkFileType, LocalBulkWriter

file_type, out_dir = BulkFileType[sys.argv[1]], sys.argv[2]
nullable_numpy = "--nullable-numpy" in sys.argv[3:]
ROWS, DIM = 30, 4
TYPES = {
    DataType.INT64: "Int64", DataType.BOOL: "Bool", DataType.INT8: "Int8",
    DataType.INT16: "Int16", DataType.INT32: "Int32", DataType.FLOAT: "Float",
    DataType.DOUBLE: "Double", DataType.VARCHAR: "VarChar", DataType.JSON: "JSON",
    DataType.ARRAY: "Array", DataType.FLOAT_VECTOR: "FloatVector",
    DataType.BINARY_VECTOR: "BinaryVector", DataType.FLOAT16_VECTOR: "Float16Vector",
    DataType.BFLOAT16_VECTOR: "BFloat16Vector",
    DataType.SPARSE_FLOAT_VECTOR: "SparseFloatVector",
}

fields = [
    FieldSchema("id", DataType.INT64, is_primary=True),
    FieldSchema("b", DataType.BOOL),
    FieldSchema("i8", DataType.INT8),
    FieldSchema("i16", DataType.INT16),
    FieldSchema("i32", DataType.INT32, nullable=True),
    FieldSchema("di", DataType.INT64, default_value=42),
    FieldSchema("fl", DataType.FLOAT, default_value=0.5),
    FieldSchema("db", DataType.DOUBLE),
    FieldSchema("s", DataType.VARCHAR, max_length=64),
    FieldSchema("ns", DataType.VARCHAR, max_length=64, nullable=True),
    FieldSchema("nd", DataType.INT32, nullable=True, default_value=7),
    FieldSchema("j", DataType.JSON),
    FieldSchema("nj", DataType.JSON, nullable=True),
    FieldSchema("ai", DataType.ARRAY, element_type=DataType.INT32, max_capacity=4),
    FieldSchema("as", DataType.ARRAY, element_type=DataType.VARCHAR, max_capacity=3,
                max_length=16),
    FieldSchema("v", DataType.FLOAT_VECTOR, dim=DIM),
    FieldSchema("bv", DataType.BINARY_VECTOR, dim=16),
    FieldSchema("bh", DataType.BFLOAT16_VECTOR, dim=DIM),
    FieldSchema("sp", DataType.SPARSE_FLOAT_VECTOR),
]
if file_type == BulkFileType.NUMPY:
    fields = [f for f in fields
              if f.dtype not in (DataType.ARRAY, DataType.SPARSE_FLOAT_VECTOR)
              and (nullable_numpy or not f.nullable)]
float16_fields = [
    FieldSchema("id", DataType.INT64, is_primary=True),
    FieldSchema("h", DataType.FLOAT16_VECTOR, dim=DIM),
]
DYNAMIC = ("color", "rank", "$meta")


def default(f):
    """The field's default value, or None."""
    d = f.default_value
    kind = d.WhichOneof("data") if d is not None else None
    return getattr(d, kind) if kind else None


def row(i, names, dynamic):
    """Row i of the fields `names` (and the dynamic keys if `dynamic`), every value exact in
    the type it is stored as."""
    half = [0.5 * k - 1.0 + i for k in range(DIM)]  # exact in float16 and bfloat16
    r = {
        "id": 1000 + i, "b": i % 3 == 0, "i8": i - 10, "i16": -300 * i,
        "i32": None if i % 4 == 0 else i * 1000,
        "db": i / 3,
        "s": f"row {i}, \"quoted\"\nnext line, héllo ✓",
        "ns": None if i % 5 == 0 else f"n{i}",
        "nd": None if i % 3 == 0 else i,
        "j": {"n": i, "tags": ["a", "b,c"], "nested": {"x": i / 2}},
        "nj": None if i % 6 == 0 else {"k": i},
        "ai": list(range(i % 5)), "as": ["x", f"y{i}", "ü"][: i % 4],
        "v": [float(i), 0.25, -1.5, 1e-3], "bv": bytes([i, 255 - i]),
        "h": half, "bh": half, "sp": {i: 0.5, 100 + i: float(i)},
        "color": f"c{i}", "rank": i * 2,
    }
    if i % 2:
        r["di"] = -i
        r["fl"] = i + 0.25
    if i % 7 == 0:
        r["$meta"] = {"from_meta": True}
    return {k: v for k, v in r.items()
            if k in names or (dynamic and k in DYNAMIC)}


def expected(r, fields, names):
    """What vecload gives back for row r (as row_to_json renders it)."""
    want = {}
    for f in fields:
        v = r.get(f.name)
        if v is None:
            v = default(f)
        if f.dtype == DataType.BINARY_VECTOR:
            v = list(v)
        elif f.dtype == DataType.SPARSE_FLOAT_VECTOR:
            v = {str(k): x for k, x in sorted(v.items())}
        want[f.name] = v
    want.update({k: v for k, v in r.items() if k not in names and k != "$meta"})
    want.update(r.get("$meta", {}))
    return want


def field_json(f):
    """The field as vecload's schema file (Milvus's REST create body) has it."""
    d = {"fieldName": f.name, "dataType": TYPES[f.dtype]}
    if f.is_primary:
        d["isPrimary"] = True
    if f.nullable:
        d["nullable"] = True
    if default(f) is not None:
        d["defaultValue"] = default(f)
    params = {k: v for k, v in f.params.items() if k in ("dim", "max_length", "max_capacity")}
    if params:
        d["elementTypeParams"] = params
    if f.dtype == DataType.ARRAY:
        d["elementDataType"] = TYPES[f.element_type]
    return d


def write(fields, dynamic, collection):
    """Writes ROWS rows of `fields` with one LocalBulkWriter: the output object."""
    names = {f.name for f in fields}
    schema = CollectionSchema(fields, enable_dynamic_field=dynamic)
    writer = LocalBulkWriter(schema=schema, local_path=out_dir, file_type=file_type)
    rows = []
    for i in range(ROWS):
        r = row(i, names, dynamic)
        rows.append(expected(r, fields, names))
        writer.append_row(r)  # (it changes the row's values in place)
    writer.commit()
    if not writer.batch_files:
        sys.exit("the writer wrote nothing (its flush thread failed: see the log above)")
    return {
        "schema": {"collectionName": collection, "schema": {
            "autoId": False, "enableDynamicField": dynamic,
            "fields": [field_json(f) for f in fields]}, "params": {"shardsNum": 2}},
        "files": writer.batch_files,
        "rows": rows,
    }


out = write(fields, True, "pmw")
if not nullable_numpy:
    out["float16"] = write(float16_fields, False, "pmw_float16")
print(json.dumps(out))
