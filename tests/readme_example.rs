//! The README's example of the mock server in a Rust test, kept compiling
//! and passing.

use futures_util::StreamExt;
use rehose::client::{Client, Event};
use rehose::fixture::bundled;
use rehose::protocol::{Credentials, StreamRequest};
use rehose::server::{MockServer, Speed};

#[tokio::test]
async fn my_client_reads_the_sample_stream() {
    let server = MockServer::builder()
        .fixture(bundled::default_fixture().unwrap())
        .speed(Speed::Max)
        .start()
        .await
        .unwrap();

    // Point the client under test at server.uri(); here, rehose's own.
    let client = Client::builder()
        .base_url(server.uri())
        .request(StreamRequest::V1Sample)
        .credentials(Credentials {
            consumer_key: "key".into(),
            consumer_secret: "secret".into(),
            token: "token".into(),
            token_secret: "token-secret".into(),
        })
        .build()
        .unwrap();
    let mut events = client.stream();
    let mut first = None;
    while let Some(event) = events.next().await {
        if let Event::Message(message) = event {
            first = Some(message);
            break;
        }
    }
    let first = first.expect("a message");
    assert_eq!(first.kind().name(), "status");

    // What did the client ask for, and when?
    let journal = server.journal();
    assert_eq!(journal[0].path, "/1.1/statuses/sample.json");
}
