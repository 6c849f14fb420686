//! OAuth 1.0a: the signer (through `oauth1-request`) against published
//! examples and a naive reference written here, and the server's verifier
//! against the signer, including every way a request can be tampered with.

use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha1::Sha1;

use rehose::protocol::oauth::{
    authorization_with, base_string_uri, decode_pairs, encode_pairs, parse_authorization,
    percent_encode, signature_base_string, verify, Credentials, VerifyError, DEFAULT_WINDOW_SECS,
};

const FILTER_URL: &str = "https://stream.twitter.com/1.1/statuses/filter.json";
const NOW: u64 = 1_700_000_000;

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

fn creds() -> Credentials {
    Credentials {
        consumer_key: "xvz1evFS4wEEPTGEFPHBog".into(),
        consumer_secret: "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw".into(),
        token: "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb".into(),
        token_secret: "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE".into(),
    }
}

// --- a naive reference signer, independent of the crate -----------------

fn reference_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn reference_signature(
    method: &str,
    url: &str,
    params: &[(String, String)],
    secrets: (&str, &str),
) -> (String, String) {
    let mut all: Vec<String> = params
        .iter()
        .map(|(k, v)| format!("{}={}", reference_encode(k), reference_encode(v)))
        .collect();
    all.sort();
    let base = format!("{method}&{}&{}", reference_encode(url), reference_encode(&all.join("&")));
    let key = format!("{}&{}", reference_encode(secrets.0), reference_encode(secrets.1));
    let mut mac = Hmac::<Sha1>::new_from_slice(key.as_bytes()).unwrap();
    mac.update(base.as_bytes());
    let signature = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    (base, signature)
}

/// The header's pairs, decoded, by naive splitting.
fn header_pairs(header: &str) -> Vec<(String, String)> {
    let rest = header.strip_prefix("OAuth ").expect("OAuth scheme");
    rest.split(',')
        .map(|item| {
            let (k, v) = item.trim().split_once('=').unwrap();
            let v = v.trim_matches('"');
            let v = percent_encoding::percent_decode_str(v).decode_utf8().unwrap();
            (k.to_string(), v.into_owned())
        })
        .collect()
}

// --- published examples ---------------------------------------------------

#[test]
fn base_string_matches_rfc_5849_section_3_4_1_1() {
    // POST /request?b5=%3D%253D&a3=a&c%40=&a2=r%20b, body c2&a3=2+q.
    let url = "http://EXAMPLE.COM:80/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b";
    let mut params = decode_pairs("b5=%3D%253D&a3=a&c%40=&a2=r%20b");
    params.extend(decode_pairs("c2&a3=2+q"));
    let oauth = pairs(&[
        ("oauth_consumer_key", "9djdj82h48djs9d2"),
        ("oauth_token", "kkk9d7dh3k39sjv7"),
        ("oauth_signature_method", "HMAC-SHA1"),
        ("oauth_timestamp", "137131201"),
        ("oauth_nonce", "7d8f3e4a"),
    ]);
    let base_uri = base_string_uri(url).unwrap();
    assert_eq!(base_uri, "http://example.com/request");
    assert_eq!(
        signature_base_string("post", &base_uri, &params, &oauth),
        "POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q\
         %26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_\
         key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_m\
         ethod%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk\
         9d7dh3k39sjv7"
    );
}

fn photos_credentials() -> Credentials {
    Credentials {
        consumer_key: "dpf43f3p2l4k3l03".into(),
        consumer_secret: "kd94hf93k423kf44".into(),
        token: "nnch734d00sl2jdk".into(),
        token_secret: "pfkkdhi9sl3r4s00".into(),
    }
}

#[test]
fn signer_reproduces_the_oauth_core_photos_example() {
    // OAuth Core 1.0, appendix A.5: the signature is tR3+Ty81lMeYAr/Fid0kMTYa/WM=.
    let params = pairs(&[("file", "vacation.jpg"), ("size", "original")]);
    let header = authorization_with(
        "GET",
        "http://photos.example.net/photos",
        &params,
        &photos_credentials(),
        "kllo9940pd9333jh",
        1191242096,
    );
    assert!(
        header.contains(r#"oauth_signature="tR3%2BTy81lMeYAr%2FFid0kMTYa%2FWM%3D""#),
        "{header}"
    );
    assert!(header.contains(r#"oauth_version="1.0""#), "{header}");

    let mut all = params.clone();
    all.extend(header_pairs(&header).into_iter().filter(|(k, _)| k != "oauth_signature"));
    let (base, signature) = reference_signature(
        "GET",
        "http://photos.example.net/photos",
        &all,
        ("kd94hf93k423kf44", "pfkkdhi9sl3r4s00"),
    );
    assert_eq!(signature, "tR3+Ty81lMeYAr/Fid0kMTYa/WM=");
    assert_eq!(
        base,
        "GET&http%3A%2F%2Fphotos.example.net%2Fphotos&file%3Dvacation.jpg%26oauth_consumer_key\
         %3Ddpf43f3p2l4k3l03%26oauth_nonce%3Dkllo9940pd9333jh%26oauth_signature_method%3DHMAC-SHA1\
         %26oauth_timestamp%3D1191242096%26oauth_token%3Dnnch734d00sl2jdk%26oauth_version%3D1.0\
         %26size%3Doriginal"
    );
}

#[test]
fn verifier_accepts_the_oauth_core_photos_example() {
    let header = r#"OAuth realm="http://photos.example.net/", oauth_consumer_key="dpf43f3p2l4k3l03", oauth_token="nnch734d00sl2jdk", oauth_signature_method="HMAC-SHA1", oauth_signature="tR3%2BTy81lMeYAr%2FFid0kMTYa%2FWM%3D", oauth_timestamp="1191242096", oauth_nonce="kllo9940pd9333jh", oauth_version="1.0""#;
    let params = decode_pairs("file=vacation.jpg&size=original");
    let identity = verify(
        "GET",
        "http://photos.example.net/photos?file=vacation.jpg&size=original",
        &params,
        Some(header),
        &photos_credentials(),
        1191242096 + 10,
        DEFAULT_WINDOW_SECS,
    )
    .unwrap();
    assert_eq!(identity.consumer_key, "dpf43f3p2l4k3l03");
    assert_eq!(identity.token.as_deref(), Some("nnch734d00sl2jdk"));
}

// --- encoding ---------------------------------------------------------------

#[test]
fn percent_encoding_follows_rfc_5849() {
    assert_eq!(percent_encode("a b"), "a%20b");
    assert_eq!(percent_encode("!*'(),#"), "%21%2A%27%28%29%2C%23");
    assert_eq!(percent_encode("café"), "caf%C3%A9");
    assert_eq!(percent_encode("AZaz09-._~"), "AZaz09-._~");
    assert_eq!(percent_encode("+&=%/"), "%2B%26%3D%25%2F");
}

#[test]
fn encoded_pairs_decode_to_the_same_pairs() {
    let original = pairs(&[("track", "don't stop!*,café,#tag"), ("locations", "-1.5,2,3,4")]);
    let body = encode_pairs(&original);
    assert_eq!(body, "track=don%27t%20stop%21%2A%2Ccaf%C3%A9%2C%23tag&locations=-1.5%2C2%2C3%2C4");
    assert_eq!(decode_pairs(&body), original);
}

// --- sign, send, verify -----------------------------------------------------

/// Track and locations values a user would type.
const CASES: &[(&str, &str)] = &[
    ("track", "hello world"),
    ("track", "don't stop!*"),
    ("track", "#hashtag"),
    ("track", "café"),
    ("track", "rust lang,tokio,hyper http"),
    ("locations", "-122.75,36.8,-121.75,37.8"),
];

fn signed_post(params: &[(String, String)]) -> (String, String) {
    let header = authorization_with("POST", FILTER_URL, params, &creds(), "n0nce", NOW);
    (header, encode_pairs(params))
}

fn check(
    method: &str,
    url: &str,
    body: &str,
    header: &str,
    secrets: &Credentials,
) -> Result<(), VerifyError> {
    verify(method, url, &decode_pairs(body), Some(header), secrets, NOW, DEFAULT_WINDOW_SECS)
        .map(|_| ())
}

#[test]
fn signer_agrees_with_the_reference_for_every_case() {
    for (name, value) in CASES {
        let params = pairs(&[(name, value), ("stall_warnings", "true")]);
        let (header, _) = signed_post(&params);
        let mut all = params.clone();
        all.extend(header_pairs(&header).into_iter().filter(|(k, _)| k != "oauth_signature"));
        let c = creds();
        let (_, expected) =
            reference_signature("POST", FILTER_URL, &all, (&c.consumer_secret, &c.token_secret));
        let given = header_pairs(&header)
            .into_iter()
            .find(|(k, _)| k == "oauth_signature")
            .map(|(_, v)| v)
            .unwrap();
        assert_eq!(given, expected, "{name}={value}");
    }
}

#[test]
fn verifier_accepts_every_signed_case() {
    for (name, value) in CASES {
        let (header, body) = signed_post(&pairs(&[(name, value)]));
        check("POST", FILTER_URL, &body, &header, &creds())
            .unwrap_or_else(|e| panic!("{name}={value}: {e}"));
    }
}

#[test]
fn verifier_accepts_a_signed_get_with_a_query() {
    let url = "https://stream.twitter.com/1.1/statuses/sample.json";
    let params = pairs(&[("stall_warnings", "true"), ("delimited", "length")]);
    let header = authorization_with("GET", url, &params, &creds(), "abc", NOW);
    let full = format!("{url}?{}", encode_pairs(&params));
    let query = full.split_once('?').unwrap().1;
    check("GET", &full, query, &header, &creds()).unwrap();
}

#[test]
fn a_changed_parameter_byte_is_a_signature_mismatch() {
    for (name, value) in CASES {
        let (header, body) = signed_post(&pairs(&[(name, value)]));
        // One byte of the value, as the server decodes it.
        let mut value = value.to_string();
        value.replace_range(..1, "X");
        let tampered = encode_pairs(&pairs(&[(name, &value)]));
        assert_ne!(tampered, body);
        match check("POST", FILTER_URL, &tampered, &header, &creds()) {
            Err(VerifyError::SignatureMismatch { base_string }) => {
                assert!(base_string.starts_with("POST&https%3A%2F%2Fstream.twitter.com"));
            }
            other => panic!("{name}={value}: {other:?}"),
        }
    }
}

#[test]
fn a_changed_method_url_or_secret_is_a_signature_mismatch() {
    let (header, body) = signed_post(&pairs(&[("track", "café")]));
    let mut wrong_secret = creds();
    wrong_secret.token_secret.push('x');
    let attempts = [
        check("GET", FILTER_URL, &body, &header, &creds()),
        check("POST", &FILTER_URL.replace("filter", "filtfr"), &body, &header, &creds()),
        check("POST", &FILTER_URL.replace("https", "http"), &body, &header, &creds()),
        check("POST", FILTER_URL, &body, &header, &wrong_secret),
    ];
    for result in attempts {
        assert!(matches!(result, Err(VerifyError::SignatureMismatch { .. })), "{result:?}");
    }
}

#[test]
fn unknown_keys_and_tokens_are_named() {
    let (header, body) = signed_post(&pairs(&[("track", "x")]));
    let mut other = creds();
    other.consumer_key = "someone-else".into();
    assert_eq!(
        check("POST", FILTER_URL, &body, &header, &other),
        Err(VerifyError::UnknownConsumerKey(creds().consumer_key))
    );
    let mut other = creds();
    other.token = "another-token".into();
    assert_eq!(
        check("POST", FILTER_URL, &body, &header, &other),
        Err(VerifyError::UnknownToken(creds().token))
    );
}

#[test]
fn a_timestamp_outside_the_window_is_refused_and_inside_accepted() {
    let params = pairs(&[("track", "x")]);
    let body = encode_pairs(&params);
    let early = authorization_with("POST", FILTER_URL, &params, &creds(), "n", NOW - 301);
    assert_eq!(
        check("POST", FILTER_URL, &body, &early, &creds()),
        Err(VerifyError::TimestampOutOfWindow { timestamp: NOW - 301, now: NOW, window: 300 })
    );
    let late = authorization_with("POST", FILTER_URL, &params, &creds(), "n", NOW + 300);
    check("POST", FILTER_URL, &body, &late, &creds()).unwrap();
}

#[test]
fn missing_and_malformed_headers_are_refused() {
    let creds = creds();
    let verify_header = |header: Option<&str>| {
        verify("POST", FILTER_URL, &[], header, &creds, NOW, DEFAULT_WINDOW_SECS)
    };
    assert_eq!(verify_header(None), Err(VerifyError::MissingHeader));
    assert!(matches!(verify_header(Some("Bearer abc")), Err(VerifyError::MalformedHeader(_))));
    assert!(matches!(
        verify_header(Some(r#"OAuth oauth_consumer_key=abc"#)),
        Err(VerifyError::MalformedHeader(_))
    ));
    assert_eq!(
        verify_header(Some(r#"OAuth oauth_consumer_key="abc""#)),
        Err(VerifyError::MissingParameter("oauth_timestamp"))
    );
}

#[test]
fn parsed_header_holds_every_protocol_parameter() {
    let header = authorization_with("POST", FILTER_URL, &[], &creds(), "a b+c", NOW);
    let parsed = parse_authorization(&header).unwrap();
    assert_eq!(parsed.consumer_key, creds().consumer_key);
    assert_eq!(parsed.token, Some(creds().token));
    assert_eq!(parsed.nonce, "a b+c");
    assert_eq!(parsed.timestamp, NOW);
    assert_eq!(parsed.signature_method, "HMAC-SHA1");
    assert_eq!(parsed.version.as_deref(), Some("1.0"));
    assert!(!parsed.signature.is_empty());
}
