//! Running scenarios: which attempt each request gets, a body that plays a
//! stream attempt's faults over a replay, the one-connection-per-client
//! registry, and the end-of-test check that every scripted fault fired.
//!
//! A [`FaultBody`] drives a [`ReplayBody`] and holds it at the message end
//! where the next fault triggers, so an action lands between messages and
//! the client's cursor counts exactly the messages that went out whole:
//!
//! ```text
//!   replay:  msg 49 | msg 50 |  (held)   msg 51 ...
//!   fault:                   ^ after_messages(50): {"disconnect":..}, close
//! ```

use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use http_body::{Body, Frame, SizeHint};
use tokio::time::{Instant, Sleep};
use tokio_util::sync::{CancellationToken, WaitForCancellationFutureOwned};
use tracing::{debug, info};

use super::journal::StreamEnd;
use super::replay::{ConnControl, Out, ReplayBody};
use super::scenario::{Action, Attempt, Scenario, Step, Trigger};
use crate::frame::{Encoder, Framing};
use crate::protocol::Problem;

/// The error type of response bodies.
pub(crate) type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A scripted way for a body to end abruptly.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ScriptedError {
    #[error("scripted cut in the middle of a message")]
    Cut,
    #[error("scripted connection reset")]
    Reset,
    #[error("scripted malformed chunk")]
    Malformed,
}

/// Scripted faults that never fired, from
/// [`MockServer::verify_scenario`](super::MockServer::verify_scenario).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("scripted faults never fired: {}", .missing.join("; "))]
pub struct UnfiredFaults {
    /// One line per fault: the attempt, the client and the fault.
    pub missing: Vec<String>,
}

/// An attempt handed to a request, with the counter of its faults fired.
#[derive(Debug)]
pub(crate) struct Ticket {
    pub(crate) attempt: Attempt,
    /// `attempt N: ...` for the journal, `None` past the script.
    pub(crate) label: Option<String>,
    pub(crate) fired: Arc<AtomicUsize>,
}

/// One attempt taken from the script.
#[derive(Debug)]
struct Taken {
    key: String,
    index: usize,
    fired: Arc<AtomicUsize>,
}

/// A scenario and how far each sequence has got.
#[derive(Debug)]
pub(crate) struct ScenarioState {
    scenario: Scenario,
    progress: Mutex<(HashMap<String, usize>, Vec<Taken>)>,
}

/// How long a body that fails by script waits after its last bytes.
const FAIL_GRACE: Duration = Duration::from_millis(50);

/// The key of requests without credentials in per-client mode.
const ANONYMOUS: &str = "anonymous";

impl ScenarioState {
    pub(crate) fn new(scenario: Scenario) -> ScenarioState {
        ScenarioState { scenario, progress: Mutex::default() }
    }

    pub(crate) fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    fn key(&self, client: Option<&str>) -> String {
        match (self.scenario.per_client, client) {
            (false, _) => "*".to_owned(),
            (true, Some(client)) => client.to_owned(),
            (true, None) => ANONYMOUS.to_owned(),
        }
    }

    /// The next attempt for `client`; with `only_raw`, only if it must be
    /// written by hand (and otherwise nothing is taken).
    pub(crate) fn take(&self, client: Option<&str>, only_raw: bool) -> Option<Ticket> {
        let key = self.key(client);
        let mut progress = self.progress.lock().unwrap_or_else(PoisonError::into_inner);
        let (next, taken) = &mut *progress;
        let index = next.get(&key).copied().unwrap_or(0);
        let scripted = self.scenario.attempts.get(index);
        let attempt = scripted.unwrap_or(&self.scenario.otherwise);
        if only_raw && !attempt.is_raw() {
            return None;
        }
        let fired = Arc::new(AtomicUsize::new(0));
        let label = scripted.map(|attempt| format!("attempt {index}: {attempt}"));
        if scripted.is_some() {
            next.insert(key.clone(), index + 1);
            taken.push(Taken { key, index, fired: fired.clone() });
        }
        Some(Ticket { attempt: attempt.clone(), label, fired })
    }

    /// Every scripted fault that has not fired, per sequence seen (or for
    /// the shared one).
    pub(crate) fn verify(&self) -> Result<(), UnfiredFaults> {
        let progress = self.progress.lock().unwrap_or_else(PoisonError::into_inner);
        let (next, taken) = &*progress;
        let mut keys: Vec<&String> = next.keys().collect();
        keys.sort();
        let shared = "*".to_owned();
        if keys.is_empty() {
            keys.push(&shared);
        }
        let mut missing = Vec::new();
        for key in keys {
            for (index, attempt) in self.scenario.attempts.iter().enumerate() {
                let fired = taken
                    .iter()
                    .find(|t| &t.key == key && t.index == index)
                    .map_or(0, |t| t.fired.load(Ordering::Acquire));
                let who = if key == "*" { String::new() } else { format!(" for {key}") };
                match attempt {
                    Attempt::Stream(stream) => {
                        for step in stream.steps.iter().skip(fired) {
                            missing.push(format!("attempt {index}{who}: {step}"));
                        }
                    }
                    _ if fired == 0 => missing.push(format!("attempt {index}{who}: {attempt}")),
                    _ => {}
                }
            }
        }
        if missing.is_empty() {
            Ok(())
        } else {
            Err(UnfiredFaults { missing })
        }
    }
}

/// The open streams of each client, for the one-connection policy.
#[derive(Debug, Default)]
pub(crate) struct Active {
    streams: Mutex<HashMap<String, Vec<(u64, CancellationToken)>>>,
    next_id: AtomicUsize,
}

/// Removes a stream from [`Active`] when dropped.
#[derive(Debug)]
pub(crate) struct ActiveGuard {
    active: Arc<Active>,
    client: String,
    id: u64,
}

impl Drop for ActiveGuard {
    fn drop(&mut self) {
        let mut streams = self.active.streams.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(list) = streams.get_mut(&self.client) {
            list.retain(|(id, _)| *id != self.id);
            if list.is_empty() {
                streams.remove(&self.client);
            }
        }
    }
}

impl Active {
    /// Whether `client` has a stream open.
    pub(crate) fn is_open(&self, client: &str) -> bool {
        let streams = self.streams.lock().unwrap_or_else(PoisonError::into_inner);
        streams.get(client).is_some_and(|list| !list.is_empty())
    }

    /// Registers a stream of `client`; with `displace`, asks every other
    /// open stream of that client to disconnect. The token fires when a
    /// later stream displaces this one.
    pub(crate) fn open(
        self: &Arc<Active>,
        client: &str,
        displace: bool,
    ) -> (ActiveGuard, CancellationToken) {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed) as u64;
        let token = CancellationToken::new();
        let mut streams = self.streams.lock().unwrap_or_else(PoisonError::into_inner);
        let list = streams.entry(client.to_owned()).or_default();
        if displace {
            for (_, other) in list.iter() {
                other.cancel();
            }
        }
        list.push((id, token.clone()));
        let guard = ActiveGuard { active: self.clone(), client: client.to_owned(), id };
        (guard, token)
    }
}

/// What a [`FaultBody`] does once its queue is sent.
#[derive(Debug)]
enum State {
    Running,
    End(StreamEnd),
    Fail(StreamEnd, ScriptedError),
    Stall,
    Done,
}

/// A replay with a stream attempt's faults played over it.
pub(crate) struct FaultBody {
    replay: ReplayBody,
    steps: Vec<Step>,
    next_step: usize,
    encoder: Encoder,
    is_v2: bool,
    started: Instant,
    /// The track offset the stream started at, for byte triggers.
    base_offset: u64,
    sleep: Pin<Box<Sleep>>,
    queue: VecDeque<Bytes>,
    state: State,
    /// When a failing body reports its error.
    fail_at: Option<Instant>,
    fired: Arc<AtomicUsize>,
    control: Arc<ConnControl>,
    /// Set when the next frame is the truncated end of a gzip body.
    truncate: Arc<std::sync::atomic::AtomicBool>,
    displaced: Option<Pin<Box<WaitForCancellationFutureOwned>>>,
    _active: Option<ActiveGuard>,
}

/// Everything a [`FaultBody`] needs besides its replay.
pub(crate) struct FaultSetup {
    pub(crate) steps: Vec<Step>,
    pub(crate) framing: Framing,
    pub(crate) is_v2: bool,
    pub(crate) fired: Arc<AtomicUsize>,
    pub(crate) control: Arc<ConnControl>,
    pub(crate) truncate: Arc<std::sync::atomic::AtomicBool>,
    pub(crate) active: Option<(ActiveGuard, CancellationToken)>,
}

impl FaultBody {
    pub(crate) fn new(replay: ReplayBody, setup: FaultSetup) -> FaultBody {
        let now = Instant::now();
        let (active, displaced) = match setup.active {
            Some((guard, token)) => (Some(guard), Some(Box::pin(token.cancelled_owned()))),
            None => (None, None),
        };
        FaultBody {
            base_offset: replay.offset().unwrap_or(0),
            replay,
            steps: setup.steps,
            next_step: 0,
            encoder: Encoder::new(setup.framing),
            is_v2: setup.is_v2,
            started: now,
            sleep: Box::pin(tokio::time::sleep_until(now)),
            queue: VecDeque::new(),
            state: State::Running,
            fail_at: None,
            fired: setup.fired,
            control: setup.control,
            truncate: setup.truncate,
            displaced,
            _active: active,
        }
    }

    /// A message framed as the request asked.
    fn push_message(&mut self, json: &str) {
        let mut out = BytesMut::with_capacity(json.len() + 16);
        self.encoder.message(json.as_bytes(), &mut out);
        self.replay.count_injected(out.len(), 1);
        self.queue.push_back(out.freeze());
    }

    /// The first half of the next message, counted as bytes only.
    fn push_half_message(&mut self) {
        let half = self.replay.half_of_next_message();
        if !half.is_empty() {
            self.replay.count_injected(half.len(), 0);
            self.queue.push_back(half);
        }
    }

    fn fire(&mut self, action: &Action) {
        info!(%action, "scripted fault");
        self.state = match action {
            Action::End => State::End(StreamEnd::Completed),
            Action::Cut => {
                self.push_half_message();
                State::Fail(StreamEnd::Cut, ScriptedError::Cut)
            }
            Action::Reset => {
                self.control.request_reset();
                State::Fail(StreamEnd::Reset, ScriptedError::Reset)
            }
            Action::Stall => State::Stall,
            Action::Disconnect { code, stream_name, reason } => {
                let json = serde_json::json!({
                    "disconnect": { "code": code, "stream_name": stream_name, "reason": reason }
                });
                self.push_message(&json.to_string());
                State::End(StreamEnd::Disconnected)
            }
            Action::Warning { percent_full } => {
                let message = format!(
                    "Your connection is falling behind and messages are being queued for \
                     delivery to you. Your queue is now over {percent_full}% full. You will \
                     be disconnected when the queue is full."
                );
                let json = serde_json::json!({
                    "warning": {
                        "code": "FALLING_BEHIND",
                        "message": message,
                        "percent_full": percent_full,
                    }
                });
                self.push_message(&json.to_string());
                State::Running
            }
            Action::OperationalDisconnect { disconnect_type } => {
                let json = Problem::operational_disconnect(disconnect_type).to_errors_json();
                self.push_message(&json);
                State::End(StreamEnd::Disconnected)
            }
            Action::MalformedChunk => State::Fail(StreamEnd::Malformed, ScriptedError::Malformed),
            Action::TruncateGzip => {
                self.truncate.store(true, Ordering::Release);
                self.push_half_message();
                State::End(StreamEnd::Cut)
            }
        };
    }

    /// Displaced by a newer stream of the same client: a disconnect code
    /// 7 (v1.1) or an operational disconnect (v2), then close.
    fn displace(&mut self) {
        debug!("displaced by a newer stream with the same credentials");
        let action = if self.is_v2 {
            Action::OperationalDisconnect { disconnect_type: "ConnectionDisplaced".to_owned() }
        } else {
            Action::Disconnect {
                code: 7,
                stream_name: "statuses".to_owned(),
                reason: super::scenario::disconnect_reason(7).to_owned(),
            }
        };
        self.fire(&action);
    }

    /// The hold offset for the next step, or `None` with the step fired
    /// (`fire` set) or waiting on the clock.
    fn hold_for(&mut self, step: &Step, cx: &mut Context<'_>, fire: &mut bool) -> Option<u64> {
        let at_boundary = self.replay.is_at_boundary();
        let offset = self.replay.offset();
        let next_end = || offset.and_then(|o| self.replay.message_end_from(o));
        match step.trigger {
            Trigger::Messages(n) => {
                let remaining = n.saturating_sub(self.replay.sent_messages()) as usize;
                if remaining == 0 && at_boundary {
                    *fire = true;
                    None
                } else if remaining == 0 {
                    next_end()
                } else {
                    self.replay.end_of_next_messages(remaining)
                }
            }
            Trigger::Bytes(bytes) => {
                let target = self.base_offset + bytes;
                match offset {
                    Some(o) if o >= target && at_boundary => {
                        *fire = true;
                        None
                    }
                    Some(o) => self.replay.message_end_from(target.max(o)),
                    None => None,
                }
            }
            Trigger::Elapsed(elapsed) => {
                let deadline = self.started + elapsed;
                if Instant::now() < deadline {
                    self.sleep.as_mut().reset(deadline);
                    if self.sleep.as_mut().poll(cx).is_pending() {
                        return None;
                    }
                }
                if at_boundary {
                    *fire = true;
                    None
                } else {
                    next_end()
                }
            }
        }
    }
}

impl Body for FaultBody {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = self.get_mut();
        loop {
            if let Some(data) = this.queue.pop_front() {
                return Poll::Ready(Some(Ok(Frame::data(data))));
            }
            match std::mem::replace(&mut this.state, State::Done) {
                State::Running => this.state = State::Running,
                State::Done => return Poll::Ready(None),
                State::End(end) => {
                    this.replay.finish(end);
                    return Poll::Ready(None);
                }
                State::Fail(end, err) => {
                    // hyper drops what it has not written when a body
                    // fails, and a reset discards what the client has not
                    // read: wait a moment so both get the bytes first.
                    let deadline = *this.fail_at.get_or_insert(Instant::now() + FAIL_GRACE);
                    if Instant::now() < deadline {
                        this.sleep.as_mut().reset(deadline);
                        if this.sleep.as_mut().poll(cx).is_pending() {
                            this.state = State::Fail(end, err);
                            return Poll::Pending;
                        }
                    }
                    this.replay.finish(end);
                    return Poll::Ready(Some(Err(err.into())));
                }
                State::Stall => {
                    // Silent for good: not even keep-alives.
                    this.state = State::Stall;
                    return Poll::Pending;
                }
            }

            // A newer stream of this client displaces this one at the
            // next message boundary.
            let displaced =
                this.displaced.as_mut().is_some_and(|wait| wait.as_mut().poll(cx).is_ready());
            let mut fire = false;
            let hold = if displaced {
                if this.replay.is_at_boundary() {
                    this.displace();
                    continue;
                }
                this.replay.offset().and_then(|o| this.replay.message_end_from(o))
            } else {
                match this.steps.get(this.next_step).cloned() {
                    Some(step) => {
                        let hold = this.hold_for(&step, cx, &mut fire);
                        if fire {
                            this.fired.fetch_add(1, Ordering::AcqRel);
                            this.next_step += 1;
                            this.fire(&step.action);
                            continue;
                        }
                        hold
                    }
                    None => None,
                }
            };

            this.replay.hold_at(hold);
            match this.replay.poll_out(cx) {
                Poll::Ready(Some(Ok(Out::Data(data)))) => {
                    return Poll::Ready(Some(Ok(Frame::data(data))))
                }
                // The trigger point: the next round fires the step.
                Poll::Ready(Some(Ok(Out::Held))) if hold.is_some() => {
                    if displaced {
                        this.displace();
                    } else if let Some(step) = this.steps.get(this.next_step).cloned() {
                        this.fired.fetch_add(1, Ordering::AcqRel);
                        this.next_step += 1;
                        this.fire(&step.action);
                    }
                }
                Poll::Ready(Some(Ok(Out::Held))) => return Poll::Ready(None),
                Poll::Ready(Some(Err(err))) => return Poll::Ready(Some(Err(err.into()))),
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Pending => return Poll::Pending,
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        matches!(self.state, State::Done) && self.queue.is_empty()
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::default()
    }
}

impl std::fmt::Display for Action {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let step = Step { trigger: Trigger::Messages(0), action: self.clone() };
        step.fmt(f)
    }
}
