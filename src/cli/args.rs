//! The command line: clap definitions only. Each command's work is done by
//! the library; the sibling modules turn these arguments into its settings.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use rehose::frame::Framing;

/// Record, replay and stress-test streaming HTTP APIs of the kind Twitter
/// offered: long-lived chunked responses carrying one JSON message per frame.
#[derive(Debug, Parser)]
#[command(name = "rehose", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// Log filter for diagnostics on stderr (`info`, `debug`, `rehose=trace`).
    /// Also read from `RUST_LOG`.
    #[arg(long, global = true, value_name = "FILTER")]
    pub log: Option<String>,

    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Replay the bundled fixture through the mock server into the client,
    /// in-process: no network, no credentials. Prints each message and a
    /// summary.
    Demo(DemoArgs),
    /// Serve a fixture as the streaming endpoints of the real service.
    Serve(ServeArgs),
    /// Connect to a stream and print each message's JSON as one line.
    Stream(StreamArgs),
    /// Record a live session into a fixture.
    Record(RecordArgs),
    /// Turn a message-per-line capture (or JSON Lines) into a fixture.
    Import(ImportArgs),
    /// Summarise a fixture: connections, messages by kind, sizes, rates.
    Inspect(InspectArgs),
}

/// Options of `rehose demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Replay this fixture instead of the bundled one.
    #[arg(long, value_name = "FILE")]
    pub fixture: Option<PathBuf>,
    /// Replay speed: a factor of the recorded pace, or `max`.
    #[arg(long, default_value = "max", value_name = "FACTOR|max")]
    pub speed: String,
    /// Stop after this many messages.
    #[arg(long, value_name = "N")]
    pub max_messages: Option<u64>,
    /// Print only the summary, not the messages.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Options of `rehose serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The fixture to serve; the bundled default fixture if not given.
    #[arg(long, value_name = "FILE")]
    pub fixture: Option<PathBuf>,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1", value_name = "ADDR")]
    pub host: String,
    /// Port to listen on; 0 picks a free one (the URL is printed).
    #[arg(long, short, default_value_t = 8080)]
    pub port: u16,
    /// Replay speed: a factor of the recorded pace (`10` is ten times
    /// faster), or `max` for as fast as the client reads.
    #[arg(long, default_value = "1", value_name = "FACTOR|max")]
    pub speed: String,
    /// Replay the fixture again and again.
    #[arg(long = "loop")]
    pub loop_forever: bool,
    /// Start every connection from the fixture's first message, instead of
    /// continuing where the same client's previous connection stopped.
    #[arg(long)]
    pub restart_on_reconnect: bool,
    /// Seconds of silence after which a keep-alive is sent; defaults to the
    /// protocol's interval (30 s for v1.1, 20 s for v2).
    #[arg(long, value_name = "SECONDS")]
    pub keep_alive: Option<f64>,
    /// On the v2 search stream, deliver nothing until the client adds
    /// rules, as the service did (by default the fixture is replayed as
    /// recorded until then).
    #[arg(long)]
    pub strict_rules: bool,
}

/// Credentials, from flags or the environment; never echoed.
#[derive(Debug, Args, Default)]
pub struct CredentialArgs {
    /// OAuth 1.0a consumer key (v1.1).
    #[arg(long, env = "TWITTER_CONSUMER_KEY", hide_env_values = true, global = true)]
    pub consumer_key: Option<String>,
    /// OAuth 1.0a consumer secret (v1.1).
    #[arg(long, env = "TWITTER_CONSUMER_SECRET", hide_env_values = true, global = true)]
    pub consumer_secret: Option<String>,
    /// OAuth 1.0a access token (v1.1).
    #[arg(long, env = "TWITTER_ACCESS_TOKEN", hide_env_values = true, global = true)]
    pub access_token: Option<String>,
    /// OAuth 1.0a access token secret (v1.1).
    #[arg(long, env = "TWITTER_ACCESS_TOKEN_SECRET", hide_env_values = true, global = true)]
    pub access_token_secret: Option<String>,
    /// OAuth 2.0 bearer token (v2).
    #[arg(long, env = "TWITTER_BEARER_TOKEN", hide_env_values = true, global = true)]
    pub bearer_token: Option<String>,
}

/// Options of `rehose stream`.
#[derive(Debug, Args)]
pub struct StreamArgs {
    /// Where to connect and how.
    #[command(flatten)]
    pub connect: ConnectArgs,
    /// Stop after this many messages.
    #[arg(long, global = true, value_name = "N")]
    pub max_messages: Option<u64>,
    /// Stop after this many seconds.
    #[arg(long, global = true, value_name = "SECONDS")]
    pub duration: Option<f64>,
    /// The endpoint.
    #[command(subcommand)]
    pub endpoint: EndpointArgs,
}

/// Options of `rehose record`.
#[derive(Debug, Args)]
pub struct RecordArgs {
    /// The fixture file to write.
    #[arg(long, short, global = true, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Stop after this many messages.
    #[arg(long, global = true, value_name = "N")]
    pub max_messages: Option<u64>,
    /// Stop after this many seconds.
    #[arg(long, global = true, value_name = "SECONDS")]
    pub duration: Option<f64>,
    /// Stop after this many bytes of body.
    #[arg(long, global = true, value_name = "BYTES")]
    pub max_bytes: Option<u64>,
    /// Also remove this header or parameter (repeatable). `Authorization`,
    /// `oauth_*` parameters, bearer tokens and cookies are always removed.
    #[arg(long, global = true, value_name = "NAME")]
    pub redact: Vec<String>,
    /// Replace personal details in the messages with consistent
    /// pseudonyms of the same length.
    #[arg(long, global = true)]
    pub anonymize: bool,
    /// Record any client unchanged: listen on `--listen`, forward each
    /// request to `--upstream`, pass the stream through and record it.
    #[arg(long, requires_all = ["upstream"])]
    pub proxy: bool,
    /// The real service the proxy forwards to (proxy mode).
    #[arg(long, value_name = "URL")]
    pub upstream: Option<String>,
    /// Address the proxy listens on (proxy mode).
    #[arg(long, default_value = "127.0.0.1:8081", value_name = "ADDR")]
    pub listen: String,
    /// Where to connect and how (direct mode).
    #[command(flatten)]
    pub connect: ConnectArgs,
    /// The endpoint (direct mode).
    #[command(subcommand)]
    pub endpoint: Option<EndpointArgs>,
}

/// How the client connects: target, credentials, framing, timeouts,
/// backoff. Shared by `stream` and `record`.
#[derive(Debug, Args)]
pub struct ConnectArgs {
    /// Base URL of the service, for example a mock server's
    /// (`http://127.0.0.1:8080`). Defaults to the real hosts.
    #[arg(long, global = true, value_name = "URL")]
    pub url: Option<String>,
    /// Credentials.
    #[command(flatten)]
    pub credentials: CredentialArgs,
    /// Ask for length-prefixed framing (`delimited=length`, v1.1).
    #[arg(long, global = true, value_name = "length")]
    pub delimited: Option<Delimited>,
    /// How to split the body into messages; defaults to crlf, or length
    /// with `--delimited length`.
    #[arg(long, global = true, value_name = "crlf|lines|length")]
    pub framing: Option<Framing>,
    /// Ask the server to send `warning` messages when falling behind (v1.1).
    #[arg(long, global = true)]
    pub stall_warnings: bool,
    /// Ask for a gzip-compressed body and decompress it as it streams.
    #[arg(long, global = true)]
    pub gzip: bool,
    /// Seconds without a byte after which the connection is dropped and
    /// reopened [default: 90 for v1.1, 22 for v2].
    #[arg(long, global = true, value_name = "SECONDS")]
    pub stall_timeout: Option<f64>,
    /// Largest message kept, in bytes; larger ones are reported and skipped.
    #[arg(long, global = true, default_value_t = rehose::frame::DEFAULT_MAX_FRAME_SIZE, value_name = "BYTES")]
    pub max_frame_size: usize,
    /// Linear backoff step after a network error, in seconds.
    #[arg(long, global = true, default_value_t = 0.25, value_name = "SECONDS")]
    pub network_backoff: f64,
    /// Cap of the network-error backoff, in seconds.
    #[arg(long, global = true, default_value_t = 16.0, value_name = "SECONDS")]
    pub network_backoff_cap: f64,
    /// First backoff after an HTTP error, in seconds (then doubling).
    #[arg(long, global = true, default_value_t = 5.0, value_name = "SECONDS")]
    pub http_backoff: f64,
    /// Cap of the HTTP-error backoff, in seconds.
    #[arg(long, global = true, default_value_t = 320.0, value_name = "SECONDS")]
    pub http_backoff_cap: f64,
    /// First backoff after a 420 or 429, in seconds (then doubling).
    #[arg(long, global = true, default_value_t = 60.0, value_name = "SECONDS")]
    pub rate_limit_backoff: f64,
    /// Cap of the 420/429 backoff, in seconds [default: none].
    #[arg(long, global = true, value_name = "SECONDS")]
    pub rate_limit_backoff_cap: Option<f64>,
    /// Give up after this many failed attempts in a row [default: never].
    #[arg(long, global = true, value_name = "N")]
    pub max_retries: Option<u32>,
    /// HTTP proxy URL (CONNECT tunnel for https).
    #[arg(long, global = true, value_name = "URL")]
    pub proxy_url: Option<String>,
    /// Extra CA certificate (PEM) to trust, such as the one
    /// `rehose serve --tls` writes.
    #[arg(long, global = true, value_name = "FILE")]
    pub ca_cert: Option<PathBuf>,
}

/// The `--delimited` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Delimited {
    /// Length-prefixed framing.
    Length,
}

/// Options of `rehose import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The capture: one JSON message per line (`\r\n` or `\n`), or JSON
    /// Lines as twarc writes them.
    #[arg(value_name = "CAPTURE")]
    pub input: PathBuf,
    /// The fixture file to write.
    #[arg(long, short, value_name = "FILE")]
    pub output: PathBuf,
    /// How the fixture's body is framed.
    #[arg(long, default_value = "crlf", value_name = "crlf|length|lines")]
    pub framing: Framing,
    /// Pace in messages per second.
    #[arg(long, default_value_t = 50.0, value_name = "N", conflicts_with = "timestamps")]
    pub rate: f64,
    /// Pace from the messages' own `timestamp_ms` or `created_at`.
    #[arg(long)]
    pub timestamps: bool,
    /// Seconds of silence after which a keep-alive is inserted, or `off`;
    /// defaults to the protocol's interval (30 s for v1.1, 20 s for v2).
    #[arg(long, value_name = "SECONDS|off")]
    pub keep_alive: Option<String>,
    /// The request path and query to record (for example
    /// `/1.1/statuses/filter.json`); guessed from the content by default.
    #[arg(long, value_name = "PATH")]
    pub endpoint: Option<String>,
}

/// Options of `rehose inspect`.
#[derive(Debug, Args)]
pub struct InspectArgs {
    /// The fixture to summarise.
    #[arg(value_name = "FIXTURE")]
    pub fixture: PathBuf,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

/// The stream endpoints and their parameters.
#[derive(Debug, Subcommand)]
pub enum EndpointArgs {
    /// v1.1 `statuses/filter`: statuses matching track, follow or locations.
    Filter(FilterArgs),
    /// v1.1 `statuses/sample`: a random sample of all statuses.
    Sample,
    /// API v2 streams (bearer token).
    V2 {
        /// The v2 stream.
        #[command(subcommand)]
        stream: V2Endpoint,
    },
}

/// Predicates of v1.1 `statuses/filter`.
#[derive(Debug, Args)]
pub struct FilterArgs {
    /// Phrases to track, comma-separated (comma is OR, space is AND).
    #[arg(long, value_name = "PHRASES")]
    pub track: Option<String>,
    /// User ids to follow, comma-separated.
    #[arg(long, value_name = "IDS")]
    pub follow: Option<String>,
    /// Bounding boxes, `sw_lon,sw_lat,ne_lon,ne_lat` each, comma-separated.
    #[arg(long, value_name = "BOXES", allow_hyphen_values = true)]
    pub locations: Option<String>,
    /// Language codes, comma-separated.
    #[arg(long, value_name = "CODES")]
    pub language: Option<String>,
    /// `none`, `low` or `medium`.
    #[arg(long, value_name = "LEVEL")]
    pub filter_level: Option<String>,
}

/// The v2 streams.
#[derive(Debug, Subcommand)]
pub enum V2Endpoint {
    /// `/2/tweets/search/stream`: tweets matching the stored rules.
    Filter(V2Args),
    /// `/2/tweets/sample/stream`: a 1% sample.
    Sample(V2Args),
}

/// Fields and expansions of the v2 streams, comma-separated lists.
#[derive(Debug, Args)]
pub struct V2Args {
    /// `expansions`.
    #[arg(long, value_name = "LIST")]
    pub expansions: Option<String>,
    /// `tweet.fields`.
    #[arg(long, value_name = "LIST")]
    pub tweet_fields: Option<String>,
    /// `user.fields`.
    #[arg(long, value_name = "LIST")]
    pub user_fields: Option<String>,
    /// `media.fields`.
    #[arg(long, value_name = "LIST")]
    pub media_fields: Option<String>,
    /// `place.fields`.
    #[arg(long, value_name = "LIST")]
    pub place_fields: Option<String>,
    /// `poll.fields`.
    #[arg(long, value_name = "LIST")]
    pub poll_fields: Option<String>,
    /// `backfill_minutes`, 1 to 5.
    #[arg(long, value_name = "MINUTES")]
    pub backfill_minutes: Option<u8>,
}
