#!/usr/bin/env bash
# Runs every standard scenario and the JMH benchmarks, keeps their JSON under
# benchmarks/results/DATE/, and regenerates the results table in docs/performance.md.
# Takes about 30 minutes on a 2-core machine. Run it on an otherwise idle machine.
#   benchmarks/run-scenarios.sh            everything
#   SKIP_JMH=1 benchmarks/run-scenarios.sh scenarios only
#   SKIP_K8S_SYNC=1 benchmarks/run-scenarios.sh without the Kubernetes first-sync run
#   RESULTS_DIR=benchmarks/results/NAME ...   keep the JSON there instead of under the date
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
mvn -B -q -DskipTests package
out="${RESULTS_DIR:-benchmarks/results/$(date -u +%Y-%m-%d)}"
mkdir -p "$out"
loadgen=bin/sextant-loadgen

# The standard scenarios, state of the world and delta. mesh-10k's proxy count is what this
# machine can simulate beside the control plane; see docs/performance.md.
"$loadgen" scenario cold-start --json "$out/cold-start-sotw.json"
"$loadgen" scenario cold-start --delta --json "$out/cold-start-delta.json"
"$loadgen" scenario mesh-1k --json "$out/mesh-1k-sotw.json"
"$loadgen" scenario mesh-1k --delta --json "$out/mesh-1k-delta.json"
"$loadgen" scenario mesh-10k --delta --json "$out/mesh-10k-delta.json"
# mesh-1k again with a Sidecar per namespace importing ./*: each proxy sees its namespace's
# 100 services, as Istio recommends for large meshes (docs/traffic-management.md, Sidecar).
"$loadgen" scenario mesh-1k --sidecar-scope namespace --json "$out/mesh-1k-sotw-sidecar.json"
"$loadgen" scenario mesh-1k --sidecar-scope namespace --delta --json "$out/mesh-1k-delta-sidecar.json"

files=("$out"/cold-start-sotw.json "$out"/cold-start-delta.json "$out"/mesh-1k-sotw.json
  "$out"/mesh-1k-delta.json "$out"/mesh-10k-delta.json "$out"/mesh-1k-sotw-sidecar.json
  "$out"/mesh-1k-delta-sidecar.json)
if [ -z "${SKIP_JMH:-}" ]; then
  # -prof gc adds the bytes each operation allocates, which vary far less than the time.
  "$loadgen" jmh TranslationBenchmark -prof gc -rf json -rff "$out/jmh.json"
  files+=("$out/jmh.json")
fi
"$loadgen" table --update docs/performance.md "${files[@]}"

# The Kubernetes registry's first sync (5,000 Services, 50,000 endpoints). Its figures are quoted
# by hand in docs/performance.md; the variant with one Pod per endpoint (--pods) takes about half
# an hour more, most of it filling the mock API server, so it is not run here.
if [ -z "${SKIP_K8S_SYNC:-}" ]; then
  "$loadgen" k8s-sync --json "$out/k8s-sync.json"
fi
