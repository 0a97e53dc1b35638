//! Milvus's gRPC service of `vecload serve`, from real clients: pymilvus 2.3.7's ORM (the
//! book example in data/book/pymilvus_orm.py), pymilvus 2.5.18's MilvusClient
//! (tests/grpc_client.py), and the Milvus 2.6 types with the official Rust SDK's client.

use std::process::Command;
use std::time::{Duration, Instant};

use milvus::proto::common::{
    ImportState, KeyValuePair, PlaceholderGroup, PlaceholderType, PlaceholderValue,
};
use milvus::proto::milvus::milvus_service_client::MilvusServiceClient;
use milvus::proto::milvus::{self as pb};
use milvus::proto::schema::{self as ps, DataType};
use prost::Message;
use serde_json::Value;

use crate::server::{Server, python};
use crate::util::repo;

/// The Python with pymilvus 2.3.7 (`VECLOAD_PYTHON23`, else .ci/venv-pymilvus23, which
/// scripts/test.sh builds).
fn python23() -> std::path::PathBuf {
    std::env::var_os("VECLOAD_PYTHON23")
        .map_or_else(|| repo().join(".ci/venv-pymilvus23/bin/python"), Into::into)
}

fn run_python(py: &std::path::Path, args: &[&str]) -> String {
    assert!(
        py.exists(),
        "{} is missing: run scripts/test.sh",
        py.display()
    );
    let out = Command::new(py)
        .current_dir(repo())
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?} failed: {}\n{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn pymilvus_237_orm_book_example_runs_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(dir.path(), &["--token", "root:Milvus"]);
    let (host, port) = s.addr.split_once(':').unwrap();
    let script = repo().join("data/book/pymilvus_orm.py");
    let out = run_python(
        &python23(),
        &[script.to_str().unwrap(), host, port, "root", "Milvus"],
    );
    let lines: Vec<&str> = out.lines().collect();
    let has = |l: &str| lines.contains(&l);
    assert_eq!(out.matches("Task state: Completed").count(), 2, "{out}");
    assert!(has("Imported files: data/book/book.json"), "{out}");
    assert!(
        has("Collection name: book") && has("Partition name: 2022"),
        "{out}"
    );
    assert_eq!(out.matches("Imported row count: 5").count(), 2, "{out}");
    assert_eq!(out.matches("Listed task:").count(), 2, "{out}");
    assert!(out.contains("'metric_type': 'L2'"), "{out}");
    // num_entities counts every row, duplicates included; query shows each key once.
    assert!(has("Entities: 10"), "{out}");
    assert!(
        has("Query: 101 13 2015") && has("Query: 103 7 2017"),
        "{out}"
    );
    assert_eq!(out.matches("Query:").count(), 2, "{out}");
    // word_count <= 30 leaves 105 (34) out: 104 then 103, by L2.
    let hits: Vec<&str> = lines
        .iter()
        .filter(|l| l.starts_with("Search:"))
        .copied()
        .collect();
    assert_eq!(hits, ["Search: 104 1.62 12", "Search: 103 7.22 7"], "{out}");

    // A wrong token is refused with code 1800.
    let out = Command::new(python23())
        .current_dir(repo())
        .args([script.to_str().unwrap(), host, port, "root", "wrong"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("1800") || err.contains("authenticat"), "{err}");
}

#[test]
fn pymilvus_25_milvus_client_over_grpc() {
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(dir.path(), &["--token", "secret"]);
    let uri = format!("http://{}", s.addr);
    let script = repo().join("tests/grpc_client.py");
    let out = run_python(&python(), &[script.to_str().unwrap(), &uri, "secret"]);
    let v: Value = serde_json::from_str(out.trim()).unwrap();
    let quick = &v["quick"];
    assert_eq!(quick["fields"][0]["name"], "id", "{quick}");
    assert_eq!(quick["fields"][1]["params"]["dim"], 3, "{quick}");
    assert_eq!(quick["enable_dynamic_field"], true, "{quick}");
    assert_eq!(v["book"]["fields"][2]["name"], "book_intro", "{v}");
    assert_eq!(v["collections"], serde_json::json!(["book", "quick"]));
    assert_eq!(v["partitions"], serde_json::json!(["_default", "2022"]));
    assert_eq!(v["has_partition"], true);
    assert_eq!(v["import"]["state"], "Completed", "{v}");
    assert_eq!(v["import"]["rows"], 5, "{v}");
    let q = v["query"].as_array().unwrap();
    assert_eq!(q.len(), 3, "{v}"); // word_count 13, 25, 34
    assert!(
        q.iter().all(|r| r["word_count"].as_i64().unwrap() > 12),
        "{v}"
    );
    assert_eq!(q[0]["book_props"]["year"], 2015, "{v}");
    assert_eq!(v["count"][0]["count(*)"], 5, "{v}");
    let hits = v["search"][0].as_array().unwrap();
    assert_eq!(hits.len(), 2, "{v}");
    assert_eq!(hits[0]["id"], 104, "{v}");
    assert_eq!(hits[0]["word_count"], 12, "{v}");
    assert_eq!(v["stats"]["row_count"], 5, "{v}");
    assert_eq!(v["index"]["metric_type"], "L2", "{v}");
    assert_eq!(v["unknown_collection"]["code"], 100, "{v}");
    assert_eq!(v["unknown_collection_query"]["code"], 100, "{v}");
    let dim = &v["wrong_dim"];
    assert_eq!(dim["code"], 1100, "{v}");
    assert!(dim["message"].as_str().unwrap().contains("dim"), "{v}");
    let bad = &v["bad_filter"];
    assert_eq!(bad["code"], 1100, "{v}");
    assert!(
        v["unimplemented"]["message"]
            .as_str()
            .unwrap()
            .contains("MilvusService/Delete"),
        "{v}"
    );
    assert_eq!(v["after_drop"], serde_json::json!(["book"]));
}

fn kv(key: &str, value: &str) -> KeyValuePair {
    KeyValuePair {
        key: key.into(),
        value: value.into(),
    }
}

fn field(name: &str, t: DataType, params: &[(&str, &str)]) -> ps::FieldSchema {
    ps::FieldSchema {
        name: name.into(),
        data_type: t as i32,
        type_params: params.iter().map(|(k, v)| kv(k, v)).collect(),
        ..Default::default()
    }
}

/// Int8Vector, Geometry, Timestamptz and Array of Struct over gRPC, with the official Rust
/// SDK's client: the schema created, described, imported, queried and searched.
#[test]
fn types_26_with_the_rust_sdk() {
    let dir = tempfile::tempdir().unwrap();
    let files = dir.path().join("files");
    std::fs::create_dir(&files).unwrap();
    std::fs::write(
        files.join("rows.json"),
        r#"{"rows": [
          {"id": 1, "q": [1, 2, 3, 4], "g": "POINT (1 2)", "ts": "2025-01-31T08:30:00+08:00",
           "chunks": [{"t": "x", "e": [0.5, 1]}, {"t": "y", "e": [2, 3]}]},
          {"id": 2, "q": [-4, -3, -2, -1], "g": null, "ts": "2025-02-01", "chunks": []}]}"#,
    )
    .unwrap();
    let s = Server::start_on(&dir.path().join("data"), &files, &[]);
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        // The generated client's own `connect` is the Connect RPC: open the channel first.
        let channel = tonic::transport::Endpoint::from_shared(format!("http://{}", s.addr))
            .unwrap()
            .connect()
            .await
            .unwrap();
        let mut c = MilvusServiceClient::new(channel);
        let mut id = field("id", DataType::Int64, &[]);
        id.is_primary_key = true;
        let mut g = field("g", DataType::Geometry, &[]);
        g.nullable = true;
        let mut t = field("t", DataType::Array, &[("max_length", "16")]);
        t.element_type = DataType::VarChar as i32;
        let mut e = field("e", DataType::ArrayOfVector, &[("dim", "2")]);
        e.element_type = DataType::FloatVector as i32;
        let schema = ps::CollectionSchema {
            name: "docs".into(),
            fields: vec![
                id,
                field("q", DataType::Int8Vector, &[("dim", "4")]),
                g,
                field("ts", DataType::Timestamptz, &[]),
            ],
            struct_array_fields: vec![ps::StructArrayFieldSchema {
                name: "chunks".into(),
                fields: vec![t, e],
                type_params: vec![kv("max_capacity", "3")],
                ..Default::default()
            }],
            ..Default::default()
        };
        let status = c
            .create_collection(pb::CreateCollectionRequest {
                collection_name: "docs".into(),
                schema: schema.encode_to_vec(),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner();
        #[allow(deprecated)] // the legacy code pymilvus 2.3 reads
        let legacy = status.error_code;
        assert_eq!((status.code, legacy), (0, 0), "{status:?}");

        let d = c
            .describe_collection(pb::DescribeCollectionRequest {
                collection_name: "docs".into(),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner();
        let got = d.schema.unwrap();
        let types: Vec<i32> = got.fields.iter().map(|f| f.data_type).collect();
        let want = [
            DataType::Int64,
            DataType::Int8Vector,
            DataType::Geometry,
            DataType::Timestamptz,
        ];
        assert_eq!(types, want.map(|t| t as i32));
        assert_eq!(got.struct_array_fields[0].name, "chunks");
        let members: Vec<(i32, i32)> = (got.struct_array_fields[0].fields.iter())
            .map(|f| (f.data_type, f.element_type))
            .collect();
        let want = [
            (DataType::Array as i32, DataType::VarChar as i32),
            (DataType::ArrayOfVector as i32, DataType::FloatVector as i32),
        ];
        assert_eq!(members, want);

        let st = import_until_completed(&mut c, "docs", &["rows.json"], &[]).await;
        assert_eq!(st.row_count, 2);

        let q = c
            .query(pb::QueryRequest {
                collection_name: "docs".into(),
                expr: "id in [1, 2]".into(),
                output_fields: vec!["q".into(), "g".into(), "ts".into(), "chunks".into()],
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner();
        assert_eq!(q.status.as_ref().map(|s| s.code), Some(0), "{q:?}");
        let col = |name: &str| {
            q.fields_data
                .iter()
                .find(|f| f.field_name == name)
                .unwrap()
                .clone()
        };
        use ps::field_data::Field;
        use ps::scalar_field::Data as S;
        use ps::vector_field::Data as V;
        let Some(Field::Vectors(v)) = col("q").field else {
            panic!("{q:?}")
        };
        assert_eq!(
            v.data,
            Some(V::Int8Vector(vec![1, 2, 3, 4, 252, 253, 254, 255]))
        );
        let g = col("g");
        assert_eq!(g.valid_data, [true, false]);
        let Some(Field::Scalars(gs)) = g.field else {
            panic!()
        };
        assert_eq!(
            gs.data.unwrap(),
            S::GeometryWktData(ps::GeometryWktArray {
                data: vec!["POINT(1 2)".into(), String::new()]
            })
        );
        let Some(Field::Scalars(ts)) = col("ts").field else {
            panic!()
        };
        // 2025-01-31T00:30:00Z and 2025-02-01T00:00:00Z, in microseconds.
        assert_eq!(
            ts.data.unwrap(),
            S::TimestamptzData(ps::TimestamptzArray {
                data: vec![1_738_283_400_000_000, 1_738_368_000_000_000]
            })
        );
        let Some(Field::StructArrays(chunks)) = col("chunks").field else {
            panic!("{q:?}")
        };
        let Some(Field::Scalars(t)) = &chunks.fields[0].field else {
            panic!()
        };
        let Some(S::ArrayData(t)) = &t.data else {
            panic!()
        };
        assert_eq!(
            t.data[0].data,
            Some(S::StringData(ps::StringArray {
                data: vec!["x".into(), "y".into()]
            }))
        );
        assert_eq!(
            t.data[1].data,
            Some(S::StringData(ps::StringArray { data: vec![] }))
        );

        let group = PlaceholderGroup {
            placeholders: vec![PlaceholderValue {
                tag: "$0".into(),
                r#type: PlaceholderType::Int8Vector as i32,
                values: vec![vec![252, 253, 254, 255]],
                ..Default::default()
            }],
        };
        let r = c
            .search(pb::SearchRequest {
                collection_name: "docs".into(),
                search_input: Some(pb::search_request::SearchInput::PlaceholderGroup(
                    group.encode_to_vec(),
                )),
                search_params: vec![
                    kv("anns_field", "q"),
                    kv("topk", "1"),
                    kv("metric_type", "L2"),
                ],
                output_fields: vec!["ts".into()],
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner();
        let res = r.results.unwrap();
        let Some(ps::i_ds::IdField::IntId(ids)) = res.ids.unwrap().id_field else {
            panic!()
        };
        assert_eq!(ids.data, [2]);
        assert_eq!(res.scores, [0.0]);
        assert_eq!(res.fields_data[0].field_name, "ts");
    });
}

/// Sends raw gRPC `Import` of `files` into `collection` with `options` (key, value), then
/// polls `GetImportState` until the task is Completed (Failed, or a minute without an end,
/// fails the test); returns that last state.
pub(crate) async fn import_until_completed(
    c: &mut MilvusServiceClient<tonic::transport::Channel>,
    collection: &str,
    files: &[&str],
    options: &[(&str, &str)],
) -> pb::GetImportStateResponse {
    let task = c
        .import(pb::ImportRequest {
            collection_name: collection.into(),
            files: files.iter().map(|f| f.to_string()).collect(),
            options: (options.iter())
                .map(|(k, v)| KeyValuePair {
                    key: k.to_string(),
                    value: v.to_string(),
                })
                .collect(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let st = c
            .get_import_state(pb::GetImportStateRequest {
                task: task.tasks[0],
            })
            .await
            .unwrap()
            .into_inner();
        if st.state == ImportState::ImportCompleted as i32 {
            return st;
        }
        assert_ne!(st.state, ImportState::ImportFailed as i32, "{st:?}");
        assert!(Instant::now() < deadline, "{st:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
