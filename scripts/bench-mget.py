#!/usr/bin/env python3
# Times POST /mget of N small keys (100-byte values, written first with /mset) against one node on
# HTTP_PORT 8080: the median and p99 of R requests on one connection, after 20 unmeasured ones.
#
#   scripts/bench-mget.py NODE_IP N R        e.g. scripts/bench-mget.py 127.0.0.50 1000 200
#
# docs/benchmarks.md ("/mget under its byte cap") has the table and how two builds were compared.
import http.client, json, sys, time, statistics
host, n, rounds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
c = http.client.HTTPConnection(host, 8080, timeout=60)
keys = [f"mget-bench-{i}" for i in range(n)]
body = json.dumps({"entries": {k: "v" * 100 for k in keys}})
c.request("POST", "/mset", body, {"Content-Type": "application/json"}); r = c.getresponse(); r.read(); assert r.status == 200, r.status
req = json.dumps({"keys": keys})
times = []
for i in range(rounds + 20):
    t = time.perf_counter()
    c.request("POST", "/mget", req, {"Content-Type": "application/json"}); r = c.getresponse(); r.read(); assert r.status == 200, r.status
    if i >= 20: times.append((time.perf_counter() - t) * 1000)
times.sort()
print(f"{n:>6} keys  median {statistics.median(times):7.2f} ms  p99 {times[int(len(times)*0.99)-1]:7.2f} ms")
