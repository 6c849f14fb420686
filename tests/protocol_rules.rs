//! The v2 rules API bodies and stream problems, in the shapes the service
//! sent.

use rehose::protocol::rules::{Problem, Rule, RulesRequest, RulesResponse};
use serde_json::{json, Value};

fn value(json: &str) -> Value {
    serde_json::from_str(json).unwrap()
}

#[test]
fn add_and_delete_requests_serialize_as_the_api_expects() {
    let add = RulesRequest::add([("cat has:media", Some("cats")), ("dog", None)]);
    assert_eq!(
        serde_json::to_value(&add).unwrap(),
        json!({"add": [{"value": "cat has:media", "tag": "cats"}, {"value": "dog"}]})
    );
    let delete = RulesRequest::delete_ids(["1273026480692322304"]);
    assert_eq!(
        serde_json::to_value(&delete).unwrap(),
        json!({"delete": {"ids": ["1273026480692322304"]}})
    );
}

#[test]
fn request_bodies_parse_back_into_add_or_delete() {
    let add: RulesRequest = serde_json::from_str(r#"{"add":[{"value":"x","tag":"t"}]}"#).unwrap();
    assert_eq!(add, RulesRequest::add([("x", Some("t"))]));
    let delete: RulesRequest = serde_json::from_str(r#"{"delete":{"ids":["1","2"]}}"#).unwrap();
    assert_eq!(delete, RulesRequest::delete_ids(["1", "2"]));
    assert!(serde_json::from_str::<RulesRequest>(r#"{"remove":[]}"#).is_err());
}

#[test]
fn an_add_response_with_a_duplicate_has_data_summary_and_errors() {
    let created = vec![Rule { id: "2".into(), value: "dog".into(), tag: None }];
    let refused = vec![Problem::duplicate_rule("cat", "1")];
    let body = RulesResponse::added(created, refused, "2020-06-16T22:55:39.356Z").to_json();
    assert_eq!(
        value(&body),
        json!({
            "data": [{"id": "2", "value": "dog"}],
            "meta": {
                "sent": "2020-06-16T22:55:39.356Z",
                "summary": {"created": 1, "not_created": 1, "valid": 1, "invalid": 1}
            },
            "errors": [{
                "value": "cat",
                "id": "1",
                "title": "DuplicateRule",
                "type": "https://api.twitter.com/2/problems/duplicate-rules"
            }]
        })
    );
    assert_eq!(serde_json::from_str::<RulesResponse>(&body).unwrap().to_json(), body);
}

#[test]
fn delete_and_list_responses_carry_their_counts() {
    let deleted = RulesResponse::deleted(1, 0, "t").to_json();
    assert_eq!(
        value(&deleted),
        json!({"meta": {"sent": "t", "summary": {"deleted": 1, "not_deleted": 0}}})
    );
    let empty = RulesResponse::listed(Vec::new(), "t").to_json();
    assert_eq!(value(&empty), json!({"meta": {"sent": "t", "result_count": 0}}));
}

#[test]
fn a_real_looking_list_response_parses() {
    let body = r#"{"data":[{"id":"1273028376882589696","value":"cat has:images","tag":"cat pictures"}],"meta":{"sent":"2020-06-16T23:14:06.498Z","result_count":1}}"#;
    let parsed: RulesResponse = serde_json::from_str(body).unwrap();
    assert_eq!(parsed.meta.result_count, Some(1));
    assert_eq!(parsed.data.unwrap()[0].tag.as_deref(), Some("cat pictures"));
}

#[test]
fn too_many_connections_is_a_connection_exception() {
    let body = value(&Problem::too_many_connections().to_json());
    assert_eq!(body["title"], "ConnectionException");
    assert_eq!(body["connection_issue"], "TooManyConnections");
    assert_eq!(body["type"], "https://api.twitter.com/2/problems/streaming-connection");
    assert!(body["detail"].as_str().unwrap().contains("maximum allowed connection limit"));
}

#[test]
fn operational_disconnect_is_an_errors_line() {
    let line = Problem::operational_disconnect("UpstreamOperationalDisconnect").to_errors_json();
    let body = value(&line);
    assert_eq!(body["errors"][0]["title"], "operational-disconnect");
    assert_eq!(body["errors"][0]["disconnect_type"], "UpstreamOperationalDisconnect");
    assert!(!line.contains('\n') && !line.contains('\r'));
}
