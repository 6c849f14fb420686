//! The measurements `cargo xtask bench` makes outside criterion, against
//! a real `rehose serve` process: rehose's client against Tweepy on the
//! same server, the server's memory per concurrent connection, and how
//! closely it keeps the recorded pace. Each returns rows for the targets
//! table (with PASS or MISS and by how much) and lines for the figures.
//!
//! The servers run as separate release processes (so their `VmRSS` is
//! theirs alone), each under `ulimit -n 20000` for the many connections.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use anyhow::{bail, Context, Result};

/// What the system measurements add to the report.
#[derive(Debug, Default)]
pub(super) struct Outcome {
    /// Rows of the targets table (`| target | measured | result |`).
    pub(super) targets: Vec<String>,
    /// Why a target was missed.
    pub(super) misses: Vec<String>,
    /// Markdown lines for the figures section.
    pub(super) figures: Vec<String>,
    /// Notes: what was not run, and why.
    pub(super) notes: Vec<String>,
}

/// The sizes of a run.
struct Plan {
    rehose_runs: usize,
    rehose_messages: u64,
    tweepy_runs: usize,
    tweepy_messages: u64,
    connections: usize,
    hold_seconds: f64,
    pacing_seconds: f64,
}

const FULL: Plan = Plan {
    rehose_runs: 5,
    rehose_messages: 300_000,
    tweepy_runs: 3,
    tweepy_messages: 50_000,
    connections: 5_000,
    hold_seconds: 16.0,
    pacing_seconds: 20.0,
};

const QUICK: Plan = Plan {
    rehose_runs: 2,
    rehose_messages: 50_000,
    tweepy_runs: 2,
    tweepy_messages: 10_000,
    connections: 1_000,
    hold_seconds: 6.0,
    pacing_seconds: 6.0,
};

/// Builds the release binary and examples, then runs every measurement;
/// a measurement that fails leaves a note instead of its figures.
pub(super) fn run(root: &Path, quick: bool) -> Outcome {
    let plan = if quick { &QUICK } else { &FULL };
    let mut out = Outcome::default();
    println!("== cargo build --release --bin rehose --examples");
    let built = Command::new(super::cargo())
        .current_dir(root)
        .args(["build", "--release", "--bin", "rehose", "--examples"])
        .status();
    if !built.is_ok_and(|s| s.success()) {
        out.notes.push("System measurements: the release build failed; not run.".to_owned());
        return out;
    }
    if let Err(err) = end_to_end(root, plan, &mut out) {
        out.notes.push(format!("End to end against Tweepy: failed: {err:#}."));
    }
    if let Err(err) = connections(root, plan, quick, &mut out) {
        out.notes.push(format!("Concurrent connections: failed: {err:#}."));
    }
    if let Err(err) = pacing(root, plan, &mut out) {
        out.notes.push(format!("Pacing: failed: {err:#}."));
    }
    out
}

/// A `rehose serve` child process, killed when dropped.
struct Server {
    child: Child,
    url: String,
}

impl Server {
    fn start(root: &Path, args: &[&str]) -> Result<Server> {
        let mut child = Command::new("bash")
            .current_dir(root)
            .arg("-c")
            .arg("ulimit -n 20000 2>/dev/null || ulimit -n 8192; exec \"$0\" serve --port 0 \"$@\"")
            .arg(root.join("target/release/rehose"))
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .context("starting rehose serve")?;
        let stdout = child.stdout.take().context("server stdout")?;
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).context("reading the server's URL")?;
        let url = line.trim().to_owned();
        let server = Server { child, url };
        if !server.url.starts_with("http://") {
            bail!("rehose serve printed no URL (got {line:?})");
        }
        Ok(server)
    }

    /// The server's resident memory, in KiB.
    fn rss_kib(&self) -> Result<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .context("reading the server's /proc status")?;
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .context("no VmRSS in the server's /proc status")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn example(root: &Path, name: &str) -> PathBuf {
    root.join("target/release/examples").join(name)
}

/// Runs a command and parses the last line of its stdout as JSON.
fn json_of(cmd: &mut Command) -> Result<serde_json::Value> {
    let out = cmd.stderr(Stdio::piped()).output().context("starting")?;
    if !out.status.success() {
        bail!("{}: {}", out.status, String::from_utf8_lossy(&out.stderr).trim());
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let last = text.lines().last().context("no output")?;
    serde_json::from_str(last).with_context(|| format!("not JSON: {last}"))
}

fn number(v: &serde_json::Value, key: &str) -> Result<f64> {
    v[key].as_f64().with_context(|| format!("no {key} in {v}"))
}

/// Mean, least and greatest.
fn spread(values: &[f64]) -> (f64, f64, f64) {
    let mean = values.iter().sum::<f64>() / values.len().max(1) as f64;
    let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    (mean, lo, hi)
}

fn verdict(pass: bool, short_by: f64) -> String {
    if pass {
        "PASS".to_owned()
    } else {
        format!("MISS by {:.0} %", short_by * 100.0)
    }
}

fn fmt_rate((mean, lo, hi): (f64, f64, f64)) -> String {
    format!("{:.0} msg/s ({:.0}–{:.0})", mean, lo, hi)
}

/// The Tweepy 4.12 venv, created by `scripts/setup-interop.sh` if missing.
fn tweepy_python(root: &Path) -> Option<PathBuf> {
    let python = root.join("target/interop/venv-4.12/bin/python");
    if !python.exists() {
        println!("== scripts/setup-interop.sh");
        let _ = Command::new("bash").current_dir(root).arg("scripts/setup-interop.sh").status();
    }
    python.exists().then_some(python)
}

fn end_to_end(root: &Path, plan: &Plan, out: &mut Outcome) -> Result<()> {
    println!("== end to end: rehose client and Tweepy against rehose serve --speed max");
    let capture = root.join("../shared/captures/v1-sample-2015.crlf");
    let fixture =
        if capture.exists() { capture.display().to_string() } else { "v1-sample".to_owned() };
    let server = Server::start(
        root,
        &["--speed", "max", "--loop", "--restart-on-reconnect", "--fixture", &fixture],
    )?;
    let python = tweepy_python(root);
    let script = root.join("benches/peers/tweepy_peer.py");
    let (mut ours, mut theirs, mut bytes) = (Vec::new(), Vec::new(), (0.0, 0.0));
    // Interleaved, so a change in the machine's load hits both alike.
    for i in 0..plan.rehose_runs.max(plan.tweepy_runs) {
        if i < plan.rehose_runs {
            let v = json_of(
                Command::new(example(root, "stream_count"))
                    .arg(&server.url)
                    .arg(plan.rehose_messages.to_string()),
            )
            .context("stream_count")?;
            ours.push(number(&v, "messages")? / number(&v, "seconds")?);
            bytes.0 = number(&v, "bytes")? / number(&v, "messages")?;
        }
        if let Some(python) = python.as_ref().filter(|_| i < plan.tweepy_runs) {
            let v = json_of(
                Command::new(python)
                    .arg(&script)
                    .arg(&server.url)
                    .arg(plan.tweepy_messages.to_string()),
            )
            .context("tweepy_peer.py")?;
            theirs.push(number(&v, "messages")? / number(&v, "seconds")?);
            bytes.1 = number(&v, "bytes")? / number(&v, "messages")?;
        }
    }
    drop(server);
    let ours_s = spread(&ours);
    out.targets.push(format!(
        "| end to end: rehose client ≥ 150,000 msg/s (real sizes, {:.0} B a message) | {} | {} |",
        bytes.0,
        fmt_rate(ours_s),
        verdict(ours_s.0 >= 150_000.0, 1.0 - ours_s.0 / 150_000.0)
    ));
    out.figures.push(format!(
        "- rehose client (`examples/stream_count.rs`, {} runs of {} messages): {}, {:.3} GB/s at the mean",
        ours.len(),
        plan.rehose_messages,
        fmt_rate(ours_s),
        ours_s.0 * bytes.0 / 1e9
    ));
    if ours_s.0 < 150_000.0 {
        out.misses.push(
            "end to end at 150,000 msg/s: server and client share the machine's two cores \
             over loopback; each message is copied through the kernel twice and classified"
                .to_owned(),
        );
    }
    if theirs.is_empty() {
        out.notes.push(
            "Tweepy peer: no Python venv with Tweepy 4.12.1 (scripts/setup-interop.sh \
             failed); the 20× comparison was not run."
                .to_owned(),
        );
        return Ok(());
    }
    let theirs_s = spread(&theirs);
    let ratio = ours_s.0 / theirs_s.0;
    // The ratio's spread: worst and best pairing of the two ranges.
    let (r_lo, r_hi) = (ours_s.1 / theirs_s.2, ours_s.2 / theirs_s.1);
    out.targets.push(format!(
        "| end to end: rehose client ≥ 20× Tweepy 4.12.1 `Stream` on the same server | {ratio:.1}× ({r_lo:.1}–{r_hi:.1}) | {} |",
        verdict(ratio >= 20.0, 1.0 - ratio / 20.0)
    ));
    out.figures.push(format!(
        "- Tweepy 4.12.1 `Stream.sample()` (`benches/peers/tweepy_peer.py`, {} runs of {} messages, \
         counted in its `on_status`/`on_delete`/... callbacks): {}, {:.3} GB/s at the mean",
        theirs.len(),
        plan.tweepy_messages,
        fmt_rate(theirs_s),
        theirs_s.0 * bytes.1 / 1e9
    ));
    if ratio < 20.0 {
        out.misses.push(format!(
            "end to end 20× Tweepy: Tweepy reads with requests' `iter_lines` and `json.loads` \
             every message at about {:.0} MB/s; 20× that is {:.2} GB/s of real-size messages \
             through loopback HTTP, framing and classification on the same two cores as the \
             server",
            theirs_s.0 * bytes.1 / 1e6,
            20.0 * theirs_s.0 * bytes.1 / 1e9
        ));
    }
    Ok(())
}

fn connections(root: &Path, plan: &Plan, quick: bool, out: &mut Outcome) -> Result<()> {
    let n = plan.connections;
    println!("== {n} concurrent connections against rehose serve --speed 1");
    let server = Server::start(root, &["--speed", "1"])?;
    std::thread::sleep(Duration::from_millis(500));
    let before = server.rss_kib()?;
    let mut child = Command::new("bash")
        .arg("-c")
        .arg("ulimit -n 20000 2>/dev/null || ulimit -n 8192; exec \"$0\" \"$@\"")
        .arg(example(root, "many_connections"))
        .arg(&server.url)
        .arg(n.to_string())
        .arg(plan.hold_seconds.to_string())
        .stdout(Stdio::piped())
        .spawn()
        .context("starting many_connections")?;
    let stdout = child.stdout.take().context("many_connections stdout")?;
    let mut during = None;
    let mut last = serde_json::Value::Null;
    for line in BufReader::new(stdout).lines() {
        let v: serde_json::Value = serde_json::from_str(&line?).context("many_connections")?;
        if v["phase"] == "holding" {
            during = Some((server.rss_kib()?, v.clone()));
        }
        last = v;
    }
    let status = child.wait()?;
    let Some((after, holding)) = during else {
        bail!("many_connections ended ({status}) before holding its connections: {last}");
    };
    let ok = number(&holding, "ok")?;
    let open = number(&holding, "open")?;
    let per = (after.saturating_sub(before)) as f64 / n as f64;
    out.targets.push(format!(
        "| mock server: {n} concurrent replay connections at < 100 KiB each{} | {per:.1} KiB each ({ok:.0} answered 200, {open:.0} open) | {} |",
        if quick { " (quick: 1,000, not the 5,000 of the target)" } else { "" },
        verdict(per < 100.0 && ok as usize == n, (per / 100.0 - 1.0).max(0.0))
    ));
    out.figures.push(format!(
        "- server `VmRSS`: {before} KiB idle, {after} KiB with {n} connections open and \
         reading for {:.0} s at recorded pace (`examples/many_connections.rs`); {} bytes read in all",
        plan.hold_seconds / 2.0,
        number(&last, "bytes").unwrap_or(0.0)
    ));
    if (ok as usize) < n {
        out.misses.push(format!("connections: only {ok:.0} of {n} were answered 200"));
    }
    Ok(())
}

fn pacing(root: &Path, plan: &Plan, out: &mut Outcome) -> Result<()> {
    println!("== pacing against rehose serve --speed 1");
    let server = Server::start(root, &["--speed", "1"])?;
    for clients in [1, 100] {
        let v = json_of(
            Command::new(example(root, "pacing"))
                .arg(&server.url)
                .arg(clients.to_string())
                .arg(plan.pacing_seconds.to_string()),
        )
        .with_context(|| format!("pacing with {clients} clients"))?;
        let (p50, p99, max) = (number(&v, "p50_ms")?, number(&v, "p99_ms")?, number(&v, "max_ms")?);
        let within = number(&v, "within_2ms")?;
        out.targets.push(format!(
            "| recorded pace, {clients} client{}: 99 % of messages within 2 ms of schedule | p99 {p99:.2} ms ({:.1} % within 2 ms) | {} |",
            if clients == 1 { "" } else { "s" },
            within * 100.0,
            verdict(p99 <= 2.0, p99 / 2.0 - 1.0)
        ));
        out.figures.push(format!(
            "- pacing, {clients} client(s), {:.0} s of the bundled `v1-sample` at `--speed 1`, {} messages: \
             lateness p50 {p50:.2} ms, p99 {p99:.2} ms, max {max:.2} ms (`examples/pacing.rs`)",
            plan.pacing_seconds,
            number(&v, "messages")?
        ));
        if p99 > 2.0 {
            out.misses.push(format!(
                "pacing with {clients} client(s): lateness is measured after the client framed \
                 and classified each message, on a machine whose two cores also run the \
                 clients; scheduling delay of either process counts against the server"
            ));
        }
    }
    Ok(())
}
