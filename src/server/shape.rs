//! Delivery shapes: gzip compression of a body and how its bytes are cut
//! into HTTP chunks (as produced, every k bytes, seeded random sizes, or a
//! slow drip).
//!
//! Compression flushes (deflate sync flush) after every frame of the body
//! underneath, so a compressed message leaves as soon as it is produced.
//! A truncated gzip body sends only the first half of the last compressed
//! frame, which cuts its deflate block, and never writes the trailer.

use std::future::Future;
use std::io::Write;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use flate2::write::GzEncoder;
use flate2::Compression;
use http_body::{Body, Frame, SizeHint};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tokio::time::{Instant, Sleep};

use super::fault::BoxError;
use super::scenario::Shape;

/// A body compressed and re-chunked.
pub(crate) struct ShapeBody<B> {
    inner: B,
    shape: Shape,
    rng: StdRng,
    gzip: Option<GzEncoder<Vec<u8>>>,
    /// Set by the body underneath when its next frame ends a truncated
    /// gzip body.
    truncate: Arc<AtomicBool>,
    truncated: bool,
    pending: Bytes,
    /// An error to report once `pending` is sent.
    error: Option<BoxError>,
    ended: bool,
    next_drip: Instant,
    sleep: Pin<Box<Sleep>>,
}

impl<B> ShapeBody<B> {
    pub(crate) fn new(inner: B, shape: Shape, gzip: bool, truncate: Arc<AtomicBool>) -> Self {
        let seed = match shape {
            Shape::Random { seed, .. } => seed,
            _ => 0,
        };
        let now = Instant::now();
        ShapeBody {
            inner,
            shape,
            rng: StdRng::seed_from_u64(seed),
            gzip: gzip.then(|| GzEncoder::new(Vec::new(), Compression::default())),
            truncate,
            truncated: false,
            pending: Bytes::new(),
            error: None,
            ended: false,
            next_drip: now,
            sleep: Box::pin(tokio::time::sleep_until(now)),
        }
    }

    /// Compresses `data` and flushes the compressor, so the output holds
    /// everything needed to decode it.
    fn compress(&mut self, data: &[u8]) -> Bytes {
        let Some(encoder) = &mut self.gzip else { return Bytes::copy_from_slice(data) };
        // Writing to a Vec cannot fail.
        let _ = encoder.write_all(data);
        let _ = encoder.flush();
        Bytes::from(std::mem::take(encoder.get_mut()))
    }

    /// The gzip trailer at the end of a body.
    fn finish(&mut self) -> Bytes {
        match self.gzip.take() {
            Some(encoder) if !self.truncated => {
                encoder.finish().map(Bytes::from).unwrap_or_default()
            }
            _ => Bytes::new(),
        }
    }

    /// The size of the next chunk.
    fn next_size(&mut self) -> usize {
        match self.shape {
            Shape::Whole => usize::MAX,
            Shape::Drip { bytes, .. } => bytes,
            Shape::Every { size } => size,
            Shape::Random { max, .. } => self.rng.gen_range(1..=max),
        }
    }
}

impl<B> Body for ShapeBody<B>
where
    B: Body<Data = Bytes, Error = BoxError> + Unpin,
{
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = self.get_mut();
        loop {
            if !this.pending.is_empty() {
                if let Shape::Drip { every, .. } = this.shape {
                    if Instant::now() < this.next_drip {
                        this.sleep.as_mut().reset(this.next_drip);
                        if this.sleep.as_mut().poll(cx).is_pending() {
                            return Poll::Pending;
                        }
                    }
                    this.next_drip = Instant::now() + every.max(Duration::from_nanos(1));
                }
                let size = this.next_size().min(this.pending.len());
                return Poll::Ready(Some(Ok(Frame::data(this.pending.split_to(size)))));
            }
            if let Some(err) = this.error.take() {
                return Poll::Ready(Some(Err(err)));
            }
            if this.ended {
                return Poll::Ready(None);
            }
            match Pin::new(&mut this.inner).poll_frame(cx) {
                Poll::Ready(Some(Ok(frame))) => {
                    let Ok(data) = frame.into_data() else { continue };
                    let mut out = this.compress(&data);
                    if this.gzip.is_some() && this.truncate.load(Ordering::Acquire) {
                        // Half of the block: the decoder can finish nothing.
                        this.truncated = true;
                        out.truncate(out.len() / 2);
                    }
                    this.pending = out;
                }
                Poll::Ready(Some(Err(err))) => this.error = Some(err),
                Poll::Ready(None) => {
                    this.pending = this.finish();
                    this.ended = true;
                }
                Poll::Pending => return Poll::Pending,
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.ended && self.pending.is_empty()
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::default()
    }
}
