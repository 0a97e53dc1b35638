"""Writes rows with pymilvus's LocalBulkWriter for `vecload collection infer` (tests/infer.rs):
an Int64 primary key `id`, a VarChar, a nullable Double (nulls in some rows), a FloatVector
and dynamic fields, in one file type. NUMPY leaves out the nullable field (the writer cannot
mark nulls in .npy files). Run as

    python tests/infer_writer.py PARQUET|JSON|NUMPY|CSV OUT_DIR

Prints one JSON object: {"files": batch_files, "rows": number of rows}.
"""
import json
import sys

from pymilvus import CollectionSchema, DataType, FieldSchema
from pymilvus.bulk_writer import BulkFileType, LocalBulkWriter

file_type, out_dir = BulkFileType[sys.argv[1]], sys.argv[2]
ROWS = 40
fields = [
    FieldSchema("id", DataType.INT64, is_primary=True),
    FieldSchema("title", DataType.VARCHAR, max_length=64),
    FieldSchema("score", DataType.DOUBLE, nullable=True),
    FieldSchema("vec", DataType.FLOAT_VECTOR, dim=4),
]
if file_type == BulkFileType.NUMPY:
    fields = [f for f in fields if not f.nullable]
names = {f.name for f in fields}
schema = CollectionSchema(fields, enable_dynamic_field=True)
writer = LocalBulkWriter(schema=schema, local_path=out_dir, file_type=file_type)
for i in range(ROWS):
    row = {"id": 100 + i, "title": f"title {i} " + "x" * (i % 7),
           "score": None if i % 3 == 0 else i / 4,
           "vec": [float(i), 0.5, -1.0, 2.0], "color": f"c{i % 5}"}
    writer.append_row({k: v for k, v in row.items() if k in names or k == "color"})
writer.commit()
if not writer.batch_files:
    sys.exit("the writer wrote nothing (its flush thread failed: see the log above)")
print(json.dumps({"files": writer.batch_files, "rows": ROWS}))
