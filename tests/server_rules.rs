//! The v2 rules store: add, list, delete, duplicates, invalid rules, dry
//! runs, and the HTTP-level answers of the rules endpoint.

use std::time::{Duration, UNIX_EPOCH};

use rehose::protocol::rules::{DeleteSelector, NewRule};
use rehose::protocol::RulesResponse;
use rehose::server::RulesStore;
use serde_json::{json, Value};

const SENT: &str = "2021-04-01T15:52:31.000Z";

fn new(value: &str, tag: Option<&str>) -> NewRule {
    NewRule { value: value.to_owned(), tag: tag.map(str::to_owned) }
}

fn ids(response: &RulesResponse) -> Vec<String> {
    response.data.iter().flatten().map(|r| r.id.clone()).collect()
}

#[test]
fn added_rules_get_digit_ids_and_are_listed_per_token() {
    let store = RulesStore::new();
    let added = store.add("a", &[new("cat", Some("cats")), new("dog", None)], false, SENT);
    let created = ids(&added);
    assert_eq!(created.len(), 2);
    assert!(created.iter().all(|id| id.len() >= 10 && id.bytes().all(|b| b.is_ascii_digit())));
    assert_ne!(created[0], created[1]);
    let summary = added.meta.summary.clone().unwrap();
    assert_eq!((summary.created, summary.not_created), (Some(2), Some(0)));

    let listed = store.list("a", None, SENT);
    assert_eq!(ids(&listed), created);
    assert_eq!(listed.meta.result_count, Some(2));
    assert_eq!(listed.data.unwrap()[0].tag.as_deref(), Some("cats"));
    let one = store.list("a", Some(&created[1..]), SENT);
    assert_eq!(ids(&one), created[1..]);
    assert_eq!(store.list("b", None, SENT).meta.result_count, Some(0));
}

#[test]
fn a_duplicate_rule_is_refused_naming_the_stored_one_and_the_rest_are_created() {
    let store = RulesStore::new();
    let first = ids(&store.add("a", &[new("cat", None)], false, SENT));
    let second = store.add("a", &[new("cat", Some("again")), new("bird", None)], false, SENT);
    assert_eq!(ids(&second).len(), 1);
    assert_eq!(second.errors.len(), 1);
    assert_eq!(second.errors[0].title, "DuplicateRule");
    assert_eq!(second.errors[0].id.as_deref(), Some(first[0].as_str()));
    assert_eq!(second.meta.summary.clone().unwrap().not_created, Some(1));
    assert_eq!(store.rules("a").len(), 2);
}

#[test]
fn an_invalid_rule_fails_the_whole_add_with_its_reason() {
    let store = RulesStore::new();
    let response = store.add("a", &[new("cat", None), new("(dog", None)], false, SENT);
    assert!(response.data.is_none());
    assert_eq!(response.errors.len(), 1);
    assert_eq!(response.errors[0].value.as_deref(), Some("(dog"));
    assert_eq!(response.errors[0].details, ["Missing closing parenthesis (at position 1)"]);
    let summary = response.meta.summary.unwrap();
    assert_eq!(
        (summary.created, summary.not_created, summary.valid, summary.invalid),
        (Some(0), Some(2), Some(1), Some(1))
    );
    assert!(store.rules("a").is_empty());
}

#[test]
fn dry_runs_check_without_storing() {
    let store = RulesStore::new();
    let response = store.add("a", &[new("cat", None)], true, SENT);
    assert_eq!(ids(&response).len(), 1);
    assert!(store.rules("a").is_empty());
    let id = ids(&store.add("a", &[new("cat", None)], false, SENT)).remove(0);
    let selector = DeleteSelector { ids: vec![id], values: Vec::new() };
    let deleted = store.delete("a", &selector, true, SENT);
    assert_eq!(deleted.meta.summary.unwrap().deleted, Some(1));
    assert_eq!(store.rules("a").len(), 1);
}

#[test]
fn deleting_counts_unknown_ids_as_not_deleted() {
    let store = RulesStore::new();
    let created = ids(&store.add("a", &[new("cat", None), new("dog", None)], false, SENT));
    let selector =
        DeleteSelector { ids: vec![created[0].clone(), "123".to_owned()], values: vec![] };
    let summary = store.delete("a", &selector, false, SENT).meta.summary.unwrap();
    assert_eq!((summary.deleted, summary.not_deleted), (Some(1), Some(1)));
    assert_eq!(ids(&store.list("a", None, SENT)), created[1..]);
    // Another token's rules are not reachable.
    let selector = DeleteSelector { ids: vec![created[1].clone()], values: vec![] };
    assert_eq!(store.delete("b", &selector, false, SENT).meta.summary.unwrap().deleted, Some(0));
}

#[test]
fn the_rules_endpoint_answers_like_the_service() {
    let store = RulesStore::new();
    let now = UNIX_EPOCH + Duration::from_millis(1_617_292_351_250);
    let add = json!({"add": [{"value": "cat has:links", "tag": "cats"}]}).to_string();

    let outcome = store.handle("t", "POST", "dry_run=true", add.as_bytes(), now);
    assert_eq!(outcome.status, 200);
    assert!(store.rules("t").is_empty());

    let outcome = store.handle("t", "POST", "", add.as_bytes(), now);
    assert_eq!(outcome.status, 201);
    let body: Value = serde_json::from_str(&outcome.body).unwrap();
    assert_eq!(body["meta"]["sent"], "2021-04-01T15:52:31.250Z");
    assert_eq!(body["meta"]["summary"]["created"], 1);
    assert_eq!(body["data"][0]["tag"], "cats");
    let id = body["data"][0]["id"].as_str().unwrap().to_owned();

    let listed = store.handle("t", "GET", &format!("ids={id}"), b"", now);
    let body: Value = serde_json::from_str(&listed.body).unwrap();
    assert_eq!((listed.status, body["data"][0]["value"].clone()), (200, json!("cat has:links")));

    let delete = json!({"delete": {"ids": [id]}}).to_string();
    let outcome = store.handle("t", "POST", "", delete.as_bytes(), now);
    let body: Value = serde_json::from_str(&outcome.body).unwrap();
    assert_eq!((outcome.status, body["meta"]["summary"]["deleted"].clone()), (200, json!(1)));

    let outcome = store.handle("t", "POST", "", b"{\"nonsense\":1}", now);
    assert_eq!(outcome.status, 400);
    let body: Value = serde_json::from_str(&outcome.body).unwrap();
    assert_eq!(body["title"], "Invalid Request");
}
