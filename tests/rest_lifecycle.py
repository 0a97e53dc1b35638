"""Drives `vecload serve` with a real HTTP client (`requests`, as pymilvus uses): abort of a
running job, and the `Idempotency-Key` header.

Usage: python rest_lifecycle.py URL TOKEN
       The server's storage root holds slow.jsonl (a slow import) and one.jsonl; the
       collection `book` exists. Prints one JSON object with what each call returned.
"""
import json
import sys
import time

import requests

url, token = sys.argv[1], sys.argv[2]
headers = {"Authorization": f"Bearer {token}"}


def post(route, body, extra=None):
    h = dict(headers, **(extra or {}))
    r = requests.post(f"{url}/v2/vectordb/{route}", json=body, headers=h, timeout=60)
    assert r.status_code == 200, (route, r.status_code, r.text)
    return r.json()


out = {}
job = post("jobs/import/create", {"collectionName": "book", "files": [["slow.jsonl"]]})
job_id = job["data"]["jobId"]
for _ in range(300):
    if post("jobs/import/describe", {"jobId": job_id})["data"]["state"] == "Importing":
        break
    time.sleep(0.05)
out["aborted"] = post("jobs/import/abort", {"jobId": job_id})
out["after_abort"] = post("jobs/import/describe", {"jobId": job_id})["data"]
out["abort_again"] = post("jobs/import/abort", {"jobId": job_id})

body = {"collectionName": "book", "files": [["one.jsonl"]], "options": {"timeout": "60s"}}
key = {"Idempotency-Key": "client-key-1"}
out["first"] = post("jobs/import/create", body, key)
out["repeat"] = post("jobs/import/create", body, key)
out["other"] = post("jobs/import/create", dict(body, files=[["slow.jsonl"]]), key)
print(json.dumps(out))
