//! The classifier on arbitrary payloads, checked against serde_json.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    rehose_fuzz::check_classify(data);
});
