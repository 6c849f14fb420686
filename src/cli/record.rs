//! `rehose record` (direct or proxy) and `rehose inspect`.

use std::net::SocketAddr;

use anyhow::{bail, Context, Result};
use rehose::fixture::Fixture;
use rehose::protocol::params::StreamOptions;
use rehose::protocol::StreamRequest;
use rehose::record::{self, Auth, ProxyConfig, RecordConfig, Stop};

use super::args::{InspectArgs, RecordArgs};
use super::connect::{self, seconds_flag, Secret};
use super::output;

pub async fn run(args: RecordArgs) -> Result<()> {
    let Some(output) = args.output.clone() else {
        bail!("rehose record needs --output FILE: the fixture to write");
    };
    if args.proxy {
        return proxy(args, output).await;
    }
    let Some(endpoint) = &args.endpoint else {
        bail!(
            "rehose record needs an endpoint (filter, sample, v2 filter, v2 sample), \
             or --proxy --upstream URL to record another client"
        );
    };
    let connect = &args.connect;
    for (given, flag) in [
        (connect.gzip, "--gzip"),
        (connect.proxy_url.is_some(), "--proxy-url"),
        (connect.ca_cert.is_some(), "--ca-cert"),
    ] {
        if given {
            bail!(
                "{flag} is not supported when recording directly; record through --proxy instead"
            );
        }
    }

    let request = connect::request(endpoint)?;
    let is_v2 = matches!(request, StreamRequest::V2Search(_) | StreamRequest::V2Sample(_));
    let mut config = RecordConfig::new(request, &output);
    config.options = StreamOptions {
        stall_warnings: connect.stall_warnings,
        delimited_length: connect::wants_length(connect, is_v2),
    };
    config.auth = match connect::secret(&connect.credentials, is_v2, connect.url.is_some())? {
        Secret::OAuth(credentials) => Auth::OAuth1(credentials),
        Secret::Bearer(token) => Auth::Bearer(token),
    };
    config.base_url = connect.url.clone();
    config.framing = connect.framing;
    config.max_messages = args.max_messages;
    config.duration = args.duration.map(|s| seconds_flag("--duration", s)).transpose()?;
    config.max_bytes = args.max_bytes;
    if let Some(seconds) = connect.stall_timeout {
        config.stall_timeout = seconds_flag("--stall-timeout", seconds)?;
    }
    config.backoff = connect::backoff(connect)?;
    config.redact = args.redact.clone();
    config.anonymize = args.anonymize.then(rand::random);

    let report = record::record(config, output::interrupted()).await?;
    let stop = match &report.stop {
        Stop::GaveUp(reason) => format!("gave up: {reason}"),
        Stop::MaxMessages => "--max-messages reached".to_owned(),
        Stop::MaxBytes => "--max-bytes reached".to_owned(),
        Stop::Duration => "--duration elapsed".to_owned(),
        Stop::Shutdown => "interrupted".to_owned(),
        other => format!("{other:?}").to_lowercase(),
    };
    note!(
        "recorded {} messages ({} bytes) in {} connection(s) over {:.1} s into {} ({stop})",
        report.counts.messages,
        report.counts.bytes,
        report.connections,
        report.elapsed.as_secs_f64(),
        report.output.display(),
    );
    if let Stop::GaveUp(reason) = report.stop {
        bail!("the recording stopped early: {reason}");
    }
    Ok(())
}

async fn proxy(args: RecordArgs, output: std::path::PathBuf) -> Result<()> {
    let Some(upstream) = &args.upstream else { bail!("--proxy needs --upstream URL") };
    let upstream: url::Url =
        upstream.parse().with_context(|| format!("--upstream {upstream}: not a URL"))?;
    let listen: SocketAddr = args.listen.parse().with_context(|| {
        format!("--listen {}: expected an address such as 127.0.0.1:8081", args.listen)
    })?;
    let mut config = ProxyConfig::new(upstream.clone(), listen, &output);
    config.redact = args.redact.clone();
    config.anonymize = args.anonymize;

    let server = record::ProxyServer::bind(config).await?;
    note!(
        "recording {upstream} into {} through http://{}; point the client there. Ctrl-C stops",
        output.display(),
        server.addr()
    );
    println!("http://{}", server.addr());
    server.serve(output::interrupted()).await?;
    note!("recording saved in {}", output.display());
    Ok(())
}

pub fn inspect(args: InspectArgs) -> Result<()> {
    let fixture = Fixture::read(&args.fixture)?;
    let summary = record::inspect(&fixture);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&summary).context("encoding the summary")?);
    } else {
        println!("{summary}");
    }
    Ok(())
}
