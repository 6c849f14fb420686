//! Anonymized recordings keep every chunk's size and time, stay valid
//! JSON, hide the users and are the same for the same seed.

mod record_support;

use record_support::{bundled, config, messages, record_fixture, serve};
use rehose::fixture::Fixture;
use rehose::protocol::StreamRequest;

async fn anonymized(seed: u64, name: &str) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let server = serve(bundled("v1-sample.fixture")).await;
    let mut config = config(&server, StreamRequest::V1Sample, &dir.path().join(name));
    config.max_messages = Some(60);
    config.anonymize = Some(seed);
    record_fixture(config).await.1
}

fn screen_names(fixture: &Fixture) -> Vec<String> {
    messages(fixture)
        .iter()
        .filter_map(|m| serde_json::from_slice::<serde_json::Value>(m).ok())
        .filter_map(|v| v["user"]["screen_name"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test(start_paused = true)]
async fn anonymized_recordings_keep_chunk_sizes_and_times_and_replace_users() {
    let original = bundled("v1-sample.fixture");
    let first = anonymized(11, "a.fixture").await;
    let served = &original.connections[0];
    let got = &first.connections[0];
    for (i, (a, b)) in got.chunks.iter().zip(&served.chunks).enumerate() {
        assert_eq!(a.data.len(), b.data.len(), "chunk {i}");
        assert!(a.at.abs_diff(b.at) < std::time::Duration::from_millis(20), "chunk {i}");
    }
    let recorded = messages(&first);
    assert_eq!(recorded.len(), 60);
    for message in &recorded {
        serde_json::from_slice::<serde_json::Value>(message).expect("still json");
    }
    let before = screen_names(&original);
    let after = screen_names(&first);
    assert!(!after.is_empty());
    for (a, b) in after.iter().zip(&before) {
        assert_ne!(a, b);
        assert_eq!(a.len(), b.len());
    }

    assert_eq!(messages(&anonymized(11, "b.fixture").await), recorded, "same seed, same file");
    assert_ne!(messages(&anonymized(12, "c.fixture").await), recorded);
}
