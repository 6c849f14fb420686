//! The `rehose` binary as a user runs it: the demo, and `serve` with
//! `stream` against it.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

mod common;

const BIN: &str = env!("CARGO_BIN_EXE_rehose");

#[test]
fn demo_prints_every_message_of_the_bundled_fixture_and_a_summary() {
    let output = Command::new(BIN).arg("demo").output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));

    let fixture = rehose::fixture::bundled::default_fixture().unwrap();
    let expected: Vec<Vec<u8>> = fixture
        .connections
        .iter()
        .flat_map(|c| c.messages())
        .map(|(_, payload)| payload.to_vec())
        .collect();
    let printed: Vec<&[u8]> =
        output.stdout.split(|&b| b == b'\n').filter(|l| !l.is_empty()).collect();
    assert_eq!(printed.len(), expected.len());
    for (line, want) in printed.iter().zip(&expected) {
        assert_eq!(*line, &want[..]);
    }

    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains(&format!("messages: {}", expected.len())), "{stderr}");
    assert!(stderr.contains("status: "), "{stderr}");
    assert!(stderr.contains("delete: "), "{stderr}");
}

struct Serving(Child);

impl Drop for Serving {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `rehose serve --port 0` and reads the URL it prints.
fn serve(args: &[&str]) -> (Serving, String) {
    let mut child = Command::new(BIN)
        .args(["serve", "--port", "0"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut url = String::new();
    BufReader::new(stdout).read_line(&mut url).unwrap();
    (Serving(child), url.trim().to_owned())
}

#[test]
fn stream_prints_a_served_capture_in_order_with_counts_by_kind() {
    let Some(capture) = common::capture("v1-sample-2015.crlf") else { return };
    let path = common::captures_dir().join("v1-sample-2015.crlf");
    let (_server, url) = serve(&["--fixture", path.to_str().unwrap(), "--speed", "max"]);

    let output = Command::new(BIN)
        .args(["stream", "--url", &url, "sample", "--max-messages", "996"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));

    let want: Vec<&[u8]> = capture
        .split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .filter(|l| !l.is_empty())
        .collect();
    let got: Vec<&[u8]> = output.stdout.split(|&b| b == b'\n').filter(|l| !l.is_empty()).collect();
    assert_eq!(got, want);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("status: 874"), "{stderr}");
    assert!(stderr.contains("delete: 122"), "{stderr}");
}

#[test]
fn a_missing_fixture_is_an_error_naming_the_file() {
    let output =
        Command::new(BIN).args(["serve", "--fixture", "no/such.fixture"]).output().unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("no/such.fixture"), "{stderr}");
}
