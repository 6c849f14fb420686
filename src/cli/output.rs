//! Printing a stream the way twarc does: each message's JSON as one line on
//! stdout, flushed at once, and a summary by kind on stderr at the end.

use std::collections::BTreeMap;
use std::io::Write;
use std::time::Duration;

use anyhow::{Context, Result};
use futures_util::StreamExt;
use rehose::client::{CloseReason, Counters, Event, EventStream};

/// When to stop consuming.
#[derive(Clone, Copy, Debug, Default)]
pub struct Limits {
    /// Stop after this many messages.
    pub max_messages: Option<u64>,
    /// Stop after this long.
    pub duration: Option<Duration>,
}

/// How the consumption ended.
pub enum Ending {
    /// A limit was reached, Ctrl-C was pressed, or the stream closed.
    Stopped,
    /// The client gave up; the reason is an error for the exit status.
    GaveUp(String),
}

/// The messages handed to the user, by kind. The client's own counters
/// also count messages it read ahead and never handed over.
pub type Delivered = BTreeMap<&'static str, u64>;

/// Prints every message of `events` (unless `quiet`) until a limit, Ctrl-C
/// or the end of the stream. Errors and reconnects go to stderr as they
/// happen.
pub async fn consume(
    mut events: EventStream,
    limits: Limits,
    quiet: bool,
    delivered: &mut Delivered,
) -> Result<Ending> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let deadline = limits.duration.map(|d| tokio::time::Instant::now() + d);
    let mut messages = 0u64;
    let interrupted = interrupted();
    tokio::pin!(interrupted);

    loop {
        let sleep = async {
            match deadline {
                Some(at) => tokio::time::sleep_until(at).await,
                None => std::future::pending().await,
            }
        };
        let event = tokio::select! {
            event = events.next() => event,
            () = sleep => return Ok(Ending::Stopped),
            () = &mut interrupted => return Ok(Ending::Stopped),
        };
        let Some(event) = event else { return Ok(Ending::Stopped) };
        match event {
            Event::Message(message) => {
                if !quiet {
                    out.write_all(message.raw()).context("writing to stdout")?;
                    out.write_all(b"\n").context("writing to stdout")?;
                    out.flush().context("writing to stdout")?;
                }
                messages += 1;
                *delivered.entry(message.kind().name()).or_default() += 1;
                if limits.max_messages.is_some_and(|max| messages >= max) {
                    return Ok(Ending::Stopped);
                }
            }
            Event::FrameError(err) => note!("warning: broken frame skipped: {err}"),
            Event::MessageError(err) => note!("warning: message skipped: {err}"),
            Event::RequestError { status, body } => {
                note!("warning: HTTP {status}: {}", body.trim())
            }
            Event::ConnectionError(err) => note!("warning: {err}"),
            Event::Reconnecting { cause, delay } => {
                note!("reconnecting in {:.3} s after {cause:?}", delay.as_secs_f64())
            }
            Event::Closed { reason: CloseReason::GaveUp { reason, .. } } => {
                return Ok(Ending::GaveUp(reason))
            }
            Event::Closed { .. } => return Ok(Ending::Stopped),
            _ => {}
        }
    }
}

/// Completes on Ctrl-C or SIGTERM, so that a summary is still printed and
/// a recording is closed properly.
pub async fn interrupted() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

/// The summary on stderr: one `kind: count` line per kind of message
/// delivered, then keep-alives, connections, reconnects and errors.
pub fn print_summary(delivered: &Delivered, counters: &Counters) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "--- summary");
    for (kind, count) in delivered {
        let _ = writeln!(err, "{kind}: {count}");
    }
    let _ = writeln!(err, "messages: {}", delivered.values().sum::<u64>());
    let _ = writeln!(err, "keep-alives: {}", counters.keep_alives);
    let _ = writeln!(err, "connects: {}", counters.connects);
    let _ = writeln!(err, "reconnects: {}", counters.reconnects);
    // Failed or dropped connections by cause (HTTP ones by status below),
    // then frames and messages that were reported and skipped.
    let _ = writeln!(err, "connection errors: {}", counters.errors.values().sum::<u64>());
    for (cause, count) in counters.errors.iter().filter(|(cause, _)| **cause != "http") {
        let _ = writeln!(err, "  {cause}: {count}");
    }
    for (status, count) in &counters.http_status {
        let _ = writeln!(err, "  http {status}: {count}");
    }
    let _ = writeln!(err, "skipped frames: {}", counters.frame_errors);
    let _ = writeln!(err, "skipped messages: {}", counters.message_errors);
}
