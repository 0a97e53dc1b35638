"""Drives `vecload serve` with pymilvus's own bulk-import functions, unchanged.

Usage: python pymilvus_client.py URL TOKEN
Prints one JSON object with what each call returned.
"""
import json
import sys
import time

from pymilvus.bulk_writer import bulk_import, get_import_progress, list_import_jobs

url, token = sys.argv[1], sys.argv[2]
files = [
    ["data/book/book_props.json"],
    ["data/book/npy/book_id.npy", "data/book/npy/word_count.npy",
     "data/book/npy/book_intro.npy", "data/book/npy/$meta.npy"],
]
created = bulk_import(url=url, collection_name="book", files=files,
                      partition_name="2022", api_key=token).json()
job = created["data"]["jobId"]
progress = None
for _ in range(600):
    progress = get_import_progress(url=url, job_id=job, api_key=token).json()
    if progress["data"]["state"] in ("Completed", "Failed"):
        break
    time.sleep(0.1)
listed = list_import_jobs(url=url, collection_name="book", api_key=token).json()
failed = None
try:
    bulk_import(url=url, collection_name="nope", files=[["data/book/book.json"]], api_key=token)
except Exception as e:  # pymilvus raises MilvusException on code != 0
    failed = str(e)
print(json.dumps({"created": created, "progress": progress, "listed": listed, "failed": failed}))
