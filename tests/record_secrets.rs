//! No credential, token, signature or nonce reaches a recorded file, from
//! the recorder or through the proxy.

mod record_support;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use record_support::{bundled, config, serve};
use rehose::fixture::Fixture;
use rehose::protocol::oauth::{self, parse_authorization};
use rehose::protocol::{Credentials, StreamRequest};
use rehose::record::{record, Auth, ProxyConfig, ProxyServer};

fn credentials() -> Credentials {
    Credentials {
        consumer_key: "ckey-AAAA1111".into(),
        consumer_secret: "csecret-BBBB2222".into(),
        token: "token-CCCC3333".into(),
        token_secret: "tsecret-DDDD4444".into(),
    }
}

fn assert_absent(file: &[u8], secrets: &[&str]) {
    let text = String::from_utf8_lossy(file);
    for secret in secrets {
        assert!(!secret.is_empty());
        assert!(!text.contains(secret), "{secret:?} is in the recording:\n{text:.2000}");
        let encoded = oauth::percent_encode(secret);
        assert!(!text.contains(&encoded), "{encoded:?} is in the recording");
    }
}

#[tokio::test(start_paused = true)]
async fn the_recorder_writes_no_oauth_credentials_or_bearer_token() {
    let dir = tempfile::tempdir().unwrap();
    let server = serve(bundled("v1-sample.fixture")).await;
    let c = credentials();

    let oauth_path = dir.path().join("oauth.fixture");
    let mut signed = config(&server, StreamRequest::V1Sample, &oauth_path);
    signed.auth = Auth::OAuth1(c.clone());
    signed.max_messages = Some(5);
    record(signed, std::future::pending()).await.unwrap();

    let server = serve(bundled("v1-sample.fixture")).await;
    let bearer_path = dir.path().join("bearer.fixture");
    let mut bearer = config(&server, StreamRequest::V1Sample, &bearer_path);
    bearer.auth = Auth::Bearer("bearer-EEEE5555".into());
    bearer.max_messages = Some(5);
    record(bearer, std::future::pending()).await.unwrap();

    for path in [&oauth_path, &bearer_path] {
        let file = std::fs::read(path).unwrap();
        assert_absent(
            &file,
            &[
                &c.consumer_key,
                &c.consumer_secret,
                &c.token,
                &c.token_secret,
                "bearer-EEEE5555",
                "oauth_",
                "Authorization",
            ],
        );
        // The requests were still recorded, just without their secrets.
        let fixture = Fixture::parse(&file).unwrap();
        assert_eq!(fixture.connections[0].request.target, "/1.1/statuses/sample.json");
        assert!(fixture.connections[0].request.headers.iter().any(|(n, _)| n == "User-Agent"));
    }
}

#[tokio::test(start_paused = true)]
async fn the_proxy_writes_no_signature_nonce_token_cookie_or_redacted_header() {
    let server = serve(bundled("v1-filter.fixture")).await;
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("proxy.fixture");
    let mut proxy_config =
        ProxyConfig::new(server.uri().parse().unwrap(), "127.0.0.1:0".parse().unwrap(), &output);
    proxy_config.redact = vec!["X-Api-Key".into(), "session".into()];
    let proxy = ProxyServer::bind(proxy_config).await.unwrap();
    let addr = proxy.addr();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let proxy = tokio::spawn(proxy.serve(async move {
        let _ = stopped.await;
    }));

    // A v1.1 filter signed with a known nonce, the OAuth parameters also
    // in the query and the form (as some clients send them).
    let c = credentials();
    let url = "http://stream.twitter.com/1.1/statuses/filter.json";
    let form = vec![
        ("track".to_owned(), "rust".to_owned()),
        ("delimited".to_owned(), "length".to_owned()),
    ];
    let header = oauth::authorization_with("POST", url, &form, &c, "nonce-FFFF6666", 1_600_000_000);
    let signature = parse_authorization(&header).unwrap().signature;
    let body = format!(
        "track=rust&delimited=length&oauth_signature={}&oauth_nonce=nonce-FFFF6666",
        oauth::percent_encode(&signature)
    );
    let target = format!(
        "http://{addr}/1.1/statuses/filter.json?session=sess-GGGG7777&oauth_token={}&access_token=at-HHHH8888",
        c.token
    );
    let request = hyper::Request::post(target)
        .header("Authorization", &header)
        .header("Proxy-Authorization", "Basic cHJveHk6cGFzcy1JSUlJOTk5OQ==")
        .header("X-Api-Key", "apikey-JJJJ0000")
        .header("Cookie", "sid=cookie-KKKK1111")
        .header("X-Forwarded-Token", "Bearer fwd-LLLL2222")
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(Full::new(Bytes::from(body)))
        .unwrap();
    let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    let response = client.request(request).await.unwrap();
    assert_eq!(response.status(), 200);
    let mut body = response.into_body();
    for _ in 0..5 {
        body.frame().await.unwrap().unwrap();
    }
    drop(body);
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    stop.send(()).unwrap();
    proxy.await.unwrap().unwrap();

    let file = std::fs::read(&output).unwrap();
    assert_absent(
        &file,
        &[
            &signature,
            "nonce-FFFF6666",
            &c.consumer_key,
            &c.token,
            "sess-GGGG7777",
            "at-HHHH8888",
            "cHJveHk6cGFzcy1JSUlJOTk5OQ",
            "apikey-JJJJ0000",
            "cookie-KKKK1111",
            "fwd-LLLL2222",
            "oauth_",
        ],
    );
    let fixture = Fixture::parse(&file).unwrap();
    let request = &fixture.connections[0].request;
    assert_eq!(request.target, "/1.1/statuses/filter.json");
    assert_eq!(&request.body[..], b"track=rust&delimited=length");
}
