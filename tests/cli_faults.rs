//! `rehose serve` with scripted failures from the command line: the
//! shorthand flags and a `--scenario` file.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::Duration;

#[path = "common/serve_cli.rs"]
mod serve_cli;

use serve_cli::{serve, BIN};

/// One HTTP/1.1 GET on its own connection, read until the server closes
/// it: the status and everything after the status line.
fn get(url: &str, path: &str) -> (u16, String) {
    let addr = url.trim_start_matches("http://");
    let mut socket = TcpStream::connect(addr).unwrap();
    socket.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    write!(socket, "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").unwrap();
    let mut response = Vec::new();
    socket.read_to_end(&mut response).unwrap();
    let response = String::from_utf8_lossy(&response).into_owned();
    let status = response.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    (status, response)
}

#[test]
fn serve_fails_the_first_attempt_with_503_then_streams_until_the_scripted_disconnect() {
    let (_server, url) = serve(&["--fail-first", "503", "--disconnect-after", "2:7"]);

    let (status, refused) = get(&url, "/1.1/statuses/sample.json");
    assert_eq!(status, 503, "{refused}");

    let (status, streamed) = get(&url, "/1.1/statuses/sample.json");
    assert_eq!(status, 200, "{streamed}");
    assert!(streamed.contains("\"disconnect\""), "{streamed}");
    assert!(streamed.contains("\"code\":7"), "{streamed}");

    let (status, journal) = get(&url, "/__rehose/requests");
    assert_eq!(status, 200);
    assert!(journal.contains("status 503"), "{journal}");
    assert!(journal.contains("disconnect 7"), "{journal}");
}

#[test]
fn serve_reads_a_scenario_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("scenario.toml");
    std::fs::write(&path, "[[attempt]]\nstatus = 420\ntimes = 2\n").unwrap();
    let (_server, url) = serve(&["--scenario", path.to_str().unwrap()]);

    let statuses: Vec<u16> = (0..2).map(|_| get(&url, "/1.1/statuses/sample.json").0).collect();
    assert_eq!(statuses, [420, 420]);
}

#[test]
fn a_bad_shorthand_is_an_error_naming_the_flag_and_value() {
    let output =
        Command::new(BIN).args(["serve", "--port", "0", "--fail-first", "42"]).output().unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("fail-first") && stderr.contains("42"), "{stderr}");
}

#[test]
fn a_scenario_file_and_shorthands_cannot_be_combined() {
    let output = Command::new(BIN)
        .args(["serve", "--port", "0", "--scenario", "s.toml", "--fail-first", "503"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--scenario") && stderr.contains("--fail-first"), "{stderr}");
}
