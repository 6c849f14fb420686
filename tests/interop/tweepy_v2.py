"""Tweepy 4.14's API v2 `StreamingClient` against the mock server.

Usage: tweepy_v2.py BASE_URL filter|sample EXPECTED [CA_FILE|-] [RULE TAG]

With RULE, the stream's rules are replaced through Tweepy's get_rules,
delete_rules and add_rules before it connects (TAG "-" adds no tag).

Streams until EXPECTED responses have come through Tweepy's callbacks
(on_tweet, on_includes, on_errors, on_matching_rules, via on_data), then
disconnects from within the callback. Backoff sleeps are instant and
recorded. Prints one JSON object: one entry per response in order, with
what each callback received, and the connection counters.
"""
import sys

import tweepy
import tweepy.streaming

from rehose_mock import instant_sleeps, redirect, report


class Recorder(tweepy.StreamingClient):
    def __init__(self, expected, **kwargs):
        super().__init__("bearer-token", **kwargs)
        self.expected = expected
        self.responses = []
        self.current = None
        self.counts = {"keep_alives": 0, "connects": 0, "closed": 0,
                       "connection_errors": 0}
        self.request_errors = []

    def on_data(self, raw_data):
        self.current = {"tweet": None, "includes": {}, "errors": [],
                        "matching_rules": []}
        super().on_data(raw_data)

    def on_tweet(self, tweet):
        self.current["tweet"] = str(tweet.id)

    def on_includes(self, includes):
        self.current["includes"] = {
            key: len(value) for key, value in includes.items()}

    def on_errors(self, errors):
        self.current["errors"] = [error.get("title") for error in errors]

    def on_matching_rules(self, matching_rules):
        self.current["matching_rules"] = [
            str(rule.id) for rule in matching_rules]

    def on_response(self, response):
        self.responses.append(self.current)
        if len(self.responses) >= self.expected:
            self.disconnect()

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
        raise exception


def main():
    base, mode, expected = sys.argv[1], sys.argv[2], int(sys.argv[3])
    verify = sys.argv[4] if len(sys.argv) > 4 and sys.argv[4] != "-" else True
    rule = sys.argv[5] if len(sys.argv) > 6 else None
    tag = sys.argv[6] if len(sys.argv) > 6 and sys.argv[6] != "-" else None
    sleeps = instant_sleeps(tweepy.streaming)
    stream = Recorder(expected, max_retries=5, verify=verify)
    redirect(stream.session, base)
    rule_id = None
    if rule is not None:
        old = stream.get_rules().data or []
        if old:
            stream.delete_rules([r.id for r in old])
        added = stream.add_rules(tweepy.StreamRule(rule, tag=tag))
        if added.errors:
            raise SystemExit(f"add_rules refused {rule!r}: {added.errors}")
        rule_id = str(added.data[0].id)
    fields = {"expansions": ["author_id"], "tweet_fields": ["created_at"]}
    if mode == "filter":
        stream.filter(**fields)
    else:
        stream.sample(**fields)
    report({"responses": stream.responses, "request_errors": stream.request_errors,
            "sleeps": sleeps, "rule_id": rule_id, "tweepy": tweepy.__version__, **stream.counts})


if __name__ == "__main__":
    main()
