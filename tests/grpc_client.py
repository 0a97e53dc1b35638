"""Drives `vecload serve` over gRPC with pymilvus 2.5's MilvusClient, unchanged.

Usage: python grpc_client.py URI TOKEN
Prints one JSON object with what each call returned; the bad requests (unknown collection,
wrong dim in a search, bad filter) as the MilvusException's code and message.
"""
import json
import sys

from pymilvus import DataType, MilvusClient, MilvusException

uri, token = sys.argv[1], sys.argv[2]
client = MilvusClient(uri=uri, token=token)
out = {}

# Quick setup: an `id` Int64 key, a `vector` of the dimension, dynamic fields, COSINE.
client.create_collection(collection_name="quick", dimension=3)
out["quick"] = client.describe_collection("quick")

schema = MilvusClient.create_schema(auto_id=False, enable_dynamic_field=True)
schema.add_field("book_id", DataType.INT64, is_primary=True)
schema.add_field("word_count", DataType.INT64)
schema.add_field("book_intro", DataType.FLOAT_VECTOR, dim=2)
index_params = client.prepare_index_params()
index_params.add_index(field_name="book_intro", index_type="AUTOINDEX", metric_type="L2")
client.create_collection(collection_name="book", schema=schema, index_params=index_params)
out["book"] = client.describe_collection("book")
out["collections"] = sorted(client.list_collections())
client.create_partition("book", "2022")
out["partitions"] = client.list_partitions("book")
out["has_partition"] = client.has_partition("book", "2022")

# Rows come from a bulk insert (gRPC Import, as utility.do_bulk_insert sends it).
task = client._get_connection().do_bulk_insert("book", "2022", ["data/book/book_props.json"])
while True:
    state = client._get_connection().get_bulk_insert_state(task)
    if state.state_name in ("Completed", "Failed"):
        break
out["import"] = {"state": state.state_name, "rows": state.row_count, "files": state.files}

out["query"] = client.query(
    "book", filter="word_count > 12", output_fields=["book_id", "word_count", "book_props"]
)
out["count"] = client.query("book", filter="", output_fields=["count(*)"])
hits = client.search(
    "book",
    data=[[5.0, 5.1]],
    filter="book_id < 105",
    limit=2,
    output_fields=["word_count"],
)
out["search"] = [
    [{"id": h.id, "distance": h.distance, "word_count": h.entity.get("word_count")} for h in q]
    for q in hits
]
out["stats"] = client.get_collection_stats("book")
out["index"] = client.describe_index("book", "book_intro")


def error(call):
    try:
        call()
    except MilvusException as e:
        return {"code": e.code, "message": e.message}
    except Exception as e:  # grpc.RpcError: a gRPC status, not a Milvus one
        return {"grpc": str(e.code()) if hasattr(e, "code") else None, "message": str(e)}
    return None


out["unknown_collection"] = error(lambda: client.describe_collection("nope"))
out["unknown_collection_query"] = error(lambda: client.query("nope", filter="id > 0"))
out["wrong_dim"] = error(lambda: client.search("book", data=[[1.0, 2.0, 3.0]], limit=1))
out["bad_filter"] = error(lambda: client.query("book", filter="word_count >>> 1"))
out["unimplemented"] = error(lambda: client.delete("book", filter="book_id in [1]"))

client.drop_collection("quick")
out["after_drop"] = sorted(client.list_collections())
print(json.dumps(out, default=str))
