"""Times the analyses against a loaded service, and the SQL they run, alone (see events-scale).

    python3 bench/events_scale.py BASE_URL DATABASE_URL SERVER_LOG SERVICE_PID RUNS PG_BINDIR
"""

import http.client
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse

base, database, log_path, pid, runs, bindir = sys.argv[1:7]
runs = int(runs)
host = urllib.parse.urlparse(base)


def get(path):
    """One request: status, seconds, bytes."""
    conn = http.client.HTTPConnection(host.hostname, host.port, timeout=600)
    started = time.perf_counter()
    conn.request("GET", path, headers={"Accept": "application/json"})
    response = conn.getresponse()
    body = response.read()
    elapsed = time.perf_counter() - started
    conn.close()
    return response.status, elapsed, body


def rss():
    fields = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            key, _, value = line.partition(":")
            fields[key] = value.strip()
    return fields.get("VmRSS", "?"), fields.get("VmHWM", "?")


def psql(sql):
    return subprocess.run([f"{bindir}/psql", "-qAt", database, "-c", sql], check=True,
                          capture_output=True, text=True).stdout.strip()


ENTRY = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+ \w+ \[\d+\] ", re.M)
PARAM = re.compile(r"\$(\d+) = (NULL|'(?:[^']|'')*')", re.S)


def captured(path):
    """The statements one request runs, as PostgreSQL logged them, parameters in place."""
    offset = os.path.getsize(log_path)
    psql("ALTER SYSTEM SET log_min_duration_statement = 0")
    psql("ALTER SYSTEM SET log_parameter_max_length = -1")
    psql("SELECT pg_reload_conf()")
    time.sleep(0.5)
    get(path)
    time.sleep(0.5)
    psql("ALTER SYSTEM RESET log_min_duration_statement")
    psql("ALTER SYSTEM RESET log_parameter_max_length")
    psql("SELECT pg_reload_conf()")
    with open(log_path, encoding="utf-8", errors="replace") as log:
        log.seek(offset)
        text = log.read()
    starts = [m.start() for m in ENTRY.finditer(text)] + [len(text)]
    entries = [ENTRY.sub("", text[a:b], count=1).strip() for a, b in zip(starts, starts[1:])]
    statements = []
    for i, entry in enumerate(entries):
        m = re.match(r"LOG:\s+duration: [\d.]+ ms\s+(execute [^:]+|statement): (.*)", entry, re.S)
        if not m or "pg_reload_conf" in m.group(2) or "ALTER SYSTEM" in m.group(2):
            continue
        sql = m.group(2).strip()
        following = entries[i + 1] if i + 1 < len(entries) else ""
        if following.startswith("DETAIL:  parameters:"):
            values = dict(PARAM.findall(following))
            sql = re.sub(r"\$(\d+)\b", lambda p: values.get(p.group(1), p.group(0)), sql)
        statements.append(sql)
    return statements


def pgbench(statements, seconds=15):
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as script:
        for sql in statements:
            script.write(sql.rstrip().rstrip(";") + ";\n")
    out = subprocess.run([f"{bindir}/pgbench", "-n", "-f", script.name, "-T", str(seconds),
                          "-c", "1", database], capture_output=True, text=True)
    os.unlink(script.name)
    latency = re.search(r"latency average = ([\d.]+) ms", out.stdout)
    if not latency:
        return None, out.stderr[-400:]
    return float(latency.group(1)) / 1000, None


def measure(name, path):
    results = [get(path) for _ in range(runs)]
    statuses = sorted({status for status, _, _ in results})
    times = [elapsed for _, elapsed, _ in results]
    size = len(results[-1][2])
    now, peak = rss()
    statements = captured(path)
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    with open(f"target/bench/events-scale-{slug}.sql", "w") as saved:
        saved.write(";\n".join(statements) + ";\n")
    sql_latency, error = pgbench(statements)
    median = statistics.median(times)
    ratio = f"{sql_latency / median:.2f}" if sql_latency else f"pgbench failed: {error}"
    sql = f"{sql_latency * 1000:.1f} ms" if sql_latency else "–"
    print(f"| {name} | {statuses} | {size:,} B | {median * 1000:.1f} ms | {max(times) * 1000:.1f} ms"
          f" | {len(statements)} | {sql} | {ratio} | {now} / {peak} |", flush=True)
    return results[-1][2]


counts = psql("SELECT (SELECT count(*) FROM visits), (SELECT count(*) FROM interactions), "
              "(SELECT count(*) FROM citations), (SELECT count(*) FROM actors)").split("|")
print(f"Records: {int(counts[0]):,} visits, {int(counts[1]):,} interactions, "
      f"{int(counts[2]):,} citations, {int(counts[3]):,} actors.\n")
busiest = psql("SELECT a.slug FROM interactions i JOIN actors a ON a.id = i.source_principal_id "
               "WHERE i.start_date >= '2018-01-01' AND i.start_date < '2019-01-01' "
               "GROUP BY a.slug ORDER BY count(*) DESC LIMIT 1")
print(f"The busiest state in 2018: {busiest}; {runs} requests each, one after another.\n")
print("| request | statuses | answer | median | worst | statements | SQL alone (pgbench) "
      "| SQL / HTTP | service RSS now / peak |")
print("|---|---|---:|---:|---:|---:|---:|---:|---|")
basis = "basis=visits,interactions"
measure(f"{busiest}'s engagement, 2018 by month",
        f"/v1/actors/{busiest}/engagement?from=2018&to=2018&by=month&{basis}")
measure("kazakhstan's engagement, 2018 by month",
        f"/v1/actors/kazakhstan/engagement?from=2018&to=2018&by=month&{basis}")
measure("every state's index, 2018", f"/v1/engagement?from=2018&to=2018&{basis}&limit=1000")
