//! Command-line arguments (docs/cli.md).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// vecload: bulk-load JSON and NumPy files into vector collections.
#[derive(Debug, Parser)]
#[command(name = "vecload", version, about)]
pub struct Cli {
    /// Data directory: catalog, task ledger, segments.
    #[arg(long, global = true, default_value = "./vecload-data")]
    pub data_dir: PathBuf,
    /// Storage root import paths are relative to: a directory or s3://bucket[/prefix].
    #[arg(long, global = true)]
    pub storage: Option<String>,
    /// S3 settings for an s3:// storage root.
    #[command(flatten)]
    pub s3: S3Flags,
    /// Config file (TOML; see docs/config.md). Flags win over it.
    #[arg(long, global = true)]
    pub config: Option<PathBuf>,
    /// Machine-readable JSON on stdout.
    #[arg(long, global = true)]
    pub json: bool,
    /// Limits and tuning.
    #[command(flatten)]
    pub tuning: Tuning,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Config keys as flags (`import.max_file_size` -> `--import-max-file-size`).
#[derive(Debug, Args, Default)]
pub struct Tuning {
    /// Seconds a started task may take before it fails.
    #[arg(long, global = true)]
    pub import_task_expiration_s: Option<u64>,
    /// Seconds finished task records are kept.
    #[arg(long, global = true)]
    pub import_task_retention_s: Option<u64>,
    /// Pending tasks the queue holds at most.
    #[arg(long, global = true)]
    pub import_max_pending_tasks: Option<usize>,
    /// Largest import file in bytes.
    #[arg(long, global = true)]
    pub import_max_file_size: Option<u64>,
    /// Tasks that run at once.
    #[arg(long, global = true)]
    pub import_max_parallel_tasks: Option<usize>,
    /// timely workers per task.
    #[arg(long, global = true)]
    pub import_workers: Option<usize>,
    /// Peak RSS budget of an import in bytes.
    #[arg(long, global = true)]
    pub import_memory_budget: Option<u64>,
    /// Pause before each work unit in milliseconds (throttle).
    #[arg(long, global = true)]
    pub import_throttle_unit_ms: Option<u64>,
    /// JSON row parser: exact (default) or simd-json.
    #[arg(long, global = true)]
    pub import_json_parser: Option<vecload::JsonParser>,
    /// Target work-unit size in bytes.
    #[arg(long, global = true)]
    pub import_unit_bytes: Option<usize>,
    /// Segment roll-over size in bytes.
    #[arg(long, global = true)]
    pub segment_max_size: Option<u64>,
    /// Partitions of a partition-key collection by default.
    #[arg(long, global = true)]
    pub collection_default_partitions_with_key: Option<usize>,
}

/// Commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create, list, describe or drop collections.
    #[command(subcommand)]
    Collection(CollectionCmd),
    /// Create or list partitions.
    #[command(subcommand)]
    Partition(PartitionCmd),
    /// Import one JSON file, or the .npy files of one column set, as one task.
    Import {
        /// Target collection.
        #[arg(short, long)]
        collection: String,
        /// Target partition (default `_default`; none for partition-key collections).
        #[arg(short, long)]
        partition: Option<String>,
        /// Return after printing the task id.
        #[arg(long)]
        detach: bool,
        /// Files, relative to the storage root.
        #[arg(required = true)]
        files: Vec<String>,
    },
    /// Show one task.
    State {
        /// Task id.
        id: u64,
    },
    /// List tasks, oldest first.
    Tasks {
        /// Only tasks of this collection.
        #[arg(short, long)]
        collection: Option<String>,
        /// Keep the newest N.
        #[arg(long)]
        limit: Option<usize>,
    },
    /// Cancel a Pending or Started task.
    Cancel {
        /// Task id.
        id: u64,
    },
    /// Count visible rows.
    Count {
        /// Collection.
        collection: String,
        /// Only this partition.
        #[arg(short, long)]
        partition: Option<String>,
    },
    /// Get rows by primary key.
    Query {
        /// Collection.
        collection: String,
        /// Comma-separated primary keys.
        #[arg(long)]
        ids: Option<String>,
        /// Filter expression.
        #[arg(long)]
        filter: Option<String>,
        /// Comma-separated fields to print (default: all).
        #[arg(long, value_delimiter = ',')]
        output_fields: Option<Vec<String>>,
        /// At most N rows.
        #[arg(long, default_value_t = 100)]
        limit: usize,
    },
    /// Exact nearest-neighbour search over a vector field.
    Search {
        /// Collection.
        collection: String,
        /// Query vector as a JSON list, e.g. '[0.1, 0.2]'.
        #[arg(long)]
        vector: String,
        /// Vector field (default: the only one).
        #[arg(long)]
        field: Option<String>,
        /// Results to return.
        #[arg(long, default_value_t = 10)]
        limit: usize,
        /// L2, IP, COSINE or HAMMING.
        #[arg(long)]
        metric: Option<String>,
        /// Comma-separated fields to print with each hit.
        #[arg(long, value_delimiter = ',')]
        output_fields: Option<Vec<String>>,
    },
    /// Serve the Milvus RESTful v2 API (collections, partitions, import jobs, query, search).
    Serve {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:19530")]
        listen: std::net::SocketAddr,
        /// Require `Authorization: Bearer TOKEN` on every request.
        #[arg(long)]
        token: Option<String>,
    },
    /// Print a segment file's header.
    InspectSegment {
        /// The segment file.
        file: PathBuf,
    },
    /// Generate the benchmark data set and time its import in each format (docs/performance.md).
    BenchImport(super::bench::BenchImportArgs),
}

/// `vecload collection ...`
#[derive(Debug, Subcommand)]
pub enum CollectionCmd {
    /// Create a collection from a schema file.
    Create {
        /// Schema file (JSON body of Milvus's collections/create).
        schema: PathBuf,
    },
    /// List collections.
    List,
    /// Show a collection's schema and partitions.
    Describe {
        /// Collection.
        name: String,
    },
    /// Drop a collection and its data.
    Drop {
        /// Collection.
        name: String,
    },
}

/// `vecload partition ...`
#[derive(Debug, Subcommand)]
pub enum PartitionCmd {
    /// Create a partition.
    Create {
        /// Collection.
        collection: String,
        /// Partition name.
        partition: String,
    },
    /// List partitions with their row counts.
    List {
        /// Collection.
        collection: String,
    },
}

/// S3 settings (docs/config.md); keys come from `AWS_ACCESS_KEY_ID` and
/// `AWS_SECRET_ACCESS_KEY`.
#[derive(Debug, Args, Default)]
pub struct S3Flags {
    /// S3 endpoint URL (default: $AWS_ENDPOINT_URL, else AWS).
    #[arg(long, global = true)]
    pub s3_endpoint: Option<String>,
    /// S3 region (default: $AWS_REGION, else us-east-1).
    #[arg(long, global = true)]
    pub s3_region: Option<String>,
    /// Allow a plain http:// S3 endpoint (loopback test servers).
    #[arg(long, global = true)]
    pub s3_allow_http: bool,
}
