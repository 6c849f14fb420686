//! Inputs the fuzzers found, kept as tests named for the behaviour they
//! guard.

use rehose::fixture::Fixture;

#[test]
fn a_meta_key_with_control_bytes_is_refused_so_reading_and_writing_agree() {
    let text = b"rehose-fixture 1\nmeta reg\x10\0\0 cargo xtask fixtures\n";
    let err = Fixture::parse(text).unwrap_err();
    assert_eq!(err.line(), Some(2), "{err}");
    assert!(err.to_string().contains("meta key"), "{err}");
}

#[test]
fn a_header_name_with_a_control_byte_is_refused() {
    let text = b"rehose-fixture 1\n\nconnection 1\nrequest GET /\nrequest-header X\x01Y: z\n";
    let err = Fixture::parse(text).unwrap_err();
    assert_eq!(err.line(), Some(5), "{err}");
}

#[test]
fn whatever_parses_writes_back_to_the_same_fixture() {
    let bundled = rehose::fixture::bundled::DEFAULT;
    let fixture = Fixture::parse(bundled).unwrap();
    assert_eq!(Fixture::parse(&fixture.to_bytes()).unwrap(), fixture);
}
