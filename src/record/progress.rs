//! The live progress line of a recording: messages, bytes, rate, elapsed
//! time and reconnects, redrawn in place on a terminal and silent
//! otherwise (stderr redirected, CI, tests).

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{HumanBytes, ProgressBar, ProgressDrawTarget, ProgressStyle};

/// The counters a progress line shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Messages received (keep-alives not counted).
    pub messages: u64,
    /// Body bytes received.
    pub bytes: u64,
    /// Connections opened after the first.
    pub reconnects: u32,
}

/// A progress line on stderr, or nothing.
#[derive(Debug)]
pub(crate) struct Progress {
    bar: Option<ProgressBar>,
}

impl Progress {
    /// A progress line if `wanted` and stderr is a terminal.
    pub(crate) fn new(wanted: bool) -> Progress {
        if !wanted || !std::io::stderr().is_terminal() {
            return Progress { bar: None };
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template("{spinner} recording {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner());
        bar.set_style(style);
        bar.enable_steady_tick(Duration::from_millis(250));
        Progress { bar: Some(bar) }
    }

    /// Redraws with `counts` after `elapsed`.
    pub(crate) fn update(&self, counts: Counts, elapsed: Duration) {
        if let Some(bar) = &self.bar {
            bar.set_message(line(counts, elapsed));
        }
    }

    /// Leaves the last line on screen.
    pub(crate) fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish();
        }
    }
}

/// `1234 messages, 2.1 MiB, 41.2 msg/s, 00:30, 1 reconnect`.
fn line(counts: Counts, elapsed: Duration) -> String {
    let seconds = elapsed.as_secs_f64();
    let rate = if seconds > 0.0 { counts.messages as f64 / seconds } else { 0.0 };
    let whole = elapsed.as_secs();
    let plural = if counts.reconnects == 1 { "" } else { "s" };
    format!(
        "{} messages, {}, {rate:.1} msg/s, {:02}:{:02}:{:02}, {} reconnect{plural}",
        counts.messages,
        HumanBytes(counts.bytes),
        whole / 3600,
        whole / 60 % 60,
        whole % 60,
        counts.reconnects,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_shows_counts_rate_and_elapsed_time() {
        let counts = Counts { messages: 100, bytes: 2048, reconnects: 1 };
        assert_eq!(
            line(counts, Duration::from_secs(3725)),
            "100 messages, 2.00 KiB, 0.0 msg/s, 01:02:05, 1 reconnect"
        );
    }
}
