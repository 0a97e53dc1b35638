"""Writes rows with pymilvus' LocalBulkWriter as CSV (file_type=BulkFileType.CSV), for a
schema with the types Milvus 2.5 imports: every scalar, nullable fields holding nulls,
default values, Array, JSON, sparse, binary and half-precision vectors, dynamic keys.

Usage: python tests/pymilvus_csv_writer.py OUT_DIR
Prints one JSON object: {"schema": <vecload schema file>, "files": [...], "rows": [...]},
the rows as vecload's row_to_json renders them (what the import must give back).
BFloat16Vector is left out when ml_dtypes (which pymilvus needs for it) is not installed.
"""
import json
import sys

from pymilvus import CollectionSchema, DataType, FieldSchema
from pymilvus.bulk_writer import BulkFileType, LocalBulkWriter

try:
    import ml_dtypes  # noqa: F401  (registers numpy's bfloat16)
    BF16 = True
except ImportError:
    BF16 = False

DIM = 4
fields = [
    FieldSchema("id", DataType.INT64, is_primary=True),
    FieldSchema("b", DataType.BOOL),
    FieldSchema("i8", DataType.INT8),
    FieldSchema("i16", DataType.INT16),
    FieldSchema("i32", DataType.INT32, nullable=True),
    FieldSchema("fl", DataType.FLOAT, default_value=0.5),
    FieldSchema("db", DataType.DOUBLE),
    FieldSchema("s", DataType.VARCHAR, max_length=64, nullable=True),
    FieldSchema("j", DataType.JSON, nullable=True),
    FieldSchema("ai", DataType.ARRAY, element_type=DataType.INT32, max_capacity=4),
    FieldSchema("as", DataType.ARRAY, element_type=DataType.VARCHAR, max_capacity=3,
                max_length=16),
    FieldSchema("v", DataType.FLOAT_VECTOR, dim=DIM),
    FieldSchema("bv", DataType.BINARY_VECTOR, dim=16),
    FieldSchema("h", DataType.FLOAT16_VECTOR, dim=DIM),
    FieldSchema("sp", DataType.SPARSE_FLOAT_VECTOR),
]
if BF16:
    fields.append(FieldSchema("bh", DataType.BFLOAT16_VECTOR, dim=DIM))
schema = CollectionSchema(fields, enable_dynamic_field=True)

writer = LocalBulkWriter(schema=schema, local_path=sys.argv[1], file_type=BulkFileType.CSV)
expected = []
for i in range(20):
    half = [0.5 * k - 1.0 for k in range(DIM)]  # exact in float16 and bfloat16
    row = {
        "id": 1000 + i, "b": i % 3 == 0, "i8": i - 10, "i16": -300 * i, "db": i / 3,
        "i32": None if i % 4 == 0 else i * 1000,
        "s": None if i % 5 == 0 else f"row {i}, \"quoted\"\nnext line",
        "j": None if i % 6 == 0 else {"n": i, "tags": ["a", "b,c"]},
        "ai": list(range(i % 5)), "as": ["x", f"y{i}"][: i % 3],
        "v": [float(i), 0.25, -1.5, 1e-3], "bv": bytes([i, 255 - i]),
        "h": half, "sp": {i: 0.5, 100: float(i)},
        "color": f"c{i}",
    }
    if i % 2:
        row["fl"] = i + 0.25
    if BF16:
        row["bh"] = half
    want = {k: v for k, v in row.items() if k not in ("color",)}
    want["fl"] = row.get("fl", 0.5)
    want["sp"] = {str(k): v for k, v in sorted(row["sp"].items())}
    want["bv"] = [i, 255 - i]
    want["color"] = f"c{i}"
    expected.append(want)
    writer.append_row(row)  # (it may change the row's values in place)
writer.commit()


def field_json(f):
    d = {"fieldName": f.name, "dataType": {
        DataType.INT64: "Int64", DataType.BOOL: "Bool", DataType.INT8: "Int8",
        DataType.INT16: "Int16", DataType.INT32: "Int32", DataType.FLOAT: "Float",
        DataType.DOUBLE: "Double", DataType.VARCHAR: "VarChar", DataType.JSON: "JSON",
        DataType.ARRAY: "Array", DataType.FLOAT_VECTOR: "FloatVector",
        DataType.BINARY_VECTOR: "BinaryVector", DataType.FLOAT16_VECTOR: "Float16Vector",
        DataType.BFLOAT16_VECTOR: "BFloat16Vector",
        DataType.SPARSE_FLOAT_VECTOR: "SparseFloatVector"}[f.dtype]}
    if f.is_primary:
        d["isPrimary"] = True
    if f.nullable:
        d["nullable"] = True
    if f.default_value is not None:
        d["defaultValue"] = 0.5
    params = {k: v for k, v in f.params.items() if k in ("dim", "max_length", "max_capacity")}
    if params:
        d["elementTypeParams"] = params
    if f.dtype == DataType.ARRAY:
        d["elementDataType"] = {DataType.INT32: "Int32", DataType.VARCHAR: "VarChar"}[
            f.element_type]
    return d


print(json.dumps({
    "schema": {"collectionName": "pmw", "schema": {
        "autoId": False, "enableDynamicField": True,
        "fields": [field_json(f) for f in fields]}, "params": {"shardsNum": 1}},
    "files": [f for batch in writer.batch_files for f in batch],
    "rows": expected,
}))
