//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

/// The folder of real captures, beside the checkout.
pub fn captures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/captures")
}

/// Reads a capture from `../shared/captures/`. Returns `None` (and says so)
/// when the folder is missing, unless `REHOSE_REQUIRE_CAPTURES` is set, as
/// CI sets it, in which case a missing capture fails the test.
pub fn capture(name: &str) -> Option<Vec<u8>> {
    let path = captures_dir().join(name);
    match std::fs::read(&path) {
        Ok(bytes) => Some(bytes),
        Err(err) => {
            if std::env::var_os("REHOSE_REQUIRE_CAPTURES").is_some() {
                panic!("{}: {err} (REHOSE_REQUIRE_CAPTURES is set)", path.display());
            }
            eprintln!("skipping: {}: {err}", path.display());
            None
        }
    }
}

/// The three captures and their message counts by kind, as their README
/// gives them.
pub const CAPTURES: &[(&str, &[(&str, usize)])] = &[
    ("v1-filter-locations-2016.crlf", &[("status", 491), ("limit", 9)]),
    ("v1-sample-2015.crlf", &[("status", 874), ("delete", 122)]),
    ("v2-filtered-2021.crlf", &[("tweet", 8), ("operational_disconnect", 1)]),
];
