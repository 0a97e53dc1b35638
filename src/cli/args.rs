//! Command-line arguments (`docs/cli.md`).

use std::path::PathBuf;

use clap::{FromArgMatches, Parser, Subcommand};

use super::settings;

/// vecload: bulk-load JSON and NumPy files into vector collections.
#[derive(Debug, Parser)]
#[command(name = "vecload", version, about)]
pub struct Cli {
    /// Data directory: catalog, task ledger, segments.
    #[arg(long, global = true, default_value = "./vecload-data")]
    pub data_dir: PathBuf,
    /// Config file (TOML; docs/config.md). Flags win over it.
    #[arg(long, global = true)]
    pub config: Option<PathBuf>,
    /// Machine-readable JSON on stdout.
    #[arg(long, global = true)]
    pub json: bool,
    /// The config keys given as flags (`--storage`, `--s3-*`, the tuning flags), in table
    /// order; [`settings::command`] adds one flag per key.
    #[arg(skip)]
    pub given: settings::Given,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// Parses the process's arguments; wrong ones end the process with a usage error.
    pub fn parse_args() -> Cli {
        Cli::try_parse_args(std::env::args_os()).unwrap_or_else(|e| e.exit())
    }

    /// Parses `args` (the program's name first).
    pub fn try_parse_args<I, T>(args: I) -> Result<Cli, clap::Error>
    where
        I: IntoIterator<Item = T>,
        T: Into<std::ffi::OsString> + Clone,
    {
        let mut cmd = settings::command();
        let matches = cmd.try_get_matches_from_mut(args)?;
        let mut cli = Cli::from_arg_matches(&matches).map_err(|e| e.format(&mut cmd))?;
        cli.given = settings::given(&matches);
        Ok(cli)
    }
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
    /// Import one JSON or CSV file, or the .npy files of one column set, as one task.
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
        /// CSV: the separator between cells, one ASCII character (default `,`).
        #[arg(long, value_name = "S")]
        sep: Option<String>,
        /// CSV: a cell equal to this is null (default: the empty cell).
        #[arg(long, value_name = "K")]
        null_key: Option<String>,
        /// Repeating an import with the same key returns its first task instead of
        /// importing again (the same key with other files or options is refused).
        #[arg(long, value_name = "KEY")]
        idempotency_key: Option<String>,
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
    /// Get rows by primary key or by filter (each key's newest row).
    Query {
        /// Collection.
        collection: String,
        /// Comma-separated primary keys.
        #[arg(long)]
        ids: Option<String>,
        /// Filter expression, as Milvus writes them (docs/filters.md).
        #[arg(long)]
        filter: Option<String>,
        /// Comma-separated fields to print (default: all).
        #[arg(long, value_delimiter = ',')]
        output_fields: Option<Vec<String>>,
        /// At most N rows.
        #[arg(long, default_value_t = 100)]
        limit: usize,
        /// Skip the first N matching rows (limit + offset <= 16384).
        #[arg(long, default_value_t = 0)]
        offset: usize,
        /// Only these partitions (repeat the flag or give a comma list).
        #[arg(short, long = "partition", value_delimiter = ',')]
        partitions: Vec<String>,
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
        /// Search only the rows matching this filter expression (docs/filters.md).
        #[arg(long)]
        filter: Option<String>,
        /// Only these partitions (repeat the flag or give a comma list).
        #[arg(short, long = "partition", value_delimiter = ',')]
        partitions: Vec<String>,
    },
    /// Serve the Milvus RESTful v2 API (collections, partitions, import jobs, query, search).
    Serve {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:19530")]
        listen: std::net::SocketAddr,
    },
    /// Verify the data directory (catalog, ledger, segments) without changing it.
    Check {
        /// Take the lock, run recovery, remove orphaned and temp files, fail stuck tasks.
        #[arg(long)]
        repair: bool,
    },
    /// Print a segment file's header.
    InspectSegment {
        /// The segment file.
        file: PathBuf,
    },
    /// Generate the benchmark data set and time its import in each format (`docs/performance.md`).
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
