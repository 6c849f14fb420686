//! Framing throughput: rehose's [`Decoder`] in each framing against the
//! ceiling (a bare `memchr::memmem` scan for `\r\n` over the same chunks)
//! and against what a Rust user would otherwise write (tokio-util's
//! `LinesCodec`, and a naive accumulate-find-copy loop), all in the same
//! criterion group so their figures are directly comparable.
//!
//! Inputs are the real captures in `../shared/captures/` (skipped with a
//! note when missing) and a generated stream with a fixed seed. Each input
//! is split into chunks of 64 B, 1 KiB, 16 KiB and 64 KiB outside the
//! timed loop, as a network read would hand them over. The decoder takes
//! its chunks by value (cloned in untimed setup), as it would from the
//! connection; the others borrow them, which only flatters them.
//!
//! Groups are named `framing_<mode>_<input>` with functions `rehose`,
//! `memmem`, `lines_codec` and `naive`, and the chunk size as parameter;
//! `framing_msgs_<mode>_<input>` report messages per second for rehose.
//! Setting `REHOSE_BENCH_QUICK=1` keeps only the sample capture and the
//! 64 B and 16 KiB chunkings (`cargo xtask bench --quick` sets it).

use std::hint::black_box;

use bytes::{Bytes, BytesMut};
use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion, Throughput};
use memchr::memmem;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rehose::frame::{Decoder, Encoder, Frame, Framing};
use tokio_util::codec::{Decoder as _, LinesCodec};

/// Where the real captures live, beside the checkout.
const CAPTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/captures/");

const CHUNK_SIZES: &[(usize, &str)] =
    &[(64, "64B"), (1024, "1KiB"), (16 * 1024, "16KiB"), (64 * 1024, "64KiB")];
const QUICK_CHUNK_SIZES: &[(usize, &str)] = &[(64, "64B"), (16 * 1024, "16KiB")];

/// One input stream: its name and its message payloads (without
/// terminators), plus keep-alive positions for the generated stream.
struct Input {
    name: &'static str,
    /// The stream in crlf framing (also read in lines mode).
    crlf: Bytes,
    /// The same messages re-encoded in length framing.
    length: Bytes,
    /// Messages in the stream (keep-alives not counted).
    messages: u64,
}

fn quick() -> bool {
    std::env::var_os("REHOSE_BENCH_QUICK").is_some_and(|v| v != "0")
}

/// Builds an input from payloads (and keep-alive flags) by encoding them
/// in crlf and in length framing.
fn input_from(name: &'static str, items: &[Option<&[u8]>]) -> Input {
    let mut crlf = BytesMut::new();
    let mut length = BytesMut::new();
    let (c, l) = (Encoder::new(Framing::Crlf), Encoder::new(Framing::Length));
    let mut messages = 0;
    for item in items {
        match item {
            Some(payload) => {
                c.message(payload, &mut crlf);
                l.message(payload, &mut length);
                messages += 1;
            }
            None => {
                c.keep_alive(&mut crlf);
                l.keep_alive(&mut length);
            }
        }
    }
    Input { name, crlf: crlf.freeze(), length: length.freeze(), messages }
}

/// A real capture, or `None` with a note when it is missing.
fn capture(file: &str, name: &'static str) -> Option<Input> {
    let path = format!("{CAPTURES}{file}");
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(err) => {
            eprintln!("skipping capture {path}: {err}");
            return None;
        }
    };
    let items: Vec<Option<&[u8]>> = memmem::find_iter(&bytes, b"\r\n")
        .scan(0, |start, end| {
            let payload = &bytes[*start..end];
            *start = end + 2;
            Some(payload)
        })
        .map(|p| if p.is_empty() { None } else { Some(p) })
        .collect();
    Some(input_from(name, &items))
}

/// A generated stream of about 4 MiB: JSON-like messages of 100 B to 12 KiB
/// (sizes skewed small, like the captures) with a keep-alive now and then.
fn generated() -> Input {
    const ALPHABET: &[u8] =
        b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 _:,\"{}[]";
    let mut rng = StdRng::seed_from_u64(0x5eed_f4a3);
    let mut payloads: Vec<Vec<u8>> = Vec::new();
    let mut total = 0;
    while total < 4 << 20 {
        let len =
            if rng.gen_bool(0.8) { rng.gen_range(100..4000) } else { rng.gen_range(4000..12_000) };
        let mut p = Vec::with_capacity(len);
        p.extend_from_slice(b"{\"id_str\":\"");
        while p.len() < len - 1 {
            p.push(ALPHABET[rng.gen_range(0..ALPHABET.len())]);
        }
        p.push(b'}');
        total += p.len() + 2;
        payloads.push(p);
    }
    let mut items: Vec<Option<&[u8]>> = Vec::new();
    for (i, p) in payloads.iter().enumerate() {
        if i % 50 == 49 {
            items.push(None);
        }
        items.push(Some(p));
    }
    input_from("generated", &items)
}

fn split(bytes: &Bytes, size: usize) -> Vec<Bytes> {
    (0..bytes.len()).step_by(size).map(|at| bytes.slice(at..(at + size).min(bytes.len()))).collect()
}

/// rehose: push each chunk, drain every frame. Returns the message count.
///
/// The chunks are handed over by value, as a client receives them from
/// the connection: the decoder owns and releases each one.
fn rehose(framing: Framing, chunks: Vec<Bytes>) -> u64 {
    let mut decoder = Decoder::new(framing);
    let mut n = 0;
    for chunk in chunks {
        decoder.push(chunk);
        while let Some(item) = decoder.next_frame() {
            if let Ok(Frame::Message(m)) = black_box(item) {
                black_box(&m);
                n += 1;
            }
        }
    }
    n
}

/// The ceiling: find every `\r\n` in each chunk and do nothing else.
fn memmem_scan(finder: &memmem::Finder<'_>, chunks: &[Bytes]) -> u64 {
    let mut n = 0;
    for chunk in chunks {
        n += finder.find_iter(chunk).count() as u64;
    }
    n
}

/// tokio-util's `LinesCodec`: accumulate into a `BytesMut`, decode lines
/// into `String`s (it drops the `\r`), skip blank ones.
fn lines_codec(chunks: &[Bytes]) -> u64 {
    let mut codec = LinesCodec::new();
    let mut buf = BytesMut::new();
    let mut n = 0;
    for chunk in chunks {
        buf.extend_from_slice(chunk);
        while let Ok(Some(line)) = codec.decode(&mut buf) {
            if !line.is_empty() {
                black_box(&line);
                n += 1;
            }
        }
    }
    n
}

/// The naive loop: accumulate into a `Vec`, search it for `\r\n` from the
/// start each time, copy out each message, drain the consumed bytes.
fn naive_crlf(chunks: &[Bytes]) -> u64 {
    let mut buf: Vec<u8> = Vec::new();
    let mut n = 0;
    for chunk in chunks {
        buf.extend_from_slice(chunk);
        let mut start = 0;
        while let Some(i) = buf[start..].windows(2).position(|w| w == b"\r\n") {
            let msg = buf[start..start + i].to_vec();
            if !msg.is_empty() {
                black_box(&msg);
                n += 1;
            }
            start += i + 2;
        }
        buf.drain(..start);
    }
    n
}

/// The naive loop for length framing: find the length line, parse it, wait
/// for the body, copy it out.
fn naive_length(chunks: &[Bytes]) -> u64 {
    let mut buf: Vec<u8> = Vec::new();
    let mut n = 0;
    for chunk in chunks {
        buf.extend_from_slice(chunk);
        let mut start = 0;
        while let Some(i) = buf[start..].windows(2).position(|w| w == b"\r\n") {
            let line = std::str::from_utf8(&buf[start..start + i]).unwrap_or("");
            if line.is_empty() {
                start += 2;
                continue;
            }
            let Ok(len) = line.parse::<usize>() else { break };
            let body = start + i + 2;
            if buf.len() < body + len {
                break;
            }
            let msg = buf[body..body + len - 2].to_vec();
            black_box(&msg);
            n += 1;
            start = body + len;
        }
        buf.drain(..start);
    }
    n
}

fn bench_input(c: &mut Criterion, input: &Input, sizes: &[(usize, &str)]) {
    let finder = memmem::Finder::new(b"\r\n");
    for framing in [Framing::Crlf, Framing::Length, Framing::Lines] {
        let bytes = if framing == Framing::Length { &input.length } else { &input.crlf };
        let prepared: Vec<(&str, Vec<Bytes>)> =
            sizes.iter().map(|&(size, label)| (label, split(bytes, size))).collect();
        // Check every contender finds the same messages before timing them.
        for (label, chunks) in &prepared {
            let found = rehose(framing, chunks.clone());
            assert_eq!(found, input.messages, "rehose {framing} {} {label}", input.name);
            if framing == Framing::Length {
                assert_eq!(naive_length(chunks), input.messages, "naive {} {label}", input.name);
            } else {
                assert_eq!(naive_crlf(chunks), input.messages, "naive {} {label}", input.name);
                assert_eq!(lines_codec(chunks), input.messages, "codec {} {label}", input.name);
            }
        }

        let mut group = c.benchmark_group(format!("framing_{framing}_{}", input.name));
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        for (label, chunks) in &prepared {
            group.bench_with_input(BenchmarkId::new("rehose", label), chunks, |b, chunks| {
                b.iter_batched(
                    || chunks.clone(),
                    |chunks| rehose(framing, chunks),
                    BatchSize::LargeInput,
                )
            });
            group.bench_with_input(BenchmarkId::new("memmem", label), chunks, |b, chunks| {
                b.iter(|| memmem_scan(&finder, black_box(chunks)))
            });
            if framing == Framing::Length {
                group.bench_with_input(BenchmarkId::new("naive", label), chunks, |b, chunks| {
                    b.iter(|| naive_length(black_box(chunks)))
                });
            } else {
                group.bench_with_input(
                    BenchmarkId::new("lines_codec", label),
                    chunks,
                    |b, chunks| b.iter(|| lines_codec(black_box(chunks))),
                );
                group.bench_with_input(BenchmarkId::new("naive", label), chunks, |b, chunks| {
                    b.iter(|| naive_crlf(black_box(chunks)))
                });
            }
        }
        group.finish();

        // Messages per second, for rehose at the 64 B and 16 KiB chunkings.
        let mut group = c.benchmark_group(format!("framing_msgs_{framing}_{}", input.name));
        group.throughput(Throughput::Elements(input.messages));
        for (label, chunks) in prepared.iter().filter(|(l, _)| ["64B", "16KiB"].contains(l)) {
            group.bench_with_input(BenchmarkId::new("rehose", label), chunks, |b, chunks| {
                b.iter_batched(
                    || chunks.clone(),
                    |chunks| rehose(framing, chunks),
                    BatchSize::LargeInput,
                )
            });
        }
        group.finish();
    }
}

fn framing(c: &mut Criterion) {
    let sizes = if quick() { QUICK_CHUNK_SIZES } else { CHUNK_SIZES };
    let mut inputs = Vec::new();
    inputs.extend(capture("v1-sample-2015.crlf", "sample"));
    if !quick() {
        inputs.extend(capture("v1-filter-locations-2016.crlf", "filter"));
        inputs.push(generated());
    }
    if inputs.is_empty() {
        inputs.push(generated());
    }
    for input in &inputs {
        bench_input(c, input, sizes);
    }
}

criterion_group!(benches, framing);
criterion_main!(benches);
