//! `rehose serve`: the mock server on a port, until Ctrl-C.

use anyhow::{Context, Result};
use rehose::server::{serve, Auth, Scenario, ServerConfig, Shorthand, Speed, TlsConfig};
use tokio::net::TcpListener;

use super::args::{FaultArgs, ServeArgs};
use super::connect::seconds_flag;
use super::load;

pub async fn run(args: ServeArgs) -> Result<()> {
    let (fixture, source) = load::fixture(args.fixture.as_deref())?;
    let speed: Speed = args.speed.parse().context("--speed")?;
    let keep_alive = args.keep_alive.map(|s| seconds_flag("--keep-alive", s)).transpose()?;
    let tls = args.tls.then(|| match &args.ca_cert_out {
        Some(path) => TlsConfig::new().ca_cert_path(path),
        None => TlsConfig::new(),
    });
    let config = ServerConfig {
        fixture: fixture.into(),
        speed,
        keep_alive,
        loop_forever: args.loop_forever,
        restart_on_reconnect: args.restart_on_reconnect,
        auth: Auth::new(),
        strict_v2_rules: args.strict_rules,
        tls: tls.clone(),
        scenario: scenario(&args.faults)?,
        gzip: args.gzip,
    };

    let addr = format!("{}:{}", args.host, args.port);
    let listener = TcpListener::bind(&addr).await.with_context(|| {
        format!("cannot listen on {addr}: is another server using that port? try --port 0")
    })?;
    let local = listener.local_addr().context("reading the bound address")?;
    let scheme = if tls.is_some() { "https" } else { "http" };
    let url = format!("{scheme}://{local}");
    note!("serving {source} (speed {}); Ctrl-C stops", args.speed);
    note!("  v1.1: {url}/1.1/statuses/sample.json, {url}/1.1/statuses/filter.json");
    note!("  v2:   {url}/2/tweets/sample/stream, {url}/2/tweets/search/stream");
    note!("  journal: {url}/__rehose/requests");
    for (index, attempt) in config.scenario.attempts().iter().enumerate() {
        note!("  scripted attempt {}: {attempt}", index + 1);
    }
    if let Some(tls) = &tls {
        note!(
            "  CA certificate: {} (trust it: rehose stream --ca-cert FILE, \
             curl --cacert FILE, requests verify=FILE)",
            tls.ca_cert_path_for(local).display()
        );
    }
    // The URL alone on stdout, so a script can read it (`--port 0`).
    println!("{url}");

    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    serve(config, listener, shutdown).await?;
    Ok(())
}

/// The scenario of `--scenario FILE` or of the shorthand flags; empty
/// when neither is given.
fn scenario(args: &FaultArgs) -> Result<Scenario> {
    if let Some(path) = &args.scenario {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("--scenario {}: cannot read it", path.display()))?;
        return Scenario::from_toml(&text)
            .with_context(|| format!("--scenario {}", path.display()));
    }
    let shorthands = args
        .shorthands()
        .into_iter()
        .map(|(flag, value)| Shorthand::parse(flag, value))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Scenario::from_shorthands(&shorthands))
}
