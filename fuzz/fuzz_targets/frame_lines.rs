//! The framer in lines mode, fed in fuzzer-chosen chunkings.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    rehose_fuzz::check_framer(rehose::frame::Framing::Lines, data);
});
