//! Turns the connection flags of `stream` and `record` into a client
//! builder.

use std::time::Duration;

use anyhow::{bail, Context, Result};
use rehose::client::{Client, ClientBuilder};
use rehose::protocol::params::{parse_follow, parse_language, parse_locations, parse_track};
use rehose::protocol::{BackoffPolicy, Credentials, FilterParams, StreamRequest, V2Params};

use super::args::{ConnectArgs, CredentialArgs, EndpointArgs, FilterArgs, V2Args, V2Endpoint};

/// A client builder for `endpoint` with every flag of `connect` applied.
pub fn builder(connect: &ConnectArgs, endpoint: &EndpointArgs) -> Result<ClientBuilder> {
    let request = request(endpoint)?;
    let is_v2 = matches!(request, StreamRequest::V2Search(_) | StreamRequest::V2Sample(_));
    let mut builder = Client::builder()
        .request(request)
        .gzip(connect.gzip)
        .stall_warnings(connect.stall_warnings)
        .delimited_length(connect.delimited.is_some())
        .max_frame_size(connect.max_frame_size)
        .backoff(backoff(connect)?);
    if let Some(url) = &connect.url {
        builder = builder.base_url(url.clone());
    }
    if let Some(framing) = connect.framing {
        builder = builder.framing(framing);
    }
    if let Some(seconds) = connect.stall_timeout {
        builder = builder.stall_timeout(seconds_flag("--stall-timeout", seconds)?);
    }
    if let Some(proxy) = &connect.proxy_url {
        builder = builder.proxy(proxy.clone());
    }
    if let Some(ca) = &connect.ca_cert {
        builder = builder.ca_cert(ca);
    }
    builder = credentials(builder, &connect.credentials, is_v2, connect.url.is_some())?;
    Ok(builder)
}

fn request(endpoint: &EndpointArgs) -> Result<StreamRequest> {
    Ok(match endpoint {
        EndpointArgs::Filter(filter) => StreamRequest::V1Filter(filter_params(filter)?),
        EndpointArgs::Sample => StreamRequest::V1Sample,
        EndpointArgs::V2 { stream: V2Endpoint::Filter(args) } => {
            StreamRequest::V2Search(v2_params(args))
        }
        EndpointArgs::V2 { stream: V2Endpoint::Sample(args) } => {
            StreamRequest::V2Sample(v2_params(args))
        }
    })
}

fn filter_params(args: &FilterArgs) -> Result<FilterParams> {
    let mut params = FilterParams::default();
    if let Some(track) = &args.track {
        params.track = parse_track(track).context("--track")?;
    }
    if let Some(follow) = &args.follow {
        params.follow = parse_follow(follow).context("--follow")?;
    }
    if let Some(locations) = &args.locations {
        params.locations = parse_locations(locations).context("--locations")?;
    }
    if let Some(language) = &args.language {
        params.language = parse_language(language).context("--language")?;
    }
    params.filter_level = args.filter_level.clone();
    params.validate().context("filter parameters")?;
    Ok(params)
}

fn v2_params(args: &V2Args) -> V2Params {
    let list = |value: &Option<String>| -> Vec<String> {
        value
            .as_deref()
            .map(|v| {
                v.split(',').map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect()
            })
            .unwrap_or_default()
    };
    V2Params {
        expansions: list(&args.expansions),
        tweet_fields: list(&args.tweet_fields),
        user_fields: list(&args.user_fields),
        media_fields: list(&args.media_fields),
        place_fields: list(&args.place_fields),
        poll_fields: list(&args.poll_fields),
        backfill_minutes: args.backfill_minutes,
    }
}

fn backoff(connect: &ConnectArgs) -> Result<BackoffPolicy> {
    Ok(BackoffPolicy {
        network_step: seconds_flag("--network-backoff", connect.network_backoff)?,
        network_cap: seconds_flag("--network-backoff-cap", connect.network_backoff_cap)?,
        http_start: seconds_flag("--http-backoff", connect.http_backoff)?,
        http_cap: seconds_flag("--http-backoff-cap", connect.http_backoff_cap)?,
        rate_limit_start: seconds_flag("--rate-limit-backoff", connect.rate_limit_backoff)?,
        rate_limit_cap: connect
            .rate_limit_backoff_cap
            .map(|s| seconds_flag("--rate-limit-backoff-cap", s))
            .transpose()?,
        max_retries: connect.max_retries,
    })
}

/// Credentials for the endpoint's API version. Against the real service
/// they are required; against a `--url` (a mock server) missing ones are
/// replaced by placeholders, since a mock with no credentials configured
/// accepts any.
fn credentials(
    builder: ClientBuilder,
    args: &CredentialArgs,
    is_v2: bool,
    custom_url: bool,
) -> Result<ClientBuilder> {
    if is_v2 {
        return match (&args.bearer_token, custom_url) {
            (Some(token), _) => Ok(builder.bearer_token(token.clone())),
            (None, true) => Ok(builder.bearer_token("rehose-placeholder")),
            (None, false) => {
                bail!("v2 streams need a bearer token: pass --bearer-token or set TWITTER_BEARER_TOKEN")
            }
        };
    }
    let given =
        [&args.consumer_key, &args.consumer_secret, &args.access_token, &args.access_token_secret];
    let placeholder = || "rehose-placeholder".to_owned();
    match given.iter().filter(|v| v.is_some()).count() {
        4 => {}
        0 if custom_url => {
            return Ok(builder.credentials(Credentials {
                consumer_key: placeholder(),
                consumer_secret: placeholder(),
                token: placeholder(),
                token_secret: placeholder(),
            }))
        }
        _ => bail!(
            "v1.1 streams need four OAuth 1.0a credentials: --consumer-key, --consumer-secret, \
             --access-token and --access-token-secret (or TWITTER_CONSUMER_KEY, \
             TWITTER_CONSUMER_SECRET, TWITTER_ACCESS_TOKEN, TWITTER_ACCESS_TOKEN_SECRET)"
        ),
    }
    let value = |v: &Option<String>| v.clone().unwrap_or_default();
    Ok(builder.credentials(Credentials {
        consumer_key: value(&args.consumer_key),
        consumer_secret: value(&args.consumer_secret),
        token: value(&args.access_token),
        token_secret: value(&args.access_token_secret),
    }))
}

/// A duration flag in seconds, checked to be finite and not negative.
pub fn seconds_flag(flag: &str, seconds: f64) -> Result<Duration> {
    Duration::try_from_secs_f64(seconds)
        .with_context(|| format!("{flag} {seconds}: expected a number of seconds, 0 or more"))
}
