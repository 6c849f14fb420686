//! The fixture reader on arbitrary text, and its writer round trip.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    rehose_fuzz::check_fixture(data);
});
