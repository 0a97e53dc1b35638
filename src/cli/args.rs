//! Command-line arguments (`docs/cli.md`).

use std::path::PathBuf;

use clap::{FromArgMatches, Parser, Subcommand};

use super::settings;

/// The help heading of the global flags: after a subcommand's own flags.
pub const GLOBAL: &str = "Global options";

/// vecload: bulk-load JSON, Parquet, CSV and NumPy files into vector collections.
#[derive(Debug, Parser)]
#[command(name = "vecload", version, about)]
pub struct Cli {
    /// Data directory: catalog, task ledger, segments.
    #[arg(long, global = true, default_value = "./vecload-data", env = "VECLOAD_DATA_DIR", help_heading = GLOBAL)]
    pub data_dir: PathBuf,
    /// Config file (TOML; its keys are the long flags' names with dots: `import.workers`). Flags win over it.
    #[arg(long, global = true, env = "VECLOAD_CONFIG", help_heading = GLOBAL)]
    pub config: Option<PathBuf>,
    /// Talk to a running `vecload serve` at this URL (http or https) instead of opening the data directory.
    #[arg(long, global = true, value_name = "URL", env = "VECLOAD_SERVER", help_heading = GLOBAL)]
    pub server: Option<String>,
    /// Machine-readable JSON on stdout; errors as JSON on stderr.
    #[arg(long, global = true, env = "VECLOAD_JSON", help_heading = GLOBAL)]
    pub json: bool,
    /// Quiet: errors only, no progress (log level error).
    #[arg(short, long, global = true, env = "VECLOAD_QUIET", conflicts_with = "verbose", help_heading = GLOBAL)]
    pub quiet: bool,
    /// Verbose: log level debug.
    #[arg(short, long, global = true, env = "VECLOAD_VERBOSE", help_heading = GLOBAL)]
    pub verbose: bool,
    /// Whether `--data-dir` (or `VECLOAD_DATA_DIR`) was given rather than defaulted.
    #[arg(skip)]
    pub data_dir_given: bool,
    /// The config keys given as flags (`--storage`, `--s3-*`, the tuning flags), in table
    /// order; [`settings::command`] adds one flag per key.
    #[arg(skip)]
    pub given: settings::Given,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
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
        cli.data_dir_given = matches
            .value_source("data_dir")
            .is_some_and(|s| s != clap::parser::ValueSource::DefaultValue);
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
    /// Import one JSON, Parquet or CSV file, or the .npy files of one column set, as one task.
    Import {
        /// Target collection.
        #[arg(short, long)]
        collection: String,
        /// Target partition (default `_default`; none for partition-key collections).
        #[arg(short, long)]
        partition: Option<String>,
        /// Return after printing the task id (client mode: the server runs the task).
        #[arg(long)]
        detach: bool,
        /// Read, check and route every row and report rows per partition, rejected rows,
        /// bytes and seconds, without writing a segment or changing the collection.
        #[arg(long)]
        dry_run: bool,
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
        /// Run the task over the processes listed in FILE (one host:port a line), each
        /// started with the same command and its own --process.
        #[arg(long, value_name = "FILE", requires = "process")]
        cluster: Option<String>,
        /// This process's index in the --cluster file (0 holds the lock and commits).
        #[arg(long, value_name = "I", requires = "cluster")]
        process: Option<usize>,
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
    /// Print a task's rejected rows (JSON Lines).
    Rejects {
        /// Task id.
        id: u64,
    },
    /// Cancel a Pending or Started task (client mode: abort the job holding it).
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
        /// Filter expression, as Milvus writes them (e.g. `book_id in [1, 2] and word_count > 10`).
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
        /// Search only the rows matching this filter expression (as --filter of `query`).
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
    /// Generate the benchmark data set and time its import in each format.
    BenchImport(super::bench::BenchImportArgs),
    /// Print a shell completion script (e.g. `vecload completions bash > ~/.local/share/bash-completion/completions/vecload`).
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

/// `vecload collection ...`
#[derive(Debug, Subcommand)]
pub enum CollectionCmd {
    /// Create a collection from a schema file.
    Create {
        /// Schema file (JSON body of Milvus's collections/create).
        schema: PathBuf,
    },
    /// Print a schema file inferred from data files (JSON, JSON Lines, Parquet, CSV, or the
    /// .npy files of a column set): `collection infer f.parquet > s.json` makes the file
    /// `collection create s.json` takes. Runs on this machine only.
    Infer {
        /// The collection's name in the schema (default: the first file's stem).
        #[arg(long)]
        name: Option<String>,
        /// Rows read of each file (the first ones).
        #[arg(long, value_name = "N", default_value_t = 100_000, value_parser = clap::value_parser!(u64).range(1..))]
        sample_rows: u64,
        /// CSV: the separator between cells, one ASCII character (default `,`).
        #[arg(long, value_name = "S")]
        sep: Option<String>,
        /// CSV: a cell equal to this is null (default: the empty cell).
        #[arg(long, value_name = "K")]
        null_key: Option<String>,
        /// Files (or a directory of .npy files), relative to the storage root, as for import.
        #[arg(required = true)]
        files: Vec<String>,
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
