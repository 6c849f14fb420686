//! `cargo xtask fuzz`: seeds the corpora from the real captures and runs
//! every cargo-fuzz target in `fuzz/` in turn for a fixed time, then prints
//! how many inputs each executed and whether it found a crash.
//!
//! The corpora (`fuzz/corpus/<target>/`) are gitignored: seeds are cut from
//! `../shared/captures/` on every run and never committed. The fuzz crate
//! needs nightly features, so it is built with `RUSTC_BOOTSTRAP=1` and
//! without a sanitizer (the code under test is safe Rust: panics are what
//! we look for).

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};
use rehose::frame::{Encoder, Framing};

/// Arguments of `cargo xtask fuzz`.
#[derive(clap::Args, Debug)]
pub struct FuzzArgs {
    /// Seconds to run each target.
    #[arg(long, default_value_t = 60)]
    pub seconds: u64,
    /// Run only these targets (repeatable); default all.
    #[arg(long = "target")]
    pub targets: Vec<String>,
    /// Only write the seed corpora, do not fuzz.
    #[arg(long)]
    pub seed_only: bool,
}

/// Every target, in the order they run.
pub const TARGETS: &[&str] = &["frame_crlf", "frame_length", "frame_lines", "classify", "fixture"];

/// Runs `cargo xtask fuzz`.
///
/// # Errors
///
/// When a target cannot be built or run, or when one found a crash (after
/// all targets have run).
pub fn run(args: &FuzzArgs) -> Result<()> {
    let root = crate_root();
    let fuzz = root.join("fuzz");
    let available = available_targets(&fuzz)?;
    let targets: Vec<String> = if args.targets.is_empty() {
        TARGETS
            .iter()
            .filter(|t| available.iter().any(|a| a == *t))
            .map(|t| t.to_string())
            .collect()
    } else {
        for t in &args.targets {
            if !available.contains(t) {
                bail!("unknown fuzz target {t:?}: available {available:?}");
            }
        }
        args.targets.clone()
    };

    let captures = load_captures(&root);
    for target in &targets {
        let dir = fuzz.join("corpus").join(target);
        std::fs::create_dir_all(&dir).with_context(|| dir.display().to_string())?;
        let seeds = seeds(target, &captures);
        for (i, seed) in seeds.iter().enumerate() {
            std::fs::write(dir.join(format!("seed-{i:04}")), seed)?;
        }
        println!("{target}: {} seeds in {}", seeds.len(), dir.display());
    }
    if args.seed_only {
        return Ok(());
    }

    let mut summary = Vec::new();
    for target in &targets {
        println!("== fuzzing {target} for {} s", args.seconds);
        let output = Command::new(cargo())
            .current_dir(&fuzz)
            .env("RUSTC_BOOTSTRAP", "1")
            .args(["fuzz", "run", "--sanitizer", "none", "--debug-assertions", target, "--"])
            .arg(format!("-max_total_time={}", args.seconds))
            .args(["-print_final_stats=1", "-max_len=65536", "-timeout=10", "-rss_limit_mb=2048"])
            .output()
            .context("running cargo fuzz (is cargo-fuzz installed?)")?;
        let log = String::from_utf8_lossy(&output.stderr);
        let execs = stat(&log, "stat::number_of_executed_units").unwrap_or(0);
        let secs = stat(&log, "stat::average_exec_per_sec").unwrap_or(0);
        let crashed = !output.status.success();
        if crashed {
            let tail: Vec<&str> = log.lines().rev().take(40).collect();
            eprintln!("{}", tail.into_iter().rev().collect::<Vec<_>>().join("\n"));
        }
        println!(
            "{target}: {execs} executions ({secs}/s){}",
            if crashed { ", CRASH (see fuzz/artifacts/)" } else { ", no crash" }
        );
        summary.push((target.clone(), execs, secs, crashed));
    }
    println!("\n| target | seconds | executions | exec/s | result |\n|---|---|---|---|---|");
    for (target, execs, secs, crashed) in &summary {
        let result = if *crashed { "CRASH" } else { "ok" };
        println!("| {target} | {} | {execs} | {secs} | {result} |", args.seconds);
    }
    if summary.iter().any(|s| s.3) {
        bail!("a fuzz target crashed");
    }
    Ok(())
}

/// The workspace root (xtask lives one level below it).
fn crate_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_default()
}

fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned())
}

/// The `[[bin]]` names in `fuzz/Cargo.toml`.
fn available_targets(fuzz: &Path) -> Result<Vec<String>> {
    let manifest =
        std::fs::read_to_string(fuzz.join("Cargo.toml")).context("reading fuzz/Cargo.toml")?;
    Ok(manifest
        .lines()
        .filter_map(|l| l.trim().strip_prefix("name = \""))
        .filter_map(|l| l.strip_suffix('"'))
        .filter(|name| *name != "rehose-fuzz")
        .map(str::to_owned)
        .collect())
}

/// The messages of each capture, or nothing (with a note) when missing.
fn load_captures(root: &Path) -> Vec<Vec<Vec<u8>>> {
    let dir = root.join("../shared/captures");
    let names = ["v1-sample-2015.crlf", "v1-filter-locations-2016.crlf", "v2-filtered-2021.crlf"];
    let mut out = Vec::new();
    for name in names {
        match std::fs::read(dir.join(name)) {
            Ok(bytes) => out.push(
                bytes
                    .split(|&b| b == b'\n')
                    .map(|m| m.strip_suffix(b"\r").unwrap_or(m).to_vec())
                    .collect(),
            ),
            Err(err) => eprintln!("no seeds from {name}: {err}"),
        }
    }
    out
}

/// Seeds for one target: for the framers, a 4-byte header (maximum frame
/// size, chunk seed, largest chunk; see `fuzz/src/lib.rs`) and a run of
/// consecutive messages in the target's framing, with a keep-alive now
/// and then; for the classifier, each message whole and some cut short.
fn seeds(target: &str, captures: &[Vec<Vec<u8>>]) -> Vec<Vec<u8>> {
    let framing = match target {
        "frame_crlf" => Framing::Crlf,
        "frame_length" => Framing::Length,
        "frame_lines" => Framing::Lines,
        "classify" => {
            let mut out = Vec::new();
            for messages in captures {
                for (i, m) in messages.iter().enumerate().filter(|(_, m)| !m.is_empty()) {
                    if i % 10 == 0 {
                        out.push(m[..m.len() / 2].to_vec());
                    }
                    out.push(m.clone());
                }
            }
            return out;
        }
        "fixture" => return fixture_seeds(),
        _ => return Vec::new(),
    };
    let encoder = Encoder::new(framing);
    let headers: [[u8; 4]; 4] = [[0x80, 1, 0, 6], [0x80, 7, 3, 12], [20, 9, 9, 9], [0, 5, 0, 2]];
    let mut out = Vec::new();
    for messages in captures {
        let messages: Vec<&Vec<u8>> = messages.iter().filter(|m| !m.is_empty()).collect();
        for (n, window) in messages.chunks(4).take(24).enumerate() {
            let mut seed = bytes::BytesMut::from(&headers[n % headers.len()][..]);
            for (i, m) in window.iter().enumerate() {
                if i == 2 {
                    encoder.keep_alive(&mut seed);
                }
                encoder.message(m, &mut seed);
            }
            out.push(seed.to_vec());
        }
    }
    out
}

/// The bundled fixtures, whole and cut short at a few places.
fn fixture_seeds() -> Vec<Vec<u8>> {
    let dir = crate_root().join("fixtures");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
        let Ok(text) = std::fs::read(entry.path()) else { continue };
        // Keep seeds small: the head of the file, and cuts of it.
        let head = &text[..text.len().min(16 * 1024)];
        for cut in [head.len(), head.len() / 2, head.len() / 5] {
            out.push(head[..cut].to_vec());
        }
    }
    out
}

/// A `stat::name: value` line of libFuzzer's final stats.
fn stat(log: &str, name: &str) -> Option<u64> {
    log.lines()
        .rev()
        .find_map(|l| l.strip_prefix(name)?.trim_start_matches(':').trim().parse().ok())
}
