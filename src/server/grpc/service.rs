//! The `MilvusService` methods vecload serves, each a few lines over the engine; every other
//! method keeps the generated stub (`UNIMPLEMENTED`, named by [`super::call`]).

use milvus::proto::common::{KeyValuePair, LoadState, ServerInfo, Status};
use milvus::proto::milvus::{self as pb, milvus_service_server::MilvusService};
use milvus::proto::schema::LongArray;
use tonic::{Request, Response};

use super::{Grpc, data, index, schema};
use crate::catalog::{CatalogError, Collection};
use crate::engine::{Engine, EngineError};
use crate::server::error::ApiError;

type Reply<T> = Result<Response<T>, tonic::Status>;

fn engine_err(e: EngineError) -> ApiError {
    ApiError::from_engine(e, false)
}

fn collection(engine: &Engine, name: &str) -> Result<Collection, ApiError> {
    engine.describe_collection(name).map_err(engine_err)
}

fn kv(key: &str, value: impl ToString) -> KeyValuePair {
    KeyValuePair {
        key: key.into(),
        value: value.to_string(),
    }
}

/// Milvus's hybrid timestamp of now: physical milliseconds shifted past 18 logical bits.
fn hybrid_now() -> u64 {
    let ms = (std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH))
        .map_or(0, |d| d.as_millis() as u64);
    ms << 18
}

/// The rows of `partition` (every partition when empty); a missing partition is refused.
fn rows(engine: &Engine, c: &str, partition: &str) -> Result<u64, ApiError> {
    let p = Some(partition).filter(|p| !p.is_empty());
    engine.count(c, p).map_err(engine_err)
}

#[tonic::async_trait]
impl MilvusService for Grpc {
    async fn connect(&self, req: Request<pb::ConnectRequest>) -> Reply<pb::ConnectResponse> {
        self.run(req, |_, _| {
            let info = ServerInfo {
                build_tags: format!("vecload {}", env!("CARGO_PKG_VERSION")),
                deploy_mode: "STANDALONE".into(),
                ..Default::default()
            };
            Ok(pb::ConnectResponse {
                status: None,
                server_info: Some(info),
                identifier: 1,
            })
        })
        .await
    }

    async fn get_version(
        &self,
        req: Request<pb::GetVersionRequest>,
    ) -> Reply<pb::GetVersionResponse> {
        self.run(req, |_, _| {
            Ok(pb::GetVersionResponse {
                status: None,
                version: "v2.6.0".into(),
            })
        })
        .await
    }

    async fn check_health(
        &self,
        req: Request<pb::CheckHealthRequest>,
    ) -> Reply<pb::CheckHealthResponse> {
        self.run(req, |_, _| {
            Ok(pb::CheckHealthResponse {
                is_healthy: true,
                ..Default::default()
            })
        })
        .await
    }

    async fn create_collection(&self, req: Request<pb::CreateCollectionRequest>) -> Reply<Status> {
        self.run(req, |e, r| {
            let body = schema::create_body(&r)?;
            e.create_collection_from_json(&body).map_err(engine_err)?;
            Ok(super::ok())
        })
        .await
    }

    async fn drop_collection(&self, req: Request<pb::DropCollectionRequest>) -> Reply<Status> {
        self.run(req, |e, r| {
            e.drop_collection(&r.collection_name).map_err(engine_err)?;
            Ok(super::ok())
        })
        .await
    }

    async fn has_collection(
        &self,
        req: Request<pb::HasCollectionRequest>,
    ) -> Reply<pb::BoolResponse> {
        self.run(req, |e, r| {
            let value = e.describe_collection(&r.collection_name).is_ok();
            Ok(pb::BoolResponse {
                status: None,
                value,
            })
        })
        .await
    }

    async fn describe_collection(
        &self,
        req: Request<pb::DescribeCollectionRequest>,
    ) -> Reply<pb::DescribeCollectionResponse> {
        self.run(req, |e, r| {
            let c = collection(e, &r.collection_name)?;
            Ok(pb::DescribeCollectionResponse {
                schema: Some(schema::collection_proto(&c.schema)),
                collection_id: c.id as i64,
                shards_num: c.schema.shards_num as i32,
                collection_name: c.schema.name.clone(),
                db_name: "default".into(),
                num_partitions: c.partitions.len() as i64,
                ..Default::default()
            })
        })
        .await
    }

    async fn show_collections(
        &self,
        req: Request<pb::ShowCollectionsRequest>,
    ) -> Reply<pb::ShowCollectionsResponse> {
        self.run(req, |e, _| {
            let all = e.list_collections();
            Ok(pb::ShowCollectionsResponse {
                collection_names: all.iter().map(|c| c.schema.name.clone()).collect(),
                collection_ids: all.iter().map(|c| c.id as i64).collect(),
                created_timestamps: vec![0; all.len()],
                created_utc_timestamps: vec![0; all.len()],
                in_memory_percentages: vec![100; all.len()],
                query_service_available: vec![true; all.len()],
                shards_num: all.iter().map(|c| c.schema.shards_num as i32).collect(),
                status: None,
            })
        })
        .await
    }

    async fn create_partition(&self, req: Request<pb::CreatePartitionRequest>) -> Reply<Status> {
        self.run(req, |e, r| {
            (e.create_partition(&r.collection_name, &r.partition_name)).map_err(engine_err)?;
            Ok(super::ok())
        })
        .await
    }

    async fn has_partition(
        &self,
        req: Request<pb::HasPartitionRequest>,
    ) -> Reply<pb::BoolResponse> {
        self.run(req, |e, r| {
            let c = collection(e, &r.collection_name)?;
            let value = c.partition(&r.partition_name).is_some();
            Ok(pb::BoolResponse {
                status: None,
                value,
            })
        })
        .await
    }

    async fn show_partitions(
        &self,
        req: Request<pb::ShowPartitionsRequest>,
    ) -> Reply<pb::ShowPartitionsResponse> {
        self.run(req, |e, r| {
            let c = collection(e, &r.collection_name)?;
            let n = c.partitions.len();
            Ok(pb::ShowPartitionsResponse {
                partition_names: c.partitions.iter().map(|p| p.name.clone()).collect(),
                partition_i_ds: (0..n as i64).collect(),
                created_timestamps: vec![0; n],
                created_utc_timestamps: vec![0; n],
                in_memory_percentages: vec![100; n],
                status: None,
            })
        })
        .await
    }

    async fn get_collection_statistics(
        &self,
        req: Request<pb::GetCollectionStatisticsRequest>,
    ) -> Reply<pb::GetCollectionStatisticsResponse> {
        self.run(req, |e, r| {
            let n = rows(e, &r.collection_name, "")?;
            Ok(pb::GetCollectionStatisticsResponse {
                status: None,
                stats: vec![kv("row_count", n)],
            })
        })
        .await
    }

    async fn get_partition_statistics(
        &self,
        req: Request<pb::GetPartitionStatisticsRequest>,
    ) -> Reply<pb::GetPartitionStatisticsResponse> {
        self.run(req, |e, r| {
            if r.partition_name.is_empty() {
                let missing = CatalogError::PartitionNotFound {
                    collection: r.collection_name.clone(),
                    partition: String::new(),
                };
                return Err(engine_err(missing.into()));
            }
            let n = rows(e, &r.collection_name, &r.partition_name)?;
            Ok(pb::GetPartitionStatisticsResponse {
                status: None,
                stats: vec![kv("row_count", n)],
            })
        })
        .await
    }

    async fn import(&self, req: Request<pb::ImportRequest>) -> Reply<pb::ImportResponse> {
        self.run(req, data::import).await
    }

    async fn get_import_state(
        &self,
        req: Request<pb::GetImportStateRequest>,
    ) -> Reply<pb::GetImportStateResponse> {
        self.run(req, data::get_import_state).await
    }

    async fn list_import_tasks(
        &self,
        req: Request<pb::ListImportTasksRequest>,
    ) -> Reply<pb::ListImportTasksResponse> {
        self.run(req, data::list_import_tasks).await
    }

    async fn flush(&self, req: Request<pb::FlushRequest>) -> Reply<pb::FlushResponse> {
        // Committed rows are durable already: flushed at once.
        self.run(req, |e, r| {
            let mut out = pb::FlushResponse {
                db_name: "default".into(),
                ..Default::default()
            };
            for name in &r.collection_names {
                collection(e, name)?;
                out.coll_seg_i_ds.insert(name.clone(), LongArray::default());
                out.flush_coll_seg_i_ds
                    .insert(name.clone(), LongArray::default());
                out.coll_flush_ts.insert(name.clone(), hybrid_now());
            }
            Ok(out)
        })
        .await
    }

    async fn get_flush_state(
        &self,
        req: Request<pb::GetFlushStateRequest>,
    ) -> Reply<pb::GetFlushStateResponse> {
        self.run(req, |_, _| {
            Ok(pb::GetFlushStateResponse {
                status: None,
                flushed: true,
            })
        })
        .await
    }

    async fn load_collection(&self, req: Request<pb::LoadCollectionRequest>) -> Reply<Status> {
        // Committed rows are searchable at once: loading only checks the collection.
        self.run(req, |e, r| {
            collection(e, &r.collection_name).map(|_| super::ok())
        })
        .await
    }

    async fn release_collection(
        &self,
        req: Request<pb::ReleaseCollectionRequest>,
    ) -> Reply<Status> {
        self.run(req, |e, r| {
            collection(e, &r.collection_name).map(|_| super::ok())
        })
        .await
    }

    async fn get_load_state(
        &self,
        req: Request<pb::GetLoadStateRequest>,
    ) -> Reply<pb::GetLoadStateResponse> {
        self.run(req, |e, r| {
            collection(e, &r.collection_name)?;
            Ok(pb::GetLoadStateResponse {
                status: None,
                state: LoadState::Loaded as i32,
            })
        })
        .await
    }

    async fn get_loading_progress(
        &self,
        req: Request<pb::GetLoadingProgressRequest>,
    ) -> Reply<pb::GetLoadingProgressResponse> {
        self.run(req, |e, r| {
            collection(e, &r.collection_name)?;
            Ok(pb::GetLoadingProgressResponse {
                status: None,
                progress: 100,
                refresh_progress: 100,
            })
        })
        .await
    }

    async fn alloc_timestamp(
        &self,
        req: Request<pb::AllocTimestampRequest>,
    ) -> Reply<pb::AllocTimestampResponse> {
        self.run(req, |_, _| {
            Ok(pb::AllocTimestampResponse {
                status: None,
                timestamp: hybrid_now(),
            })
        })
        .await
    }

    async fn create_index(&self, req: Request<pb::CreateIndexRequest>) -> Reply<Status> {
        self.run(req, index::create).await
    }

    async fn describe_index(
        &self,
        req: Request<pb::DescribeIndexRequest>,
    ) -> Reply<pb::DescribeIndexResponse> {
        self.run(req, index::describe).await
    }

    async fn get_index_state(
        &self,
        req: Request<pb::GetIndexStateRequest>,
    ) -> Reply<pb::GetIndexStateResponse> {
        self.run(req, index::state).await
    }

    async fn get_index_build_progress(
        &self,
        req: Request<pb::GetIndexBuildProgressRequest>,
    ) -> Reply<pb::GetIndexBuildProgressResponse> {
        self.run(req, index::build_progress).await
    }

    async fn query(&self, req: Request<pb::QueryRequest>) -> Reply<pb::QueryResults> {
        self.run(req, data::query).await
    }

    async fn search(&self, req: Request<pb::SearchRequest>) -> Reply<pb::SearchResults> {
        self.run(req, data::search).await
    }
}
