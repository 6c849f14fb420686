"""Reads messages from the mock server over https with the `requests`
package, trusting only the CA file the server wrote.

Usage: tls_requests.py URL CA_PATH COUNT TOKEN
(CA_PATH "-" trusts the system's CAs only; TOKEN is a bearer token, which
the mock uses to tell clients apart.)
Prints {"lines": [...], "error": null} or {"lines": [], "error": "..."}.
"""
import json
import sys

import requests


def main():
    url, ca_path, count, token = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    verify = ca_path if ca_path != "-" else True
    lines = []
    try:
        with requests.get(url, stream=True, verify=verify, timeout=10,
                          headers={"Authorization": f"Bearer {token}"}) as resp:
            resp.raise_for_status()
            for line in resp.iter_lines():
                if line:
                    lines.append(line.decode("utf-8"))
                if len(lines) == count:
                    break
    except requests.exceptions.SSLError as exc:
        print(json.dumps({"lines": [], "error": str(exc)}))
        return
    print(json.dumps({"lines": lines, "error": None}))


if __name__ == "__main__":
    main()
