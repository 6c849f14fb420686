"""Tweepy 4.12's API v1.1 `Stream` reading the mock server as fast as it
can: the peer that `cargo xtask bench` compares rehose's client with.

Usage: tweepy_peer.py BASE_URL MESSAGES

Tweepy is used as an application would use it: `Stream.sample()`, which
reads the body with requests' `iter_lines`, parses every message with
`json.loads` and dispatches it to `on_status`, `on_delete`, `on_limit`,
... The only change is the host rewrite shared with the interop tests
(`tests/interop/rehose_mock.py`), which sends Tweepy's requests to the
mock's base URL. Counting happens in the callbacks; after MESSAGES
messages the callback disconnects. Prints one JSON line:
{"messages": N, "bytes": B, "seconds": S}, timed from the call to
`sample()` (connect included) to its return.
"""
import json
import os
import sys
import time

import tweepy
import tweepy.streaming

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "tests", "interop"))
from rehose_mock import instant_sleeps, redirect  # noqa: E402


class Counter(tweepy.Stream):
    def __init__(self, wanted, **kwargs):
        super().__init__("consumer-key", "consumer-secret",
                         "1-tweepy-peer", "access-token-secret", **kwargs)
        self.wanted = wanted
        self.messages = 0
        self.bytes = 0

    def on_data(self, raw_data):
        # Tweepy's own dispatch does the json.loads and calls the
        # callbacks below; this only adds the byte count.
        self.bytes += len(raw_data)
        return super().on_data(raw_data)

    def count(self):
        self.messages += 1
        if self.messages >= self.wanted:
            self.disconnect()

    def on_status(self, status):
        self.count()

    def on_delete(self, status_id, user_id):
        self.count()

    def on_limit(self, track):
        self.count()

    def on_disconnect_message(self, message):
        self.count()

    def on_warning(self, warning):
        self.count()

    def on_scrub_geo(self, notice):
        self.count()

    def on_status_withheld(self, notice):
        self.count()

    def on_user_withheld(self, notice):
        self.count()

    def on_exception(self, exception):
        raise exception


def main():
    base, wanted = sys.argv[1], int(sys.argv[2])
    instant_sleeps(tweepy.streaming)
    stream = Counter(wanted, max_retries=3)
    redirect(stream.session, base)
    start = time.perf_counter()
    stream.sample()
    seconds = time.perf_counter() - start
    if stream.messages < wanted:
        sys.exit(f"the stream ended after {stream.messages} of {wanted} messages")
    print(json.dumps({"messages": stream.messages, "bytes": stream.bytes,
                      "seconds": seconds, "tweepy": tweepy.__version__}))


if __name__ == "__main__":
    main()
