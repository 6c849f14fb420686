//! Classification speed over the real captures, against full parses.
//!
//! `classify` (kind and ids) versus `serde_json::from_slice` into a
//! `Value` (a full tree) and into `IgnoredAny` (a full validating parse
//! that builds nothing). Run with `cargo bench --bench classify`.
//! `REHOSE_BENCH_QUICK=1` (set by `cargo xtask bench --quick`) keeps only
//! the sample capture.

use bytes::Bytes;
use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use rehose::message::classify;

const CAPTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/captures/");
const NAMES: [&str; 3] =
    ["v1-filter-locations-2016.crlf", "v1-sample-2015.crlf", "v2-filtered-2021.crlf"];

/// The messages of a capture, each without its `\r\n`.
fn messages(name: &str) -> Option<Vec<Bytes>> {
    let bytes = Bytes::from(std::fs::read(format!("{CAPTURES}{name}")).ok()?);
    let mut out = Vec::new();
    let mut start = 0;
    for end in memchr::memmem::find_iter(&bytes, b"\r\n") {
        out.push(bytes.slice(start..end));
        start = end + 2;
    }
    Some(out)
}

fn quick() -> bool {
    std::env::var_os("REHOSE_BENCH_QUICK").is_some_and(|v| v != "0")
}

fn bench(c: &mut Criterion) {
    for name in NAMES {
        if quick() && name != "v1-sample-2015.crlf" {
            continue;
        }
        let Some(messages) = messages(name) else {
            eprintln!("skipping {name}: not found in {CAPTURES}");
            continue;
        };
        let bytes: usize = messages.iter().map(Bytes::len).sum();
        let mut group = c.benchmark_group(name.trim_end_matches(".crlf"));
        group.throughput(Throughput::Bytes(bytes as u64));
        group.bench_function("classify", |b| {
            b.iter(|| {
                for raw in &messages {
                    let message = classify(raw.clone());
                    black_box(message.map(|m| (m.kind(), m.id(), m.user_id())).ok());
                }
            })
        });
        group.bench_function("serde_json_value", |b| {
            b.iter(|| {
                for raw in &messages {
                    black_box(serde_json::from_slice::<serde_json::Value>(raw).ok());
                }
            })
        });
        group.bench_function("serde_json_ignored_any", |b| {
            b.iter(|| {
                for raw in &messages {
                    black_box(serde_json::from_slice::<serde::de::IgnoredAny>(raw).ok());
                }
            })
        });
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
