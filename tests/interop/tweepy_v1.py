"""Tweepy 4.12's API v1.1 `Stream` against the mock server.

Usage: tweepy_v1.py BASE_URL filter|sample EXPECTED [CA_FILE|-] [CONSUMER_SECRET]

Streams until EXPECTED messages have come through Tweepy's callbacks
(on_status, on_delete, on_limit, ...), then disconnects from within the
callback. Backoff sleeps are instant and recorded. Prints one JSON object:
the messages in order as "kind:id" ("status:<id_str>", "delete:<status
id>", "limit:<track>"), keep-alives, connects, HTTP errors, connection
errors, closes and the sleeps Tweepy asked for.
"""
import sys

import tweepy
import tweepy.streaming

from rehose_mock import instant_sleeps, redirect, report


class Recorder(tweepy.Stream):
    def __init__(self, expected, consumer_secret, **kwargs):
        super().__init__("consumer-key", consumer_secret,
                         "1-access-token", "access-token-secret", **kwargs)
        self.expected = expected
        self.messages = []
        self.counts = {"keep_alives": 0, "connects": 0, "closed": 0,
                       "connection_errors": 0, "exceptions": []}
        self.request_errors = []

    def note(self, item):
        self.messages.append(item)
        if len(self.messages) >= self.expected:
            self.disconnect()

    def on_status(self, status):
        self.note(f"status:{status.id_str}")

    def on_delete(self, status_id, user_id):
        self.note(f"delete:{status_id}")

    def on_limit(self, track):
        self.note(f"limit:{track}")

    def on_disconnect_message(self, message):
        self.note(f"disconnect:{message['code']}")

    def on_warning(self, warning):
        self.note(f"warning:{warning['code']}")

    def on_keep_alive(self):
        self.counts["keep_alives"] += 1

    def on_connect(self):
        self.counts["connects"] += 1

    def on_closed(self, response):
        self.counts["closed"] += 1

    def on_request_error(self, status_code):
        self.request_errors.append(status_code)

    def on_connection_error(self):
        self.counts["connection_errors"] += 1

    def on_exception(self, exception):
        self.counts["exceptions"].append(repr(exception))
        raise exception


def main():
    base, mode, expected = sys.argv[1], sys.argv[2], int(sys.argv[3])
    verify = sys.argv[4] if len(sys.argv) > 4 and sys.argv[4] != "-" else True
    secret = sys.argv[5] if len(sys.argv) > 5 else "consumer-secret"
    sleeps = instant_sleeps(tweepy.streaming)
    # Five HTTP errors or network errors in a row end the run instead of
    # retrying for ever against a broken mock.
    stream = Recorder(expected, secret, max_retries=5, verify=verify)
    redirect(stream.session, base)
    if mode == "filter":
        stream.filter(locations=[-180, -90, 180, 90])
    else:
        stream.sample()
    report({"messages": stream.messages, "request_errors": stream.request_errors,
            "sleeps": sleeps, "tweepy": tweepy.__version__, **stream.counts})


if __name__ == "__main__":
    main()
