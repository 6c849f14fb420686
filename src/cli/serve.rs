//! `rehose serve`: the mock server on a port, until Ctrl-C.

use anyhow::{Context, Result};
use rehose::server::{serve, Auth, ServerConfig, Speed};
use tokio::net::TcpListener;

use super::args::ServeArgs;
use super::connect::seconds_flag;
use super::load;

pub async fn run(args: ServeArgs) -> Result<()> {
    let (fixture, source) = load::fixture(args.fixture.as_deref())?;
    let speed: Speed = args.speed.parse().context("--speed")?;
    let keep_alive = args.keep_alive.map(|s| seconds_flag("--keep-alive", s)).transpose()?;
    let config = ServerConfig {
        fixture: fixture.into(),
        speed,
        keep_alive,
        loop_forever: args.loop_forever,
        restart_on_reconnect: args.restart_on_reconnect,
        auth: Auth::new(),
        strict_v2_rules: args.strict_rules,
    };

    let addr = format!("{}:{}", args.host, args.port);
    let listener = TcpListener::bind(&addr).await.with_context(|| {
        format!("cannot listen on {addr}: is another server using that port? try --port 0")
    })?;
    let local = listener.local_addr().context("reading the bound address")?;
    let url = format!("http://{local}");
    eprintln!("serving {source} (speed {}); Ctrl-C stops", args.speed);
    eprintln!("  v1.1: {url}/1.1/statuses/sample.json, {url}/1.1/statuses/filter.json");
    eprintln!("  v2:   {url}/2/tweets/sample/stream, {url}/2/tweets/search/stream");
    eprintln!("  journal: {url}/__rehose/requests");
    // The URL alone on stdout, so a script can read it (`--port 0`).
    println!("{url}");

    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    serve(config, listener, shutdown).await?;
    Ok(())
}
