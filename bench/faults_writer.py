"""Writes through the balancer for a while, one request at a time, and records every answer.

    python3 bench/faults_writer.py URL TOKEN SECONDS OUT.json
    python3 bench/faults_writer.py summary OUT.json DOWN BACK [CLOSED]
    python3 bench/faults_writer.py verify URL OUT.json

Each write creates a citation. The record says, per request, when it was sent, its status,
its Content-Type and Retry-After, and for a 201 the new citation's id and the consistency
token. `summary` says how writes fared around an outage from DOWN to BACK (Unix times; writes
may be refused until CLOSED, BACK by default, plus 2 s) and exits 1 if a refusal was not a
503 problem+json with Retry-After, fell outside the outage, or no write was accepted after
it; `verify` reads every acknowledged citation back.
"""

import json
import sys
import time
import urllib.error
import urllib.request


def post(url, token, n):
    body = json.dumps(
        {"source": "Fault test", "title": f"Written under faults {n}", "url": f"https://example.org/faults/{time.time_ns()}"}
    ).encode()
    request = urllib.request.Request(
        f"{url}/v1/citations",
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )
    # Headers stay an HTTPMessage: names are looked up case-insensitively.
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()
    except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
        return 0, {}, str(error).encode()


def write(url, token, seconds, out):
    records = []
    end = time.monotonic() + seconds
    n = 0
    while time.monotonic() < end:
        n += 1
        sent = time.time()
        status, headers, body = post(url, token, n)
        record = {
            "sent": sent,
            "status": status,
            "content_type": headers.get("Content-Type", ""),
            "retry_after": headers.get("Retry-After"),
        }
        if status == 201:
            record["id"] = json.loads(body)["id"]
            record["consistency"] = headers.get("Chancery-Consistency")
        records.append(record)
        time.sleep(0.02)
    with open(out, "w") as f:
        json.dump(records, f)


def verify(url, out):
    """Every acknowledged write is there, read with its own consistency token."""
    with open(out) as f:
        records = json.load(f)
    lost = 0
    for record in records:
        if record["status"] != 201:
            continue
        request = urllib.request.Request(
            f"{url}/v1/citations/{record['id']}",
            headers={"Chancery-Consistency": record["consistency"] or "0"},
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                lost += response.status != 200
        except urllib.error.HTTPError:
            lost += 1
    print(json.dumps({"acknowledged": sum(r["status"] == 201 for r in records), "lost": lost}))


def summary(out, down, back, closed):
    with open(out) as f:
        records = json.load(f)
    statuses = {}
    for r in records:
        statuses[r["status"]] = statuses.get(r["status"], 0) + 1
    refused = [r for r in records if r["status"] != 201]
    proper = all(
        r["status"] == 503 and r["content_type"].startswith("application/problem+json") and r["retry_after"]
        for r in refused
    )
    after = [r["sent"] for r in records if r["status"] == 201 and r["sent"] > back]
    first = (min(after) - back) if after else float("nan")
    outside = sum(1 for r in refused if not (down - 0.5 <= r["sent"] <= closed + 2))
    print(
        f"writes {dict(sorted(statuses.items()))}; every refusal a 503 problem+json with Retry-After: "
        f"{'yes' if proper else 'NO'}; refusals outside the outage: {outside}; "
        f"first write accepted {first:.2f} s after"
    )
    return proper and outside == 0 and bool(after)


if __name__ == "__main__":
    if sys.argv[1] == "verify":
        verify(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "summary":
        down, back = float(sys.argv[3]), float(sys.argv[4])
        closed = float(sys.argv[5]) if len(sys.argv) > 5 else back
        sys.exit(0 if summary(sys.argv[2], down, back, closed) else 1)
    else:
        write(sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4])
