//! `cargo xtask bench`: runs the criterion benches, reads their estimates
//! back from `target/criterion/`, runs the Python peer when it is
//! installed, and writes `BENCHMARKS.md` with every figure, its spread, and
//! each target ratio marked PASS or MISS.
//!
//! Only estimates written by this run are reported (their files are newer
//! than the run's start), so a quick run never mixes in older full runs.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

use anyhow::{bail, Context, Result};

mod system;

/// Arguments of `cargo xtask bench`.
#[derive(clap::Args, Debug)]
pub struct BenchArgs {
    /// Short measurements and fewer inputs and chunk sizes (under two
    /// minutes in all).
    #[arg(long)]
    pub quick: bool,
    /// Do not run the benches: report the estimates of the last run (those
    /// written within 30 minutes of the newest one).
    #[arg(long)]
    pub no_run: bool,
    /// Where to write the report (default: BENCHMARKS.md at the root).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// The benches, in the order they run; those without a `benches/<name>.rs`
/// and a `[[bench]]` entry are skipped with a note.
const BENCHES: &[&str] = &["framing", "classify", "end_to_end"];

/// Figures measured on this machine for orientation (from the spec).
const ORIENTATION: &str = "\
For orientation, measured on this 2-core machine: a bare `memchr::memmem` scan for \
`\\r\\n` over the real sample capture runs at about 10.8 GB/s (the ceiling for framing); \
serde_json parsing each message into `IgnoredAny` about 0.37 GB/s, into `Value` about \
0.10 GB/s; Python's `json.loads` plus Tweepy-style dispatch about 62 MB/s.";

/// One criterion benchmark's result.
#[derive(Clone, Debug)]
struct Estimate {
    group: String,
    function: String,
    param: String,
    /// Bytes or elements per iteration, and which.
    per_iter: f64,
    unit: Unit,
    /// Mean time per iteration and its 95 % confidence interval, in ns.
    mean: f64,
    low: f64,
    high: f64,
    /// When criterion wrote it.
    written: SystemTime,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Unit {
    Bytes,
    Elements,
    None,
}

impl Estimate {
    /// Throughput at the mean, and at the ends of the interval.
    fn rate(&self) -> (f64, f64, f64) {
        let r = |ns: f64| self.per_iter / ns * 1e9;
        (r(self.mean), r(self.high), r(self.low))
    }

    fn rate_text(&self) -> String {
        let (mean, lo, hi) = self.rate();
        match self.unit {
            Unit::Bytes => format!("{:.3} GB/s ({:.3}–{:.3})", mean / 1e9, lo / 1e9, hi / 1e9),
            Unit::Elements => {
                format!("{:.2} M msg/s ({:.2}–{:.2})", mean / 1e6, lo / 1e6, hi / 1e6)
            }
            Unit::None => {
                format!("{:.1} µs ({:.1}–{:.1})", self.mean / 1e3, self.low / 1e3, self.high / 1e3)
            }
        }
    }
}

/// Runs `cargo xtask bench`.
///
/// # Errors
///
/// When a bench fails to build or run, or the report cannot be written.
pub fn run(args: &BenchArgs) -> Result<()> {
    let root = root();
    let start = SystemTime::now();
    let load_at_start = load_average();
    let (measure, warm) = if args.quick { ("0.3", "0.1") } else { ("2", "1") };
    let manifest = std::fs::read_to_string(root.join("Cargo.toml"))?;
    let mut notes = Vec::new();
    for bench in BENCHES.iter().filter(|_| !args.no_run) {
        let declared = manifest.contains(&format!("name = \"{bench}\""));
        if !root.join("benches").join(format!("{bench}.rs")).exists() || !declared {
            notes.push(format!("`{bench}`: not present in this checkout, skipped."));
            continue;
        }
        println!("== cargo bench --bench {bench}");
        let mut cmd = Command::new(cargo());
        cmd.current_dir(&root).args([
            "bench",
            "--bench",
            bench,
            "--",
            "--measurement-time",
            measure,
            "--warm-up-time",
            warm,
        ]);
        if args.quick {
            // Plots and criterion's 100,000 bootstrap resamples cost more
            // than the measurements themselves at these lengths.
            cmd.env("REHOSE_BENCH_QUICK", "1").args([
                "--sample-size",
                "10",
                "--noplot",
                "--nresamples",
                "2000",
            ]);
        }
        let status = cmd.status().context("running cargo bench")?;
        if !status.success() {
            eprintln!("cargo bench --bench {bench} failed: {status}");
            notes.push(format!(
                "`{bench}`: failed ({status}); figures it reported before failing are kept."
            ));
        }
    }

    let since = if args.no_run { SystemTime::UNIX_EPOCH } else { start };
    let mut estimates = collect(&root.join("target/criterion"), since)?;
    if args.no_run {
        let newest = estimates.iter().map(|e| e.written).max().unwrap_or(SystemTime::UNIX_EPOCH);
        let cutoff = newest.checked_sub(std::time::Duration::from_secs(30 * 60)).unwrap_or(newest);
        estimates.retain(|e| e.written >= cutoff);
    }
    if estimates.is_empty() {
        bail!("no criterion estimates were written by this run");
    }
    let system = if args.no_run {
        notes.push("System measurements (end to end against Tweepy, connections, pacing): not run with `--no-run`.".to_owned());
        system::Outcome::default()
    } else {
        system::run(&root, args.quick)
    };
    if !args.no_run {
        let took = start.elapsed().map_or(0, |d| d.as_secs());
        notes.push(format!("This run took {} min {} s, builds included.", took / 60, took % 60));
    }
    let report = report(&root, args.quick, &load_at_start, &estimates, &notes, &system)?;
    let out = args.out.clone().unwrap_or_else(|| root.join("BENCHMARKS.md"));
    std::fs::write(&out, report).with_context(|| out.display().to_string())?;
    println!("wrote {}", out.display());
    Ok(())
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_default()
}

fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned())
}

/// Every `new/estimates.json` under `dir` written since `since`.
fn collect(dir: &Path, since: SystemTime) -> Result<Vec<Estimate>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            if !path.is_dir() {
                continue;
            }
            if path.file_name().is_some_and(|n| n == "new") {
                let estimates = path.join("estimates.json");
                let fresh = std::fs::metadata(&estimates)
                    .and_then(|m| m.modified())
                    .is_ok_and(|t| t >= since);
                if fresh {
                    out.push(read_estimate(&path)?);
                }
            } else if path.file_name().is_none_or(|n| n != "base" && n != "report") {
                stack.push(path);
            }
        }
    }
    out.sort_by(|a, b| (&a.group, &a.function, &a.param).cmp(&(&b.group, &b.function, &b.param)));
    Ok(out)
}

fn read_estimate(dir: &Path) -> Result<Estimate> {
    let read = |name: &str| -> Result<serde_json::Value> {
        let path = dir.join(name);
        let text = std::fs::read_to_string(&path).with_context(|| path.display().to_string())?;
        serde_json::from_str(&text).with_context(|| path.display().to_string())
    };
    let bench = read("benchmark.json")?;
    let est = read("estimates.json")?;
    let text = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_owned();
    let (per_iter, unit) = match bench.get("throughput") {
        Some(t) if t.get("Bytes").is_some() => (t["Bytes"].as_f64().unwrap_or(0.0), Unit::Bytes),
        Some(t) if t.get("BytesDecimal").is_some() => {
            (t["BytesDecimal"].as_f64().unwrap_or(0.0), Unit::Bytes)
        }
        Some(t) if t.get("Elements").is_some() => {
            (t["Elements"].as_f64().unwrap_or(0.0), Unit::Elements)
        }
        _ => (0.0, Unit::None),
    };
    let mean = &est["mean"];
    Ok(Estimate {
        group: text(&bench["group_id"]),
        function: text(&bench["function_id"]),
        param: text(&bench["value_str"]),
        per_iter,
        unit,
        mean: mean["point_estimate"].as_f64().unwrap_or(f64::NAN),
        low: mean["confidence_interval"]["lower_bound"].as_f64().unwrap_or(f64::NAN),
        high: mean["confidence_interval"]["upper_bound"].as_f64().unwrap_or(f64::NAN),
        written: SystemTime::UNIX_EPOCH,
    })
}

/// The framing targets: (mode, chunking, least ratio of rehose to memmem).
const FRAMING_TARGETS: &[(&str, &str, f64)] = &[
    ("crlf", "16KiB", 0.8),
    ("length", "16KiB", 0.8),
    ("crlf", "64B", 0.5),
    ("length", "64B", 0.5),
];

/// Why rehose trails the ceiling at a chunking, for a missed target.
fn bound_of(param: &str) -> &'static str {
    if param == "64B" {
        "at 64 B every message spans many chunks, so each is copied once into the decoder's \
         buffer and every chunk costs a push and a drain call; the ceiling does neither"
    } else {
        "the decoder does the ceiling's scan plus the per-frame work (slicing the chunk, \
         reference counting, the frame enum) that the bare scan skips"
    }
}

/// Why a peer can beat rehose, for a missed lead.
fn lead_bound(group: &str, param: &str) -> &'static str {
    if group.starts_with("framing") && param == "64B" {
        "the peers borrow each chunk while the decoder owns it and releases it (an atomic \
         reference-count decrement, about a third of the decoder's per-chunk cost under \
         `perf`), and every message spans many chunks so it is copied once into the \
         decoder's buffer, as the peers copy it too"
    } else if group.starts_with("framing") {
        "the decoder's per-frame work (slicing, reference counting, the frame enum)"
    } else {
        "classification also checks UTF-8 and picks up the ids; see `benches/classify.rs`"
    }
}

fn report(
    root: &Path,
    quick: bool,
    load_at_start: &str,
    estimates: &[Estimate],
    notes: &[String],
    system: &system::Outcome,
) -> Result<String> {
    let mut md = String::new();
    writeln!(md, "# Benchmarks\n")?;
    writeln!(
        md,
        "Generated by `cargo xtask bench{}` on {}. Figures are criterion means with \
         their 95 % confidence interval in brackets; GB is 10^9 bytes.\n",
        if quick { " --quick" } else { "" },
        command_line("date", &["-u", "+%Y-%m-%d %H:%M UTC"])
    )?;
    writeln!(md, "## Machine\n")?;
    writeln!(md, "- CPU: {}", cpu_model())?;
    writeln!(md, "- cores: {}", std::thread::available_parallelism().map_or(0, |n| n.get()))?;
    writeln!(md, "- memory: {}", mem_total())?;
    writeln!(md, "- rustc: {}", command_line("rustc", &["--version"]))?;
    writeln!(md, "- load average (1, 5, 15 min) at the start of the run: {load_at_start}")?;
    writeln!(md, "- load average when the report was written: {}", load_average())?;
    writeln!(
        md,
        "- mode: {}\n",
        if quick { "quick (short measurements, fewer inputs and chunk sizes)" } else { "full" }
    )?;
    writeln!(md, "{ORIENTATION}\n")?;

    let find = |group: &str, function: &str, param: &str| {
        estimates.iter().find(|e| e.group == group && e.function == function && e.param == param)
    };
    writeln!(md, "## Targets\n")?;
    writeln!(md, "| target | measured | result |\n|---|---|---|")?;
    for row in &system.targets {
        writeln!(md, "{row}")?;
    }
    let mut misses: Vec<String> = system.misses.iter().map(|m| format!("{m}.")).collect();
    let groups: Vec<&str> = {
        let mut g: Vec<&str> = estimates.iter().map(|e| e.group.as_str()).collect();
        g.dedup();
        g
    };
    for &(mode, param, want) in FRAMING_TARGETS {
        for group in groups.iter().filter(|g| g.starts_with(&format!("framing_{mode}_"))) {
            let (Some(ours), Some(ceiling)) =
                (find(group, "rehose", param), find(group, "memmem", param))
            else {
                continue;
            };
            let ratio = ceiling.mean / ours.mean;
            let pass = ratio >= want;
            writeln!(
                md,
                "| `{group}` rehose / memmem at {param} ≥ {want} | {ratio:.2} ({} vs {}) | {} |",
                fmt_gb(ours),
                fmt_gb(ceiling),
                if pass {
                    "PASS".to_owned()
                } else {
                    format!("MISS by {:.0} %", (1.0 - ratio / want) * 100.0)
                }
            )?;
            if !pass {
                misses.push(format!("`{group}` at {param}: {}.", bound_of(param)));
            }
        }
    }
    // Classification: at least 1 GB/s, and at least 3 times a full
    // serde_json parse into `Value` of the same messages.
    for ours in estimates.iter().filter(|e| e.function == "classify" && e.mean > 0.0) {
        let gbps = ours.per_iter / ours.mean;
        writeln!(
            md,
            "| `{}` classify ≥ 1 GB/s | {gbps:.2} GB/s | {} |",
            ours.group,
            if gbps >= 1.0 {
                "PASS".to_owned()
            } else {
                format!("MISS by {:.0} %", (1.0 - gbps) * 100.0)
            }
        )?;
        let value = estimates.iter().find(|e| {
            e.group == ours.group && e.param == ours.param && e.function == "serde_json_value"
        });
        if let Some(value) = value {
            let ratio = value.mean / ours.mean;
            writeln!(
                md,
                "| `{}` classify ≥ 3× serde_json `Value` | {ratio:.1}× | {} |",
                ours.group,
                if ratio >= 3.0 {
                    "PASS".to_owned()
                } else {
                    format!("MISS by {:.0} %", (1.0 - ratio / 3.0) * 100.0)
                }
            )?;
        }
    }
    // Leading the field: in each group, rehose beats every peer that is not
    // the ceiling.
    for group in &groups {
        let params: Vec<&str> = {
            let mut p: Vec<&str> =
                estimates.iter().filter(|e| e.group == *group).map(|e| e.param.as_str()).collect();
            p.sort_unstable();
            p.dedup();
            p
        };
        for param in params {
            let here: Vec<&Estimate> =
                estimates.iter().filter(|e| e.group == *group && e.param == param).collect();
            let Some(ours) = here.iter().find(|e| is_ours(&e.function)) else {
                continue;
            };
            let peers: Vec<&&Estimate> =
                here.iter().filter(|e| !is_ours(&e.function) && !is_ceiling(&e.function)).collect();
            let Some(best) = peers.iter().min_by(|a, b| a.mean.total_cmp(&b.mean)) else {
                continue;
            };
            let lead = best.mean / ours.mean;
            writeln!(
                md,
                "| `{group}` {param}: rehose leads its peers | {lead:.2}× the best peer (`{}`) | {} |",
                best.function,
                if lead > 1.0 { "PASS" } else { "MISS" }
            )?;
            if lead <= 1.0 {
                misses.push(format!(
                    "`{group}` {param}: `{}` is faster than rehose; {}.",
                    best.function,
                    lead_bound(group, param)
                ));
            }
        }
    }
    if !misses.is_empty() {
        writeln!(md, "\n### What bounds the misses\n")?;
        for m in &misses {
            writeln!(md, "- {m}")?;
        }
    }

    writeln!(md, "\n## All figures\n")?;
    let mut by_group: BTreeMap<&str, Vec<&Estimate>> = BTreeMap::new();
    for e in estimates {
        by_group.entry(&e.group).or_default().push(e);
    }
    for (group, list) in by_group {
        writeln!(md, "### `{group}`\n\n| function | input | throughput | time per iteration |\n|---|---|---|---|")?;
        for e in list {
            writeln!(
                md,
                "| {} | {} | {} | {:.1} µs ({:.1}–{:.1}) |",
                e.function,
                if e.param.is_empty() { "-" } else { &e.param },
                e.rate_text(),
                e.mean / 1e3,
                e.low / 1e3,
                e.high / 1e3
            )?;
        }
        writeln!(md)?;
    }

    if !system.figures.is_empty() {
        writeln!(md, "### Against `rehose serve` (separate release processes)\n")?;
        for f in &system.figures {
            writeln!(md, "{f}")?;
        }
        writeln!(md)?;
    }
    writeln!(md, "## Notes\n")?;
    for n in notes.iter().chain(&system.notes) {
        writeln!(md, "- {n}")?;
    }
    writeln!(
        md,
        "- Framing groups `framing_<mode>_<input>`: `rehose` is `rehose::frame::Decoder` \
         (push each chunk, drain every frame); `memmem` is the ceiling, a bare \
         `memchr::memmem` scan for `\\r\\n` over the same chunks; `lines_codec` is \
         tokio-util's `LinesCodec`; `naive` accumulates into a `Vec`, searches it for \
         `\\r\\n` and copies each message out. Inputs: `sample` and `filter` are the real \
         captures in `../shared/captures/` (length mode re-encodes their messages), \
         `generated` a seeded 4 MiB stream. Chunks are cut before timing."
    )?;
    writeln!(md, "\n## Reproduce\n")?;
    writeln!(md, "```sh\ncargo xtask bench            # full: about 15 minutes, on a quiet machine\ncargo xtask bench --quick    # under two minutes\ncargo bench --bench framing -- --measurement-time 2 --warm-up-time 1\n# by hand, against one server:\ncargo build --release --bin rehose --examples\ntarget/release/rehose serve --port 0 --speed max --loop --restart-on-reconnect \\\n    --fixture ../shared/captures/v1-sample-2015.crlf   # prints URL\ntarget/release/examples/stream_count URL 300000\nscripts/setup-interop.sh && target/interop/venv-4.12/bin/python benches/peers/tweepy_peer.py URL 50000\ntarget/release/rehose serve --port 0 --speed 1        # prints URL\nbash -c 'ulimit -n 20000; exec target/release/examples/many_connections URL 5000 16'\ntarget/release/examples/pacing URL 100 20\n```")?;
    let _ = root;
    Ok(md)
}

/// rehose's own entries: `rehose` in the framing groups, `classify` in
/// the classify groups.
fn is_ours(function: &str) -> bool {
    function.starts_with("rehose") || function == "classify"
}

fn is_ceiling(function: &str) -> bool {
    function.starts_with("memmem") || function.contains("ceiling")
}

fn fmt_gb(e: &Estimate) -> String {
    format!("{:.2} GB/s", e.rate().0 / 1e9)
}

fn command_line(program: &str, args: &[&str]) -> String {
    Command::new(program)
        .args(args)
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "unknown".to_owned())
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines().find_map(|l| {
                l.strip_prefix("model name")
                    .map(|v| v.trim_start_matches([' ', '\t', ':']).to_owned())
            })
        })
        .unwrap_or_else(|| "unknown".to_owned())
}

fn mem_total() -> String {
    std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            let kb: f64 = s
                .lines()
                .find_map(|l| l.strip_prefix("MemTotal:"))?
                .trim()
                .trim_end_matches("kB")
                .trim()
                .parse()
                .ok()?;
            Some(format!("{:.1} GiB", kb / 1024.0 / 1024.0))
        })
        .unwrap_or_else(|| "unknown".to_owned())
}

/// The 1, 5 and 15 minute load averages: a busy machine widens spreads.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|| "unknown".to_owned())
}
