#!/usr/bin/env python3
"""Measures how long a ServiceEntry file change takes to reach a real Envoy, and how many pushes
a burst of changes causes, for given push-debounce settings.

The control plane runs from the built jar in its own JVM; Envoy runs from ENVOY_BIN with a
bootstrap printed by `sextant bootstrap`. "Reached" means Envoy ACKed the new EDS version, as
Sextant's /debug/syncz reports it (polled every 2 ms).

    mvn -q -DskipTests package
    python3 benchmarks/propagation.py --envoy "$ENVOY_BIN" --quiet 100ms --max 1s
"""
import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HOST = "bench.e2e.svc.cluster.local"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url):
    with urllib.request.urlopen(url, timeout=10) as r:
        return r.read().decode()


def write_atomic(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def service_entry(generation):
    # Each generation moves the endpoint to another port: a pure endpoint change.
    return f"""apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {{name: bench, namespace: e2e}}
spec:
  hosts: [{HOST}]
  resolution: STATIC
  ports: [{{number: 9080, name: http, protocol: HTTP}}]
  endpoints:
  - address: 127.0.0.1
    ports: {{http: {20000 + generation}}}
"""


def eds(admin, node):
    for p in json.loads(get(f"http://127.0.0.1:{admin}/debug/syncz"))["proxies"]:
        if p["id"] == node:
            t = p["types"].get("EDS", {})
            return t.get("acked", ""), t.get("responses", 0)
    return "", 0


def wait(what, predicate, timeout=30):
    end = time.time() + timeout
    while not predicate():
        if time.time() > end:
            sys.exit(f"gave up waiting for {what}")
        time.sleep(0.002)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--jar", default=os.path.join(ROOT, "control-plane/target/sextant.jar"))
    ap.add_argument("--envoy", default=os.environ.get("ENVOY_BIN"))
    ap.add_argument("--quiet", help="push.debounceQuiet (default: Sextant's)")
    ap.add_argument("--endpoint-quiet", help="push.endpointDebounceQuiet, which these endpoint-only "
                    "changes wait (default: Sextant's, 10ms or --quiet if shorter)")
    ap.add_argument("--max", help="push.debounceMax (default: Sextant's)")
    ap.add_argument("--changes", type=int, default=30, help="single changes to time")
    ap.add_argument("--burst", type=int, default=20, help="writes in the burst")
    ap.add_argument("--burst-gap-ms", type=float, default=10, help="time between burst writes")
    a = ap.parse_args()
    if not a.envoy:
        sys.exit("set ENVOY_BIN or pass --envoy")

    work = tempfile.mkdtemp(prefix="sextant-propagation-")
    os.makedirs(f"{work}/services")
    xds, admin, envoy_admin = free_port(), free_port(), free_port()
    with open(f"{work}/sextant.yaml", "w") as f:
        f.write(f"""xds: {{address: 127.0.0.1, port: {xds}}}
admin: {{address: 127.0.0.1, port: {admin}}}
registries: [{{name: files, type: file, paths: [services/]}}]
""")
        push = {k: v for k, v in (("debounceQuiet", a.quiet), ("endpointDebounceQuiet", a.endpoint_quiet),
                                  ("debounceMax", a.max)) if v}
        if push:
            f.write("push: {" + ", ".join(f"{k}: {v}" for k, v in push.items()) + "}\n")
    se = f"{work}/services/bench.yaml"
    write_atomic(se, service_entry(0))
    log = open(f"{work}/sextant.log", "w")
    cp = subprocess.Popen(["java", "-jar", a.jar, "serve", "--config", f"{work}/sextant.yaml"],
                          stdout=log, stderr=log)
    envoy = None
    try:
        wait("sextant /readyz", lambda: _ok(f"http://127.0.0.1:{admin}/readyz"))
        node = "bench-envoy"
        bootstrap = subprocess.run(
            ["java", "-jar", a.jar, "bootstrap", "--node-id", node, "--service", "bench-client",
             "--namespace", "e2e", "--xds", f"127.0.0.1:{xds}", "--interception", "NONE",
             "--admin-port", str(envoy_admin)], check=True, capture_output=True, text=True).stdout
        with open(f"{work}/envoy.yaml", "w") as f:
            f.write(bootstrap)
        envoy = subprocess.Popen([a.envoy, "-c", f"{work}/envoy.yaml", "--disable-hot-restart",
                                  "--concurrency", "1", "--log-level", "warn"],
                                 stdout=open(f"{work}/envoy.log", "w"), stderr=subprocess.STDOUT)
        wait("Envoy to ACK EDS", lambda: eds(admin, node)[0] != "")

        latencies = []
        for g in range(1, a.changes + 1):
            before = eds(admin, node)[0]
            t0 = time.perf_counter()
            write_atomic(se, service_entry(g))
            wait("the change to be ACKed", lambda: eds(admin, node)[0] != before)
            latencies.append((time.perf_counter() - t0) * 1000)
            time.sleep(0.3)

        time.sleep(1.5)
        _, responses_before = eds(admin, node)
        final = a.changes + a.burst
        for g in range(a.changes + 1, final + 1):
            write_atomic(se, service_entry(g))
            time.sleep(a.burst_gap_ms / 1000)
        time.sleep(3)
        _, responses_after = eds(admin, node)

        latencies.sort()
        q = lambda p: latencies[min(len(latencies) - 1, int(p * len(latencies)))]
        print(json.dumps({
            "debounceQuiet": a.quiet or "default", "endpointDebounceQuiet": a.endpoint_quiet or "default",
            "debounceMax": a.max or "default", "changes": a.changes,
            "write_to_envoy_ack_ms": {"min": round(latencies[0], 1), "p50": round(statistics.median(latencies), 1),
                                      "p90": round(q(0.9), 1), "max": round(latencies[-1], 1)},
            "burst_writes": a.burst, "burst_gap_ms": a.burst_gap_ms,
            "eds_pushes_for_burst": responses_after - responses_before,
        }))
    finally:
        if envoy:
            envoy.terminate()
            envoy.wait()
        cp.terminate()
        cp.wait()


def _ok(url):
    try:
        get(url)
        return True
    except Exception:
        return False


if __name__ == "__main__":
    main()
