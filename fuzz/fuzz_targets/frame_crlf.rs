//! The framer in crlf mode, fed in fuzzer-chosen chunkings.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    rehose_fuzz::check_framer(rehose::frame::Framing::Crlf, data);
});
