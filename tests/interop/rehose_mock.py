"""Shared by the Tweepy scripts: points a Tweepy client at the mock
server and makes its backoff sleeps instant.

Tweepy hard-codes https://stream.twitter.com and https://api.twitter.com.
The scripts change nothing else in Tweepy: `redirect` wraps the one
`requests.Session.request` of a client so that only the scheme and host
of those URLs are replaced by the mock's base URL. Paths, parameters,
headers and OAuth signing stay Tweepy's own (requests-oauthlib signs the
rewritten URL, as it would sign the real one).
"""
import json
import sys

TWITTER_HOSTS = ("https://stream.twitter.com", "https://api.twitter.com")


def redirect(session, base):
    """Sends `session`'s requests for the Twitter hosts to `base`."""
    request = session.request

    def to_mock(method, url, *args, **kwargs):
        for host in TWITTER_HOSTS:
            if url.startswith(host):
                url = base + url[len(host):]
        return request(method, url, *args, **kwargs)

    session.request = to_mock


def instant_sleeps(module):
    """Replaces `module.sleep` (tweepy.streaming does `from time import
    sleep`) by one that returns at once; returns the list the requested
    durations are appended to."""
    asked = []
    module.sleep = asked.append
    return asked


def report(result):
    """Prints the result as the last line of stdout, for the Rust test."""
    sys.stdout.flush()
    print(json.dumps(result))
