//! The two textual forms of a [`Scenario`]: a TOML file (documented with
//! examples in `docs/scenarios.md`) and command line shorthands such as
//! `--fail-first 420x4` or `--disconnect-after 50`.
//!
//! ```toml
//! per_client = true
//! one_connection = "refuse"
//!
//! [[attempt]]
//! status = 420
//! times = 2
//!
//! [[attempt]]
//! rechunk = 7
//! steps = [
//!   { after_messages = 10, action = "warning", percent_full = 80 },
//!   { after_messages = 50, action = "disconnect", code = 7 },
//! ]
//! ```

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Deserialize;

use super::scenario::{Attempt, OneConnection, Scenario, Shape, StreamAttempt};

/// A scenario file or shorthand that cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ScenarioError {
    /// The TOML does not parse or does not fit the format.
    #[error("bad scenario file: {0}")]
    Toml(#[from] toml::de::Error),
    /// An attempt that mixes kinds or misses a field.
    #[error("bad scenario attempt {index}: {reason}")]
    Attempt {
        /// Its position in the file, from 0.
        index: usize,
        /// What is wrong.
        reason: String,
    },
    /// A shorthand that cannot be parsed.
    #[error("bad --{flag} value {value:?}: {reason}")]
    Shorthand {
        /// The flag, without dashes.
        flag: String,
        /// The value given.
        value: String,
        /// What was expected.
        reason: &'static str,
    },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    per_client: bool,
    one_connection: Option<Policy>,
    #[serde(default, rename = "attempt")]
    attempts: Vec<AttemptSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Policy {
    Refuse,
    Displace,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct AttemptSpec {
    times: Option<usize>,
    status: Option<u16>,
    body: Option<String>,
    content_type: Option<String>,
    retry_after: Option<u64>,
    #[serde(default)]
    headers: BTreeMap<String, String>,
    #[serde(default)]
    reset: bool,
    gzip: Option<bool>,
    rechunk: Option<usize>,
    rechunk_random: Option<RandomSpec>,
    drip: Option<DripSpec>,
    #[serde(default)]
    steps: Vec<StepSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RandomSpec {
    seed: u64,
    max: usize,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DripSpec {
    bytes: usize,
    every_ms: u64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct StepSpec {
    after_messages: Option<u64>,
    after_secs: Option<f64>,
    after_bytes: Option<u64>,
    action: String,
    code: Option<u32>,
    stream_name: Option<String>,
    reason: Option<String>,
    percent_full: Option<u32>,
    disconnect_type: Option<String>,
}

impl Scenario {
    /// Reads the TOML form documented in `docs/scenarios.md`.
    ///
    /// # Errors
    ///
    /// [`ScenarioError`] when the text is not TOML, has unknown fields, or
    /// an attempt mixes kinds (a status with steps, say).
    pub fn from_toml(text: &str) -> Result<Scenario, ScenarioError> {
        let file: File = toml::from_str(text)?;
        let mut scenario = Scenario::new().per_client(file.per_client);
        scenario.one_connection = file.one_connection.map(|policy| match policy {
            Policy::Refuse => OneConnection::Refuse,
            Policy::Displace => OneConnection::Displace,
        });
        for (index, spec) in file.attempts.into_iter().enumerate() {
            let times = spec.times.unwrap_or(1);
            let attempt =
                attempt(spec).map_err(|reason| ScenarioError::Attempt { index, reason })?;
            scenario = scenario.attempt_times(attempt, times);
        }
        Ok(scenario)
    }

    /// A scenario made of shorthands, in the order given: each adds one
    /// attempt (or `times` of them), except `drip` and `rechunk`, which
    /// shape every stream, the normal replay after the script included.
    pub fn from_shorthands(shorthands: &[Shorthand]) -> Scenario {
        let mut scenario = Scenario::new();
        let mut shape = None;
        for shorthand in shorthands {
            let stream = Attempt::stream();
            scenario = match *shorthand {
                Shorthand::FailFirst { status, times } => {
                    scenario.attempt_times(Attempt::status(status), times)
                }
                Shorthand::ResetFirst { times } => scenario.attempt_times(Attempt::reset(), times),
                Shorthand::EndAfter(n) => scenario.attempt(stream.after_messages(n).end()),
                Shorthand::CutAfter(n) => scenario.attempt(stream.after_messages(n).cut()),
                Shorthand::ResetAfter(n) => scenario.attempt(stream.after_messages(n).reset()),
                Shorthand::StallAfter(n) => scenario.attempt(stream.after_messages(n).stall()),
                Shorthand::DisconnectAfter { messages, code } => {
                    scenario.attempt(stream.after_messages(messages).disconnect(code))
                }
                Shorthand::Drip { bytes, every } => {
                    shape = Some(Shape::Drip { bytes: bytes.max(1), every });
                    scenario
                }
                Shorthand::Rechunk(size) => {
                    shape = Some(Shape::Every { size: size.max(1) });
                    scenario
                }
            };
        }
        if let Some(shape) = shape {
            scenario.shape_all(shape);
        }
        scenario
    }
}

fn attempt(spec: AttemptSpec) -> Result<Attempt, String> {
    let is_stream = !spec.steps.is_empty()
        || spec.gzip.is_some()
        || spec.rechunk.is_some()
        || spec.rechunk_random.is_some()
        || spec.drip.is_some();
    match (spec.status, spec.reset, is_stream) {
        (Some(status), false, false) => {
            let mut attempt = Attempt::status(status);
            if let Some(body) = spec.body {
                let content_type = spec.content_type.as_deref().unwrap_or("text/plain");
                attempt = attempt.body(content_type, body);
            }
            if let Some(seconds) = spec.retry_after {
                attempt = attempt.retry_after(seconds);
            }
            for (name, value) in &spec.headers {
                attempt = attempt.header(name, value);
            }
            Ok(attempt.into())
        }
        (None, true, false) => Ok(Attempt::reset()),
        (None, false, _) => stream(spec).map(Attempt::from),
        _ => Err("choose one of status, reset or a stream".to_owned()),
    }
}

fn stream(spec: AttemptSpec) -> Result<StreamAttempt, String> {
    let mut stream = Attempt::stream();
    if let Some(gzip) = spec.gzip {
        stream = stream.gzip(gzip);
    }
    if let Some(size) = spec.rechunk {
        stream = stream.rechunk(size);
    }
    if let Some(RandomSpec { seed, max }) = spec.rechunk_random {
        stream = stream.rechunk_random(seed, max);
    }
    if let Some(DripSpec { bytes, every_ms }) = spec.drip {
        stream = stream.drip(bytes, Duration::from_millis(every_ms));
    }
    for step in spec.steps {
        stream = match (step.after_messages, step.after_secs, step.after_bytes) {
            (Some(n), None, None) => stream.after_messages(n),
            (None, Some(secs), None) if secs.is_finite() && secs >= 0.0 => {
                stream.after(Duration::from_secs_f64(secs))
            }
            (None, None, Some(n)) => stream.after_bytes(n),
            (None, None, None) => stream,
            _ => {
                return Err(
                    "a step has at most one of after_messages, after_secs, after_bytes".to_owned()
                )
            }
        };
        stream = match step.action.as_str() {
            "end" => stream.end(),
            "cut" => stream.cut(),
            "reset" => stream.reset(),
            "stall" => stream.stall(),
            "disconnect" => {
                let code = step.code.unwrap_or(1);
                let reason = step.reason.as_deref();
                let name = step.stream_name.as_deref().unwrap_or("statuses");
                let reason = reason.unwrap_or(super::scenario::disconnect_reason(code));
                stream.disconnect_with(code, name, reason)
            }
            "warning" => stream.warning(step.percent_full.unwrap_or(80)),
            "operational_disconnect" => stream.operational_disconnect(
                step.disconnect_type.as_deref().unwrap_or("UpstreamOperationalDisconnect"),
            ),
            "malformed_chunk" => stream.malformed_chunk(),
            "truncate_gzip" => stream.truncate_gzip(),
            other => return Err(format!("unknown action {other:?}")),
        };
    }
    Ok(stream)
}

/// One command line shorthand for a scenario attempt.
///
/// | flag | value | attempt |
/// |---|---|---|
/// | `--fail-first` | `420` or `420x4` | that status, once or 4 times |
/// | `--reset-first` | `3` | 3 connections reset before any response |
/// | `--end-after` | `N` | a stream ending cleanly after N messages |
/// | `--cut-after` | `N` | a stream cut inside message N+1 |
/// | `--reset-after` | `N` | a stream reset (RST) after N messages |
/// | `--stall-after` | `N` | a stream going silent after N messages |
/// | `--disconnect-after` | `N` or `N:CODE` | a `disconnect` message (code 1) after N messages |
/// | `--drip` | `BYTES/MS` | every stream sends BYTES bytes every MS ms |
/// | `--rechunk` | `K` | every stream comes in chunks of K bytes |
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub enum Shorthand {
    /// `--fail-first STATUS[xTIMES]`.
    FailFirst {
        /// The status.
        status: u16,
        /// How many attempts get it.
        times: usize,
    },
    /// `--reset-first TIMES`.
    ResetFirst {
        /// How many attempts are reset.
        times: usize,
    },
    /// `--end-after N`.
    EndAfter(u64),
    /// `--cut-after N`.
    CutAfter(u64),
    /// `--reset-after N`.
    ResetAfter(u64),
    /// `--stall-after N`.
    StallAfter(u64),
    /// `--disconnect-after N[:CODE]`.
    DisconnectAfter {
        /// Messages before the disconnect.
        messages: u64,
        /// The disconnect code; default 1.
        code: u32,
    },
    /// `--drip BYTES/MS`.
    Drip {
        /// Bytes per write.
        bytes: usize,
        /// The pause between writes.
        every: Duration,
    },
    /// `--rechunk K`.
    Rechunk(usize),
}

impl Shorthand {
    /// The flag names, without dashes, that [`Shorthand::parse`] knows.
    pub const FLAGS: &'static [&'static str] = &[
        "fail-first",
        "reset-first",
        "end-after",
        "cut-after",
        "reset-after",
        "stall-after",
        "disconnect-after",
        "drip",
        "rechunk",
    ];

    /// Parses the value of one flag, named without its dashes.
    ///
    /// # Errors
    ///
    /// [`ScenarioError::Shorthand`] for an unknown flag or a value that
    /// does not fit it.
    pub fn parse(flag: &str, value: &str) -> Result<Shorthand, ScenarioError> {
        let bad = |reason| ScenarioError::Shorthand {
            flag: flag.to_owned(),
            value: value.to_owned(),
            reason,
        };
        let number = |text: &str| text.trim().parse::<u64>().map_err(|_| bad("expected a number"));
        let shorthand = match flag {
            "fail-first" => {
                let (status, times) = value.split_once(['x', 'X']).unwrap_or((value, "1"));
                let status = number(status)?;
                let status = u16::try_from(status)
                    .ok()
                    .filter(|s| (100..=599).contains(s))
                    .ok_or_else(|| bad("expected a status such as 420 or 420x4"))?;
                Shorthand::FailFirst { status, times: number(times)? as usize }
            }
            "reset-first" => Shorthand::ResetFirst { times: number(value)? as usize },
            "end-after" => Shorthand::EndAfter(number(value)?),
            "cut-after" => Shorthand::CutAfter(number(value)?),
            "reset-after" => Shorthand::ResetAfter(number(value)?),
            "stall-after" => Shorthand::StallAfter(number(value)?),
            "disconnect-after" => {
                let (messages, code) = value.split_once(':').unwrap_or((value, "1"));
                let code = u32::try_from(number(code)?).map_err(|_| bad("code out of range"))?;
                Shorthand::DisconnectAfter { messages: number(messages)?, code }
            }
            "drip" => {
                let (bytes, ms) = value.split_once('/').ok_or_else(|| bad("expected BYTES/MS"))?;
                let every = Duration::from_millis(number(ms)?);
                Shorthand::Drip { bytes: number(bytes)? as usize, every }
            }
            "rechunk" => Shorthand::Rechunk(number(value)? as usize),
            _ => return Err(bad("unknown scenario flag")),
        };
        Ok(shorthand)
    }
}

impl std::str::FromStr for Shorthand {
    type Err = ScenarioError;

    /// `flag=value`, such as `fail-first=420x4`.
    fn from_str(s: &str) -> Result<Shorthand, ScenarioError> {
        let (flag, value) = s.trim_start_matches('-').split_once('=').unwrap_or((s, ""));
        Shorthand::parse(flag, value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::scenario::{Action, Trigger};

    #[test]
    fn shorthands_parse_their_documented_values() {
        let parse = |s: &str| s.parse::<Shorthand>().unwrap();
        assert_eq!(parse("fail-first=420x4"), Shorthand::FailFirst { status: 420, times: 4 });
        assert_eq!(parse("--fail-first=503"), Shorthand::FailFirst { status: 503, times: 1 });
        assert_eq!(
            parse("disconnect-after=50:7"),
            Shorthand::DisconnectAfter { messages: 50, code: 7 }
        );
        let drip = Shorthand::Drip { bytes: 3, every: Duration::from_millis(20) };
        assert_eq!(parse("drip=3/20"), drip);
        assert!("fail-first=42".parse::<Shorthand>().is_err());
        assert!("stall-after=soon".parse::<Shorthand>().is_err());
        assert!("explode=1".parse::<Shorthand>().is_err());
    }

    #[test]
    fn shorthands_build_attempts_in_order_and_shape_every_stream() {
        let scenario = Scenario::from_shorthands(&[
            Shorthand::FailFirst { status: 420, times: 2 },
            Shorthand::StallAfter(5),
            Shorthand::Rechunk(3),
        ]);
        assert_eq!(scenario.len(), 3);
        assert_eq!(scenario.attempts()[1].to_string(), "status 420");
        let Attempt::Stream(stall) = &scenario.attempts()[2] else { panic!("not a stream") };
        assert_eq!(stall.steps[0].trigger, Trigger::Messages(5));
        assert_eq!(stall.shape, Shape::Every { size: 3 });
        let Attempt::Stream(otherwise) = &scenario.otherwise else { panic!("not a stream") };
        assert_eq!(otherwise.shape, Shape::Every { size: 3 });
    }

    #[test]
    fn a_toml_scenario_reads_every_kind_of_attempt() {
        let scenario = Scenario::from_toml(
            r#"
            per_client = true
            one_connection = "displace"

            [[attempt]]
            status = 420
            times = 2
            retry_after = 60

            [[attempt]]
            reset = true

            [[attempt]]
            rechunk = 7
            steps = [
              { after_messages = 10, action = "warning", percent_full = 80 },
              { after_secs = 2.5, action = "disconnect", code = 7 },
            ]
            "#,
        )
        .unwrap();
        assert!(scenario.per_client);
        assert_eq!(scenario.one_connection, Some(OneConnection::Displace));
        assert_eq!(scenario.len(), 4);
        assert_eq!(scenario.attempts()[2], Attempt::Reset);
        let Attempt::Stream(stream) = &scenario.attempts()[3] else { panic!("not a stream") };
        assert_eq!(stream.steps[1].trigger, Trigger::Elapsed(Duration::from_millis(2500)));
        assert!(matches!(stream.steps[1].action, Action::Disconnect { code: 7, .. }));
    }

    #[test]
    fn a_toml_attempt_that_mixes_kinds_is_refused() {
        let mixed = "[[attempt]]\nstatus = 420\nsteps = [{ action = \"end\" }]\n";
        assert!(matches!(Scenario::from_toml(mixed), Err(ScenarioError::Attempt { index: 0, .. })));
        assert!(Scenario::from_toml("[[attempt]]\nstatsu = 420\n").is_err());
    }
}
