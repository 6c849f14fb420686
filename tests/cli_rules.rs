//! `rehose rules` against `rehose serve`: the JSON answer on stdout, the
//! one-line summary on stderr, and clear errors.

use std::process::{Command, Output};

use serde_json::Value;

#[path = "common/serve_cli.rs"]
mod serve_cli;

use serve_cli::{serve, BIN};

/// Runs `rehose rules ARGS --url URL` with a bearer token in the
/// environment.
fn rules(url: &str, args: &[&str]) -> Output {
    Command::new(BIN)
        .arg("rules")
        .args(args)
        .args(["--url", url])
        .env("TWITTER_BEARER_TOKEN", "cli-rules-token")
        .output()
        .unwrap()
}

fn json(output: &Output) -> Value {
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).trim().to_owned()
}

#[test]
fn rules_are_added_listed_and_deleted_with_a_summary_each() {
    let (_server, url) = serve(&[]);

    let dry = rules(&url, &["add", "cat has:links", "--tag", "cats", "--dry-run"]);
    assert_eq!(json(&dry)["meta"]["summary"]["created"], 1);
    assert_eq!(stderr(&dry), "dry run: created 1, not created 0");
    assert_eq!(stderr(&rules(&url, &["list"])), "no rules");

    let added = rules(&url, &["add", "cat has:links", "dog", "--tag", "pets"]);
    let added_json = json(&added);
    assert_eq!(stderr(&added), "created 2, not created 0");
    let data = added_json["data"].as_array().unwrap();
    assert!(data.iter().all(|rule| rule["tag"] == "pets"));
    let cat = data[0]["id"].as_str().unwrap().to_owned();
    // Pretty JSON: one member per line.
    assert!(String::from_utf8_lossy(&added.stdout).contains("\n      \"value\": \"cat has:links\""));

    let tagged = rules(&url, &["add", "--tagged", "coffee=#coffee lang:en", "dog"]);
    let tagged_json = json(&tagged);
    assert_eq!(tagged_json["data"][0]["tag"], "coffee");
    assert_eq!(tagged_json["data"][0]["value"], "#coffee lang:en");
    assert!(stderr(&tagged).starts_with("created 1, not created 1: \"dog\" DuplicateRule (rule "));

    let listed = rules(&url, &["list", "--ids", &cat]);
    assert_eq!(json(&listed)["data"][0]["value"], "cat has:links");
    assert_eq!(stderr(&listed), "1 rule");
    assert_eq!(stderr(&rules(&url, &["list"])), "3 rules");

    let deleted = rules(&url, &["delete", &cat]);
    assert_eq!(json(&deleted)["meta"]["summary"]["deleted"], 1);
    assert_eq!(stderr(&deleted), "deleted 1, not deleted 0");
    assert_eq!(
        stderr(&rules(&url, &["delete", "--all", "--dry-run"])),
        "dry run: deleted 2, not deleted 0"
    );
    assert_eq!(stderr(&rules(&url, &["delete", "--all"])), "deleted 2, not deleted 0");
    assert_eq!(json(&rules(&url, &["list"]))["meta"]["result_count"], 0);
}

#[test]
fn an_invalid_rule_fails_with_the_reason_and_the_answer_printed() {
    let (_server, url) = serve(&[]);

    let output = rules(&url, &["add", "(cat"]);
    assert!(!output.status.success());
    let body: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(body["errors"][0]["title"], "UnprocessableEntity");
    let err = stderr(&output);
    assert!(err.contains("Missing closing parenthesis"), "{err}");
    assert!(err.contains("error: 1 of 1 rules refused as invalid"), "{err}");
}

#[test]
fn mistakes_are_reported_before_any_request() {
    // Nothing listens here: a request would fail with "cannot connect".
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let url = format!("http://127.0.0.1:{port}");

    let long = "x".repeat(513);
    let cases: &[(&[&str], &str)] = &[
        (&["add", &long], "is 513 characters long; at most 512 are allowed"),
        (&["add", "--tagged", "no-equals-sign"], "expected TAG=VALUE"),
        (&["add"], "no rules to add"),
        (&["list", "--ids", "12,abc"], "rule id \"abc\" is not a decimal number"),
    ];
    for (args, expected) in cases {
        let output = rules(&url, args);
        assert!(!output.status.success(), "{args:?}");
        assert!(stderr(&output).contains(expected), "{args:?}: {}", stderr(&output));
        assert!(output.stdout.is_empty());
    }
}

#[test]
fn without_a_token_the_real_service_is_not_asked() {
    let output = Command::new(BIN)
        .args(["rules", "list"])
        .env_remove("TWITTER_BEARER_TOKEN")
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(stderr(&output).contains("needs a bearer token"), "{}", stderr(&output));
}

#[test]
fn an_unreachable_server_is_named_in_the_error() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let url = format!("http://127.0.0.1:{port}");
    let output = rules(&url, &["list"]);
    assert!(!output.status.success());
    let err = stderr(&output);
    assert!(
        err.contains(&format!("cannot connect to {url}/2/tweets/search/stream/rules")),
        "{err}"
    );
}
