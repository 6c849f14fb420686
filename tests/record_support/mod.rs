//! Helpers for the recorder's tests: record from a mock server, compare a
//! recording with what was served.
#![allow(dead_code)]

use std::path::Path;
use std::time::Duration;

use rehose::fixture::{Connection, Fixture};
use rehose::protocol::StreamRequest;
use rehose::record::{record, Auth, RecordConfig, RecordReport};
use rehose::server::{MockServer, Speed};

/// A bundled fixture by file name.
pub fn bundled(name: &str) -> Fixture {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures").join(name);
    Fixture::read(path).expect("bundled fixture")
}

/// A mock server replaying `fixture` in real (paused-clock) time, with
/// only the recorded keep-alives.
pub async fn serve(fixture: Fixture) -> MockServer {
    MockServer::builder()
        .fixture(fixture)
        .speed(Speed::Factor(1.0))
        .keep_alive(Duration::ZERO)
        .start()
        .await
        .expect("mock server")
}

/// A recording config for `request` against `server`, quiet, with a bearer
/// token so that the server follows this client across reconnects.
pub fn config(server: &MockServer, request: StreamRequest, output: &Path) -> RecordConfig {
    let mut config = RecordConfig::new(request, output);
    config.base_url = Some(server.uri());
    config.auth = Auth::Bearer("test-bearer-token".into());
    config.progress = false;
    config
}

/// Records with `config` until it stops by itself; returns the report and
/// the fixture read back.
pub async fn record_fixture(config: RecordConfig) -> (RecordReport, Fixture) {
    let output = config.output.clone();
    let report = record(config, std::future::pending()).await.expect("recording");
    let fixture = Fixture::read(&output).expect("recorded fixture reads back");
    (report, fixture)
}

/// Asserts that `recorded` received the chunks of `served` (a prefix of
/// them, the recording having stopped at a limit), byte for byte, with the
/// same boundaries and times within `tolerance`.
pub fn assert_same_chunks(served: &Connection, recorded: &Connection, tolerance: Duration) {
    assert_eq!(recorded.framing, served.framing);
    assert_eq!(recorded.response.status, served.response.status);
    assert!(!recorded.chunks.is_empty() || served.chunks.is_empty(), "nothing recorded");
    assert!(
        recorded.chunks.len() <= served.chunks.len(),
        "{} chunks recorded, {} served",
        recorded.chunks.len(),
        served.chunks.len()
    );
    for (i, (got, want)) in recorded.chunks.iter().zip(&served.chunks).enumerate() {
        assert_eq!(got.data, want.data, "chunk {i} differs");
        let drift = got.at.abs_diff(want.at);
        assert!(drift <= tolerance, "chunk {i} at {:?}, served at {:?}", got.at, want.at);
    }
}

/// The messages of every connection, in order.
pub fn messages(fixture: &Fixture) -> Vec<bytes::Bytes> {
    fixture.connections.iter().flat_map(|c| c.messages()).map(|(_, m)| m).collect()
}
