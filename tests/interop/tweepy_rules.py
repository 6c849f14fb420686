"""Tweepy 4.14's rules calls against the mock's rules API: add (with and
without a tag, a dry run, an invalid rule), get (all, by id), delete.

Usage: tweepy_rules.py BASE_URL
Prints one JSON object with what each call returned, as Tweepy parsed it.
"""
import sys

import tweepy

from rehose_mock import redirect, report


def rules(response):
    return [{"id": str(r.id), "value": r.value, "tag": r.tag}
            for r in (response.data or [])]


def main():
    client = tweepy.StreamingClient("rules-bearer-token")
    redirect(client.session, sys.argv[1])
    out = {}
    try:
        out["initial"] = rules(client.get_rules())
    except tweepy.NotFound:
        report({"missing": True})
        return
    added = client.add_rules([tweepy.StreamRule("cat has:links", tag="cats"),
                              tweepy.StreamRule("dog")])
    out["added"] = rules(added)
    out["dry_run"] = rules(client.add_rules(tweepy.StreamRule("bird"),
                                            dry_run=True))
    invalid = client.add_rules(tweepy.StreamRule("(cat"))
    out["invalid_errors"] = [e.get("title") for e in invalid.errors]
    out["all"] = rules(client.get_rules())
    first = out["added"][0]["id"]
    out["by_id"] = rules(client.get_rules(ids=[first]))
    deleted = client.delete_rules([first])
    out["deleted"] = deleted.meta.get("summary", {})
    out["after_delete"] = rules(client.get_rules())
    report(out)


if __name__ == "__main__":
    main()
