//! The body of a 200 response as a stream of byte chunks: stall detection
//! on the raw bytes, then gzip decompression when the server compressed.
//!
//! ```text
//!   hyper body -> StallGuard -> [StreamReader -> GzipDecoder -> ReaderStream] -> chunks
//! ```
//!
//! The stall timer watches the bytes off the socket, before decompression:
//! compressed bytes that complete no output still prove the connection
//! alive. The decompressor hands over what it has as soon as the socket has
//! nothing more, so compression adds no latency.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use async_compression::tokio::bufread::GzipDecoder;
use bytes::Bytes;
use futures_core::Stream;
use http_body_util::BodyDataStream;
use hyper::body::Incoming;
use pin_project_lite::pin_project;
use tokio::time::{Instant, Sleep};
use tokio_util::io::{ReaderStream, StreamReader};

/// Decoded output is handed over in pieces of at most this size.
const GZIP_CHUNK: usize = 16 * 1024;

/// Decoded body chunks, or the error that ended the body.
pub(crate) type ByteStream = Pin<Box<dyn Stream<Item = io::Result<Bytes>> + Send>>;

/// The marker inside the `io::Error` a [`StallGuard`] reports, so that a
/// stall can be told from other errors after passing through the
/// decompressor.
#[derive(Debug, thiserror::Error)]
#[error("no byte for {0:?}")]
pub(crate) struct Stalled(pub(crate) Duration);

/// Whether `err` is a stall reported by a [`StallGuard`].
pub(crate) fn is_stall(err: &io::Error) -> bool {
    err.get_ref().is_some_and(|inner| inner.is::<Stalled>())
}

/// The decoded body of `response`, watched for stalls of `stall_timeout`.
pub(crate) fn byte_stream(body: Incoming, gzip: bool, stall_timeout: Duration) -> ByteStream {
    let raw = MapErr { inner: BodyDataStream::new(body) };
    let guarded = StallGuard::new(raw, stall_timeout);
    if gzip {
        let mut decoder = GzipDecoder::new(StreamReader::new(guarded));
        // A concatenation of gzip members is still one valid gzip body.
        decoder.multiple_members(true);
        Box::pin(ReaderStream::with_capacity(decoder, GZIP_CHUNK))
    } else {
        Box::pin(guarded)
    }
}

pin_project! {
    /// Hyper's body errors as `io::Error`, as the decompressor wants.
    struct MapErr<S> {
        #[pin]
        inner: S,
    }
}

impl<S> Stream for MapErr<S>
where
    S: Stream<Item = Result<Bytes, hyper::Error>>,
{
    type Item = io::Result<Bytes>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.project()
            .inner
            .poll_next(cx)
            .map(|item| item.map(|chunk| chunk.map_err(io::Error::other)))
    }
}

pin_project! {
    /// Fails a byte stream whose wait for the next chunk lasts longer than
    /// the timeout.
    ///
    /// The timer runs only while the stream is being waited on: it starts
    /// when the consumer comes back for more after taking a chunk. Time the
    /// consumer spends elsewhere (blocked on a full queue) is not the
    /// server's silence.
    pub(crate) struct StallGuard<S> {
        #[pin]
        inner: S,
        #[pin]
        sleep: Sleep,
        timeout: Duration,
        waiting: bool,
    }
}

impl<S> StallGuard<S> {
    pub(crate) fn new(inner: S, timeout: Duration) -> StallGuard<S> {
        StallGuard { inner, sleep: tokio::time::sleep(timeout), timeout, waiting: false }
    }
}

impl<S> Stream for StallGuard<S>
where
    S: Stream<Item = io::Result<Bytes>>,
{
    type Item = io::Result<Bytes>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let mut this = self.project();
        if !*this.waiting {
            this.sleep.as_mut().reset(Instant::now() + *this.timeout);
            *this.waiting = true;
        }
        if let Poll::Ready(item) = this.inner.poll_next(cx) {
            *this.waiting = false;
            return Poll::Ready(item);
        }
        match this.sleep.poll(cx) {
            Poll::Ready(()) => {
                *this.waiting = false;
                let stalled = Stalled(*this.timeout);
                Poll::Ready(Some(Err(io::Error::new(io::ErrorKind::TimedOut, stalled))))
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Silent;

    impl Stream for Silent {
        type Item = io::Result<Bytes>;

        fn poll_next(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<Self::Item>> {
            Poll::Pending
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_silent_stream_stalls_after_the_timeout() {
        let start = Instant::now();
        let mut guard = Box::pin(StallGuard::new(Silent, Duration::from_secs(90)));
        let item = std::future::poll_fn(|cx| guard.as_mut().poll_next(cx)).await;
        let err = item.and_then(Result::err).map(|err| is_stall(&err));
        assert_eq!(err, Some(true));
        assert_eq!(start.elapsed(), Duration::from_secs(90));
    }
}
