//! A recording stopped at any moment stays a readable fixture: cut files,
//! a dropped recorder, a shutdown signal, limits and a full disk.

mod record_support;

use std::io::{self, Write};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use record_support::{bundled, config, messages, serve};
use rehose::fixture::{End, Fixture};
use rehose::protocol::StreamRequest;
use rehose::record::{record, record_to, RecordError, Stop};
use rehose::server::{MockServer, Speed};

#[tokio::test(start_paused = true)]
async fn a_file_cut_anywhere_reads_as_a_prefix_and_replays_what_it_holds() {
    let fixture = bundled("v1-sample.fixture");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("full.fixture");
    let server = serve(fixture.clone()).await;
    let mut first = config(&server, StreamRequest::V1Sample, &path);
    first.max_messages = Some(40);
    record(first, std::future::pending()).await.unwrap();
    let bytes = std::fs::read(&path).unwrap();
    let all = messages(&Fixture::parse(&bytes).unwrap());
    assert_eq!(all.len(), 40);

    // Every cut point 37 bytes apart, which lands inside chunk lines,
    // head lines and line ends alike.
    let mut last = 0;
    for cut in (60..bytes.len()).step_by(37) {
        let cut_fixture = Fixture::parse(&bytes[..cut])
            .unwrap_or_else(|err| panic!("cut at {cut} does not read: {err}"));
        let got = messages(&cut_fixture);
        assert!(got.len() >= last, "cut at {cut} lost messages");
        assert_eq!(got[..], all[..got.len()], "cut at {cut} is not a prefix");
        last = got.len();
        if let Some(connection) = cut_fixture.connections.last() {
            assert_eq!(connection.end, End::Interrupted, "cut at {cut}");
        }
    }

    // A cut recording replays what it holds.
    let cut = &bytes[..bytes.len() * 2 / 3];
    let cut_fixture = Fixture::parse(cut).unwrap();
    let held = messages(&cut_fixture);
    assert!(held.len() > 10);
    let server =
        MockServer::builder().fixture(cut_fixture).speed(Speed::Max).start().await.unwrap();
    let mut again = config(&server, StreamRequest::V1Sample, &dir.path().join("again.fixture"));
    again.max_messages = Some(held.len() as u64);
    let (_, replayed) = record_support::record_fixture(again).await;
    assert_eq!(messages(&replayed), held);
}

#[tokio::test(start_paused = true)]
async fn a_recorder_dropped_mid_stream_leaves_a_readable_interrupted_fixture() {
    let fixture = bundled("v1-sample.fixture");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dropped.fixture");
    let server = serve(fixture.clone()).await;
    let recording = record(config(&server, StreamRequest::V1Sample, &path), std::future::pending());
    let outcome = tokio::time::timeout(Duration::from_secs(30), recording).await;
    assert!(outcome.is_err(), "the recording should still have been running");

    let recorded = Fixture::read(&path).unwrap();
    assert_eq!(recorded.connections.len(), 1);
    assert_eq!(recorded.connections[0].end, End::Interrupted);
    let got = messages(&recorded);
    let all = messages(&fixture);
    assert!(!got.is_empty() && got.len() < all.len());
    assert_eq!(got[..], all[..got.len()]);
}

#[tokio::test(start_paused = true)]
async fn a_shutdown_signal_ends_the_open_connection_as_interrupted() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("signal.fixture");
    let server = serve(bundled("v1-sample.fixture")).await;
    let config = config(&server, StreamRequest::V1Sample, &path);
    let report = record(config, tokio::time::sleep(Duration::from_secs(20))).await.unwrap();

    assert_eq!(report.stop, Stop::Shutdown);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.ends_with("end interrupted\n"), "the end line is written");
    assert!(report.counts.messages > 0);
    assert_eq!(
        messages(&Fixture::parse(text.as_bytes()).unwrap()).len() as u64,
        report.counts.messages
    );
}

#[tokio::test(start_paused = true)]
async fn duration_and_byte_limits_stop_with_the_connection_left_open() {
    let dir = tempfile::tempdir().unwrap();
    let server = serve(bundled("v1-sample.fixture")).await;

    let mut timed = config(&server, StreamRequest::V1Sample, &dir.path().join("timed.fixture"));
    timed.duration = Some(Duration::from_secs(15));
    let (report, recorded) = record_support::record_fixture(timed).await;
    assert_eq!(report.stop, Stop::Duration);
    assert_eq!(recorded.connections[0].end, End::Open);
    assert!(recorded.connections[0].duration() <= Duration::from_secs(15));

    let server = serve(bundled("v1-sample.fixture")).await;
    let mut sized = config(&server, StreamRequest::V1Sample, &dir.path().join("sized.fixture"));
    sized.max_bytes = Some(10_000);
    let (report, recorded) = record_support::record_fixture(sized).await;
    assert_eq!(report.stop, Stop::MaxBytes);
    let body = recorded.connections[0].body().len();
    assert!((10_000..20_000).contains(&body), "{body} bytes");
}

/// A writer that fails with "no space left" after `room` bytes.
#[derive(Clone)]
struct SmallDisk {
    written: Arc<Mutex<Vec<u8>>>,
    room: usize,
}

impl Write for SmallDisk {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut written = self.written.lock().unwrap();
        let left = self.room.saturating_sub(written.len());
        if left == 0 {
            return Err(io::Error::from_raw_os_error(28)); // ENOSPC
        }
        let n = left.min(buf.len());
        written.extend_from_slice(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[tokio::test(start_paused = true)]
async fn a_full_disk_stops_the_recording_with_an_error_naming_the_file() {
    let server = serve(bundled("v1-sample.fixture")).await;
    let disk = SmallDisk { written: Arc::default(), room: 20_000 };
    let config = config(&server, StreamRequest::V1Sample, "/recordings/full.fixture".as_ref());
    let err = record_to(config, disk.clone(), std::future::pending()).await.unwrap_err();

    assert!(matches!(err, RecordError::Write { .. }), "{err:?}");
    let message = err.to_string();
    assert!(message.contains("/recordings/full.fixture"), "{message}");
    let written = disk.written.lock().unwrap().clone();
    assert_eq!(written.len(), 20_000);
    let recorded = Fixture::parse(&written).expect("what was written reads");
    assert_eq!(recorded.connections[0].end, End::Interrupted);
    assert!(!messages(&recorded).is_empty());
}

#[tokio::test]
async fn a_device_that_is_always_full_fails_at_once_naming_it() {
    if !std::path::Path::new("/dev/full").exists() {
        return;
    }
    let server = serve(bundled("v1-sample.fixture")).await;
    let config = config(&server, StreamRequest::V1Sample, "/dev/full".as_ref());
    let err = record(config, std::future::pending()).await.unwrap_err();
    assert!(err.to_string().starts_with("cannot write /dev/full: "), "{err}");
}
