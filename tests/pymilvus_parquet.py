"""Writes 100 rows with pymilvus's LocalBulkWriter (its default file type, Parquet) for a
schema with the Milvus 2.5 types, and prints `batch_files` as JSON. Run by tests/parquet.rs:

    python tests/pymilvus_parquet.py OUT_DIR
"""

import json
import sys

import ml_dtypes  # noqa: F401  (registers the bfloat16 dtype pymilvus uses)
from pymilvus import CollectionSchema, DataType, FieldSchema
from pymilvus.bulk_writer import LocalBulkWriter

fields = [
    FieldSchema("id", DataType.INT64, is_primary=True),
    FieldSchema("b", DataType.BOOL),
    FieldSchema("i8", DataType.INT8),
    FieldSchema("i16", DataType.INT16),
    FieldSchema("i32", DataType.INT32),
    FieldSchema("f", DataType.FLOAT),
    FieldSchema("d", DataType.DOUBLE),
    FieldSchema("s", DataType.VARCHAR, max_length=64),
    FieldSchema("j", DataType.JSON),
    FieldSchema("arr", DataType.ARRAY, element_type=DataType.INT32, max_capacity=4),
    FieldSchema("ns", DataType.VARCHAR, max_length=8, nullable=True),
    FieldSchema("di", DataType.INT64, default_value=42),
    FieldSchema("fv", DataType.FLOAT_VECTOR, dim=4),
    FieldSchema("bv", DataType.BINARY_VECTOR, dim=16),
    FieldSchema("hv", DataType.FLOAT16_VECTOR, dim=4),
    FieldSchema("bfv", DataType.BFLOAT16_VECTOR, dim=4),
    FieldSchema("sv", DataType.SPARSE_FLOAT_VECTOR),
]
schema = CollectionSchema(fields, enable_dynamic_field=True)
writer = LocalBulkWriter(schema=schema, local_path=sys.argv[1])
for i in range(100):
    writer.append_row({
        "id": i,
        "b": i % 2 == 0,
        "i8": i - 50,
        "i16": i * 100,
        "i32": i * 10000,
        "f": i / 4,
        "d": i / 8,
        "s": "row %d" % i,
        "j": {"k": i},
        "arr": [i, i + 1],
        "ns": None if i % 7 == 0 else "n%d" % i,
        "di": None,
        "fv": [float(i), 0.5, 0.25, 1.0],
        "bv": bytes([i, 255]),
        "hv": [1.0, 0.5, 0.25, float(i)],
        "bfv": [1.0, 0.5, 0.25, float(i)],
        "sv": {i: 0.5},
        "extra": "dyn %d" % i,
    })
writer.commit()
print(json.dumps(writer.batch_files))
