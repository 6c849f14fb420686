//! `rehose record` and `rehose inspect` from the command line.

use std::process::{Command, Stdio};

#[path = "common/serve_cli.rs"]
mod serve_cli;

use serve_cli::{serve, BIN};

#[test]
fn a_recording_of_the_mock_keeps_no_secret_and_inspects_to_its_message_count() {
    let (_server, url) = serve(&[]);
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("session.fixture");
    let secrets = ["ck-visible-key", "cs-secret-value", "at-token-value", "ats-secret-value"];

    let status = Command::new(BIN)
        .args(["record", "--url", &url, "-o", output.to_str().unwrap(), "sample"])
        .args(["--max-messages", "40"])
        .env("TWITTER_CONSUMER_KEY", secrets[0])
        .env("TWITTER_CONSUMER_SECRET", secrets[1])
        .env("TWITTER_ACCESS_TOKEN", secrets[2])
        .env("TWITTER_ACCESS_TOKEN_SECRET", secrets[3])
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());

    let bytes = std::fs::read(&output).unwrap();
    for secret in secrets {
        let found = bytes.windows(secret.len()).any(|w| w == secret.as_bytes());
        assert!(!found, "{secret} is in the recording");
    }

    let inspected = Command::new(BIN).args(["inspect", "--json"]).arg(&output).output().unwrap();
    assert!(inspected.status.success());
    let summary: serde_json::Value = serde_json::from_slice(&inspected.stdout).unwrap();
    assert_eq!(summary["messages"], 40);
    assert_eq!(summary["connections"][0]["status"], 200);
}

#[test]
fn record_without_an_output_file_says_what_is_missing() {
    let output = Command::new(BIN).args(["record", "sample"]).output().unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("--output"));
}
