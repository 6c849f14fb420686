//! Helpers for the tests that run Python clients against the mock server:
//! finding the interpreters `scripts/setup-interop.sh` installs, running
//! the scripts of this folder and reading the JSON they print.
//!
//! Missing interpreters skip a test with a message, unless
//! `REHOSE_REQUIRE_INTEROP` is set (as CI sets it), which fails it instead.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

/// Longest a script may run: every script ends in a few seconds.
const SCRIPT_TIMEOUT: Duration = Duration::from_secs(30);

/// Whether a missing interpreter fails the test instead of skipping it.
pub fn interop_required() -> bool {
    std::env::var_os("REHOSE_REQUIRE_INTEROP").is_some()
}

/// Skips (returns `None`) or, under `REHOSE_REQUIRE_INTEROP`, fails.
fn missing<T>(what: &str) -> Option<T> {
    if interop_required() {
        panic!("{what} (REHOSE_REQUIRE_INTEROP is set; run scripts/setup-interop.sh)");
    }
    eprintln!("skipping: {what}; run scripts/setup-interop.sh to enable this test");
    None
}

/// Where the setup script puts the virtual environments.
pub fn interop_dir() -> PathBuf {
    match std::env::var_os("REHOSE_INTEROP_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/interop"),
    }
}

/// Runs `scripts/setup-interop.sh` once per test binary, so that a plain
/// `cargo test` sets up the Tweepy venvs itself (PyPI must be reachable).
/// `REHOSE_INTEROP_SETUP=0` turns this off.
fn set_up() {
    static DONE: std::sync::Once = std::sync::Once::new();
    DONE.call_once(|| {
        if std::env::var_os("REHOSE_INTEROP_SETUP").is_some_and(|v| v == "0") {
            return;
        }
        let setup = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scripts/setup-interop.sh");
        let status = std::process::Command::new("bash")
            .arg(&setup)
            .env("REHOSE_INTEROP_DIR", interop_dir())
            .stdout(Stdio::null())
            .status();
        match status {
            Ok(status) if status.success() => {}
            Ok(status) => eprintln!("{} failed ({status})", setup.display()),
            Err(err) => eprintln!("cannot run {}: {err}", setup.display()),
        }
    });
}

/// The interpreter of the venv with Tweepy `version` (`"4.12"` or
/// `"4.14"`), set up on first use, or `None` (with a message) when it
/// cannot be installed.
pub fn venv_python(version: &str) -> Option<PathBuf> {
    set_up();
    let python = interop_dir().join(format!("venv-{version}/bin/python"));
    if python.is_file() {
        Some(python)
    } else {
        missing(&format!("no Tweepy {version} virtual environment at {}", python.display()))
    }
}

/// An interpreter that can `import requests`: a Tweepy venv's, or the
/// system's `python3`.
pub fn python_with_requests() -> Option<PathBuf> {
    set_up();
    let candidates = [
        interop_dir().join("venv-4.14/bin/python"),
        interop_dir().join("venv-4.12/bin/python"),
        PathBuf::from("python3"),
    ];
    for python in candidates {
        let imports = std::process::Command::new(&python)
            .args(["-c", "import requests"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        if imports.is_ok_and(|status| status.success()) {
            return Some(python);
        }
    }
    missing("no python3 with the requests package")
}

/// A script of `tests/interop/`.
pub fn script(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/interop").join(name)
}

/// Runs `script` with `args`, asserts it succeeds, and returns the JSON
/// object on the last line of its standard output. Its standard error is
/// passed through so a failure shows Tweepy's log.
pub async fn run(python: &Path, script: &Path, args: &[&str]) -> serde_json::Value {
    let child = tokio::process::Command::new(python)
        .arg(script)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap_or_else(|err| panic!("cannot run {}: {err}", python.display()));
    let output = tokio::time::timeout(SCRIPT_TIMEOUT, child.wait_with_output())
        .await
        .unwrap_or_else(|_| panic!("{} ran longer than {SCRIPT_TIMEOUT:?}", script.display()))
        .expect("the script's output");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "{} failed ({}):\n--- stdout\n{stdout}\n--- stderr\n{stderr}",
        script.display(),
        output.status
    );
    let last = stdout.lines().rev().find(|line| !line.trim().is_empty()).unwrap_or("");
    serde_json::from_str(last).unwrap_or_else(|err| {
        panic!("{}: last line is not JSON ({err}):\n{stdout}\n{stderr}", script.display())
    })
}
