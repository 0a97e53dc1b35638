"""Drives `vecload serve` with pymilvus's own bulk-import functions, unchanged.

Usage: python pymilvus_client.py URL TOKEN
           imports the book files; prints one JSON object with what each call returned.
       python pymilvus_client.py URL TOKEN JOBS
           JOBS is a JSON object {collection: files} (files as `batch_files` gives them);
           starts one import job per collection, waits for all, prints {collection:
           get_import_progress's data} (or {"error": ...} when bulk_import raised).
"""
import json
import sys
import time

from pymilvus.bulk_writer import bulk_import, get_import_progress, list_import_jobs

url, token = sys.argv[1], sys.argv[2]


def wait(job):
    progress = None
    for _ in range(600):
        progress = get_import_progress(url=url, job_id=job, api_key=token).json()
        if progress["data"]["state"] in ("Completed", "Failed"):
            break
        time.sleep(0.1)
    return progress


if len(sys.argv) > 3:
    jobs = {}
    for collection, files in json.loads(sys.argv[3]).items():
        try:
            created = bulk_import(url=url, collection_name=collection, files=files,
                                  api_key=token).json()
            jobs[collection] = created["data"]["jobId"]
        except Exception as e:  # pymilvus raises MilvusException on code != 0
            jobs[collection] = {"error": str(e)}
    print(json.dumps({c: j if isinstance(j, dict) else wait(j)["data"]
                      for c, j in jobs.items()}))
    sys.exit(0)

files = [
    ["data/book/book_props.json"],
    ["data/book/npy/book_id.npy", "data/book/npy/word_count.npy",
     "data/book/npy/book_intro.npy", "data/book/npy/$meta.npy"],
]
created = bulk_import(url=url, collection_name="book", files=files,
                      partition_name="2022", api_key=token).json()
progress = wait(created["data"]["jobId"])
listed = list_import_jobs(url=url, collection_name="book", api_key=token).json()
failed = None
try:
    bulk_import(url=url, collection_name="nope", files=[["data/book/book.json"]], api_key=token)
except Exception as e:  # pymilvus raises MilvusException on code != 0
    failed = str(e)
print(json.dumps({"created": created, "progress": progress, "listed": listed, "failed": failed}))
