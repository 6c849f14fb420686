//! Tweepy against the mock server: Tweepy 4.12's v1.1 `Stream` and Tweepy
//! 4.14's v2 `StreamingClient`, unmodified, receive every message of the
//! real captures in order through their own callbacks, and back off as
//! their source says when the mock answers errors and cuts connections.
//!
//! The Python side lives in `tests/interop/`; `scripts/setup-interop.sh`
//! creates its virtual environments. Without them these tests skip with a
//! message, unless `REHOSE_REQUIRE_INTEROP` is set, as CI sets it.

mod common;
mod interop;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use rehose::fixture::import::{import, ImportOptions, KeepAlive};
use rehose::fixture::{Chunk, Connection, End, Fixture, Request, Response};
use rehose::frame::Framing;
use rehose::protocol::Credentials;
use rehose::server::{Attempt, JournalEntry, MockServer, Scenario, Speed, StreamEnd, TlsConfig};
use serde_json::{json, Value};

/// The capture's messages, parsed.
fn messages_of(capture: &[u8]) -> Vec<Value> {
    capture
        .split(|&b| b == b'\n')
        .map(|line| line.strip_suffix(b"\r").unwrap_or(line))
        .filter(|line| !line.is_empty())
        .map(|line| serde_json::from_slice(line).expect("a JSON message"))
        .collect()
}

/// What Tweepy's v1.1 callbacks should see for each message, read from
/// the JSON independently of Tweepy: `status:<id_str>` for a status,
/// `delete:<status id>`, `limit:<track>`.
fn v1_expected(capture: &[u8]) -> Vec<String> {
    messages_of(capture)
        .iter()
        .map(|message| {
            if let Some(delete) = message.get("delete") {
                format!("delete:{}", delete["status"]["id"])
            } else if let Some(limit) = message.get("limit") {
                format!("limit:{}", limit["track"])
            } else {
                let id = message["id_str"].as_str().expect("a status has an id_str");
                format!("status:{id}")
            }
        })
        .collect()
}

/// What Tweepy's v2 callbacks should see for each response: the tweet
/// id, the number of each kind of include, the error titles and the
/// matching rules' ids.
fn v2_expected(capture: &[u8]) -> Vec<Value> {
    messages_of(capture)
        .iter()
        .map(|message| {
            let includes: serde_json::Map<String, Value> = message
                .get("includes")
                .and_then(Value::as_object)
                .map(|includes| {
                    includes
                        .iter()
                        .map(|(key, value)| {
                            (key.clone(), json!(value.as_array().map_or(0, Vec::len)))
                        })
                        .collect()
                })
                .unwrap_or_default();
            let list = |key: &str, field: &str| -> Value {
                message.get(key).and_then(Value::as_array).map_or(json!([]), |items| {
                    // Tweepy hands ids over as it parsed them; the
                    // script prints them as strings, numeric or not.
                    items
                        .iter()
                        .map(|item| match &item[field] {
                            Value::Number(n) => json!(n.to_string()),
                            other => other.clone(),
                        })
                        .collect()
                })
            };
            json!({
                "tweet": message.get("data").map(|data| data["id"].clone()),
                "includes": includes,
                "errors": list("errors", "title"),
                "matching_rules": list("matching_rules", "id"),
            })
        })
        .collect()
}

/// A server replaying `capture` imported with `\r\n` framing and a
/// keep-alive in every 10 ms of silence, as fast as the client reads.
async fn serve_capture(capture: &[u8], tls: bool) -> MockServer {
    let options = ImportOptions::new().keep_alive(KeepAlive::Every(Duration::from_millis(10)));
    let fixture = import(capture, &options).expect("import").fixture;
    let builder = MockServer::builder().fixture(fixture).speed(Speed::Max);
    let builder = if tls { builder.tls(TlsConfig::new()) } else { builder };
    builder.start().await.expect("server")
}

/// Runs `script` with the server's base URL, the mode, the expected count
/// and the CA file when serving https.
async fn run_tweepy(
    python: &Path,
    script: &str,
    server: &MockServer,
    mode: &str,
    expected: usize,
) -> Value {
    let mut args = vec![server.uri(), mode.to_owned(), expected.to_string()];
    if let Some(ca) = server.ca_cert_path() {
        args.push(ca.to_str().expect("a utf-8 path").to_owned());
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    interop::run(python, &interop::script(script), &args).await
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .expect("an array")
        .iter()
        .map(|item| item.as_str().expect("a string").to_owned())
        .collect()
}

fn assert_one_clean_stream(journal: &[JournalEntry], method: &str, path: &str) {
    assert_eq!(journal.len(), 1, "{journal:#?}");
    assert_eq!((journal[0].method.as_str(), journal[0].path.as_str()), (method, path));
    assert_eq!(journal[0].status, 200);
    let agent = journal[0].headers.iter().find(|(name, _)| name == "user-agent");
    assert!(agent.is_some_and(|(_, value)| value.contains("Tweepy/")), "{journal:#?}");
}

#[tokio::test]
async fn tweepy_stream_filter_receives_every_status_and_limit_of_a_capture_in_order() {
    let Some(capture) = common::capture("v1-filter-locations-2016.crlf") else { return };
    let Some(python) = interop::venv_python("4.12") else { return };
    let expected = v1_expected(&capture);
    let server = serve_capture(&capture, false).await;

    let result = run_tweepy(&python, "tweepy_v1.py", &server, "filter", expected.len()).await;

    assert_eq!(result["tweepy"], "4.12.1");
    assert_eq!(strings(&result["messages"]), expected);
    assert_eq!(expected.iter().filter(|m| m.starts_with("limit:")).count(), 9);
    assert!(result["keep_alives"].as_u64() > Some(0), "{result}");
    assert_eq!(
        (result["connects"].as_u64(), result["sleeps"].as_array().map(Vec::len)),
        (Some(1), Some(0))
    );
    let journal = server.journal();
    assert_one_clean_stream(&journal, "POST", "/1.1/statuses/filter.json");
    let form = journal[0].form.as_deref().unwrap_or("");
    assert!(form.contains("locations=-180.0000%2C-90.0000%2C180.0000%2C90.0000"), "{form}");
}

#[tokio::test]
async fn tweepy_stream_sample_receives_every_status_and_delete_of_a_capture_in_order() {
    let Some(capture) = common::capture("v1-sample-2015.crlf") else { return };
    let Some(python) = interop::venv_python("4.12") else { return };
    let expected = v1_expected(&capture);
    let server = serve_capture(&capture, false).await;

    let result = run_tweepy(&python, "tweepy_v1.py", &server, "sample", expected.len()).await;

    assert_eq!(strings(&result["messages"]), expected);
    assert_eq!(expected.iter().filter(|m| m.starts_with("delete:")).count(), 122);
    assert!(result["keep_alives"].as_u64() > Some(0), "{result}");
    assert_one_clean_stream(&server.journal(), "GET", "/1.1/statuses/sample.json");
}

/// A rule matching every tweet of the capture: `from:` each author.
fn rule_for_every_author(capture: &[u8]) -> String {
    let mut authors: Vec<String> = messages_of(capture)
        .iter()
        .filter_map(|message| message["data"]["author_id"].as_str().map(str::to_owned))
        .collect();
    authors.sort();
    authors.dedup();
    authors.iter().map(|id| format!("from:{id}")).collect::<Vec<_>>().join(" OR ")
}

/// The v2 capture holds an operational disconnect after its fifth
/// response: the mock closes that stream and Tweepy reconnects at once
/// (no sleep), receiving the last four on a second connection. On the
/// search stream, the script first stores a rule matching every tweet
/// through Tweepy's rules calls (`tag` is the rule's tag, `-` for none),
/// and every tweet names that rule in its `matching_rules`.
async fn v2_capture_through_streaming_client(mode: &str, path: &str, tls: bool, tag: &str) {
    let Some(capture) = common::capture("v2-filtered-2021.crlf") else { return };
    let Some(python) = interop::venv_python("4.14") else { return };
    let mut expected = v2_expected(&capture);
    let server = serve_capture(&capture, tls).await;
    let ca = server.ca_cert_path().map_or("-".to_owned(), |p| p.display().to_string());
    let rule = rule_for_every_author(&capture);
    let mut args = vec![server.uri(), mode.to_owned(), expected.len().to_string(), ca];
    if mode == "filter" {
        args.extend([rule, tag.to_owned()]);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();

    let result = interop::run(&python, &interop::script("tweepy_v2.py"), &args).await;

    if mode == "filter" {
        let rule_id = result["rule_id"].as_str().expect("the added rule's id");
        for response in expected.iter_mut().filter(|r| !r["tweet"].is_null()) {
            response["matching_rules"] = json!([rule_id]);
        }
    }
    assert_eq!(result["tweepy"], "4.14.0");
    assert_eq!(result["responses"].as_array().expect("responses"), &expected);
    assert_eq!(expected[4]["errors"], json!(["operational-disconnect"]));
    // Tweepy saw the first stream closed by the server; it may see the
    // second one closed too, as the capture's last connection ends cleanly
    // just as the script disconnects.
    assert_eq!(result["connects"], json!(2), "{result}");
    assert!(result["closed"].as_u64() >= Some(1), "{result}");
    assert_eq!(result["sleeps"], json!([]), "an ended stream is reconnected at once");
    let journal: Vec<JournalEntry> =
        server.journal().into_iter().filter(|entry| entry.path == path).collect();
    assert_eq!(journal.len(), 2, "{journal:#?}");
    assert!(journal.iter().all(|entry| entry.status == 200));
    let first = journal[0].stream.as_ref().expect("a stream");
    assert_eq!((first.messages, first.end), (5, StreamEnd::Completed));
    let query = journal[0].query.as_deref().unwrap_or("");
    assert!(query.contains("expansions=author_id"), "{query}");
}

#[tokio::test]
async fn tweepy_streaming_client_filter_receives_every_response_across_an_operational_disconnect() {
    v2_capture_through_streaming_client("filter", "/2/tweets/search/stream", false, "authors")
        .await;
}

/// Tweepy 4.14 reads `matching_rules[].tag` unconditionally (a missing key
/// raises `KeyError` in `on_data`); the capture shows the service sent
/// `"tag":null` for a rule without a tag.
#[tokio::test]
async fn tweepy_streaming_client_accepts_matching_rules_of_a_rule_without_a_tag() {
    v2_capture_through_streaming_client("filter", "/2/tweets/search/stream", false, "-").await;
}

#[tokio::test]
async fn tweepy_streaming_client_sample_receives_every_response_over_https_trusting_the_ca() {
    v2_capture_through_streaming_client("sample", "/2/tweets/sample/stream", true, "-").await;
}

#[tokio::test]
async fn tweepy_adds_lists_and_deletes_rules_through_the_mocks_rules_api() {
    let Some(python) = interop::venv_python("4.14") else { return };
    let server = MockServer::builder().start().await.expect("server");

    let script = interop::script("tweepy_rules.py");
    let result = interop::run(&python, &script, &[&server.uri()]).await;

    if result["missing"] == json!(true) {
        eprintln!("skipping: the mock server has no v2 rules API");
        return;
    }
    assert_eq!(result["initial"], json!([]));
    let added = result["added"].as_array().expect("added rules");
    assert_eq!(added.len(), 2, "{result}");
    assert_eq!((&added[0]["value"], &added[0]["tag"]), (&json!("cat has:links"), &json!("cats")));
    assert_eq!((&added[1]["value"], &added[1]["tag"]), (&json!("dog"), &Value::Null));
    assert_eq!(result["dry_run"].as_array().map(Vec::len), Some(1), "{result}");
    assert_eq!(result["invalid_errors"], json!(["UnprocessableEntity"]), "{result}");
    assert_eq!(&result["all"], &result["added"], "a dry run and a refusal store nothing");
    assert_eq!(result["by_id"], json!([added[0]]));
    assert_eq!(result["deleted"]["deleted"], json!(1), "{result}");
    assert_eq!(result["after_delete"], json!([added[1]]));
}

#[tokio::test]
async fn tweepy_oauth_signatures_are_accepted_and_a_wrong_secret_is_refused_with_401() {
    let Some(python) = interop::venv_python("4.12") else { return };
    let fixture = Fixture { meta: vec![], connections: vec![streamed(&[1, 2], End::Open)] };
    let server = MockServer::builder()
        .fixture(Arc::new(fixture))
        .speed(Speed::Max)
        // Every run signs with the same credentials: each starts afresh.
        .restart_on_reconnect(true)
        .credentials([Credentials {
            consumer_key: "consumer-key".into(),
            consumer_secret: "consumer-secret".into(),
            token: "1-access-token".into(),
            token_secret: "access-token-secret".into(),
        }])
        .start()
        .await
        .expect("server");
    let script = interop::script("tweepy_v1.py");
    let uri = server.uri();

    // Tweepy's POST form and its GET query are both signed.
    for mode in ["filter", "sample"] {
        let signed = interop::run(&python, &script, &[&uri, mode, "2"]).await;
        assert_eq!(strings(&signed["messages"]), ["status:1", "status:2"], "{mode}: {signed}");
        assert_eq!(signed["request_errors"], json!([]), "{mode}");
    }
    let wrong = interop::run(&python, &script, &[&uri, "sample", "1", "-", "wrong"]).await;
    assert_eq!(wrong["messages"], json!([]));
    // max_retries=5: the first attempt and five retries, all refused.
    assert_eq!(wrong["request_errors"], json!([401, 401, 401, 401, 401, 401]), "{wrong}");
    assert_eq!(wrong["sleeps"], json!([5, 10, 20, 40, 80, 160]), "{wrong}");
    assert!(server.journal().iter().rev().take(6).all(|entry| entry.status == 401));
}

/// A recorded connection answered with `status` and a JSON error body.
fn refused(status: u16) -> Connection {
    let body = format!("{{\"errors\":[{{\"code\":{status},\"message\":\"recorded\"}}]}}");
    Connection {
        request: Request::get("/1.1/statuses/sample.json"),
        response: Response {
            status,
            headers: vec![("Content-Type".into(), "application/json".into())],
        },
        framing: Framing::Crlf,
        chunks: vec![Chunk { at: Duration::ZERO, data: Bytes::from(body) }],
        end: End::Clean,
    }
}

/// A 200 stream of statuses `ids`, ending as `end`; each is geotagged,
/// so the world-wide `locations` box of the v1.1 script matches it.
fn streamed(ids: &[u32], end: End) -> Connection {
    let chunks = ids
        .iter()
        .enumerate()
        .map(|(i, id)| Chunk {
            at: Duration::from_millis(i as u64),
            data: Bytes::from(format!(
                "{{\"id_str\":\"{id}\",\"text\":\"t{id}\",\"in_reply_to_status_id\":null,\"user\":{{\"id\":1}},\"coordinates\":{{\"type\":\"Point\",\"coordinates\":[2.3,48.9]}}}}\r\n"
            )),
        })
        .collect();
    Connection {
        request: Request::get("/1.1/statuses/sample.json"),
        response: Response::ok(),
        framing: Framing::Crlf,
        chunks,
        end,
    }
}

// The failures are recorded in the fixture here (a connection can carry a
// non-200 status and end with a reset); the next test scripts the same
// ones over a plain replay.
#[tokio::test]
async fn tweepy_stream_backs_off_5_then_10_s_on_503s_not_at_all_after_a_reset_and_60_s_on_420() {
    let Some(python) = interop::venv_python("4.12") else { return };
    let fixture = Fixture {
        meta: vec![],
        connections: vec![
            refused(503),
            refused(503),
            streamed(&[1, 2], End::Reset),
            refused(420),
            streamed(&[3, 4], End::Open),
        ],
    };
    let server = MockServer::builder()
        .fixture(Arc::new(fixture))
        .speed(Speed::Max)
        .keep_alive(Duration::ZERO)
        .start()
        .await
        .expect("server");

    let result = run_tweepy(&python, "tweepy_v1.py", &server, "sample", 4).await;

    assert_eq!(strings(&result["messages"]), ["status:1", "status:2", "status:3", "status:4"]);
    assert_eq!(result["request_errors"], json!([503, 503, 420]), "{result}");
    assert_eq!(result["connection_errors"], json!(1), "{result}");
    // Tweepy 4.12 `_connect`: HTTP errors wait 5 s doubling, a 420 at
    // least 60 s, and a 200 resets both; network errors wait 0 s first,
    // then 0.25 s more each time.
    assert_eq!(result["sleeps"], json!([5, 10, 0, 60]), "{result}");
    let journal = server.journal();
    let statuses: Vec<u16> = journal.iter().map(|entry| entry.status).collect();
    assert_eq!(statuses, [503, 503, 200, 420, 200]);
    let cut = journal[2].stream.as_ref().expect("a stream");
    assert_eq!((cut.messages, cut.end), (2, StreamEnd::Cut));
}

#[tokio::test]
async fn tweepy_stream_backs_off_the_same_on_scripted_503s_a_reset_mid_stream_and_a_420() {
    let Some(python) = interop::venv_python("4.12") else { return };
    let fixture = Fixture { meta: vec![], connections: vec![streamed(&[1, 2, 3, 4], End::Open)] };
    let scenario = Scenario::new()
        .attempt_times(Attempt::status(503), 2)
        .attempt(Attempt::stream().after_messages(2).reset())
        .attempt(Attempt::status(420));
    let server = MockServer::builder()
        .fixture(Arc::new(fixture))
        .scenario(scenario)
        .speed(Speed::Max)
        .keep_alive(Duration::ZERO)
        .start()
        .await
        .expect("server");

    let result = run_tweepy(&python, "tweepy_v1.py", &server, "sample", 4).await;

    // The same client resumes after the reset: no message lost or repeated.
    assert_eq!(strings(&result["messages"]), ["status:1", "status:2", "status:3", "status:4"]);
    assert_eq!(result["request_errors"], json!([503, 503, 420]), "{result}");
    assert_eq!(result["connection_errors"], json!(1), "{result}");
    assert_eq!(result["sleeps"], json!([5, 10, 0, 60]), "{result}");
    server.assert_scenario_complete();
    let journal = server.journal();
    let statuses: Vec<u16> = journal.iter().map(|entry| entry.status).collect();
    assert_eq!(statuses, [503, 503, 200, 420, 200]);
    assert!(journal[..4].iter().all(|entry| entry.fault.is_some()), "{journal:#?}");
    assert_eq!(journal[4].fault, None);
    let reset = journal[2].stream.as_ref().expect("a stream");
    assert_eq!(reset.messages, 2, "{journal:#?}");
    assert_eq!(journal[4].stream.as_ref().expect("a stream").first_message, 2);
}
