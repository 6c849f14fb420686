//! The fixtures embedded in the library are the files in `fixtures/`, and
//! they parse.

use rehose::fixture::{bundled, Fixture};

#[test]
fn every_embedded_fixture_parses_and_matches_its_file() {
    for (name, bytes) in bundled::ALL {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures").join(name);
        let on_disk = std::fs::read(&path).unwrap();
        assert_eq!(&on_disk[..], *bytes, "{name} differs from {}", path.display());
        let fixture = Fixture::parse(bytes).unwrap();
        assert!(fixture.message_count() > 0, "{name} has no message");
    }
}

#[test]
fn fixtures_are_found_by_name_with_or_without_extension() {
    assert!(bundled::by_name("v2-filtered").is_some());
    assert!(bundled::by_name("v1-sample.fixture").is_some());
    assert!(bundled::by_name("nope").is_none());
    assert_eq!(bundled::default_fixture().unwrap(), Fixture::parse(bundled::DEFAULT).unwrap());
}
