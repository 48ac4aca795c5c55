#!/usr/bin/env bash
# How long `kubectl expose-gw url SERVICE --check` takes beside `url SERVICE`
# and a plain curl of the same URL (the gateway at a NodePort on
# 127.0.0.1), and --check through a port-forward, with hyperfine, on a
# local sandbox (real kube-apiserver + etcd + kwok + the Istio-driven test
# gateway). Run from the repository root:
#   test/check/bench.sh            (or: make bench-check; RUNS=N)
# Needs: bin/ built by `make tools`, hyperfine, curl, kubectl on PATH.
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v hyperfine >/dev/null || { echo "bench-check: hyperfine not found (apt-get install hyperfine)" >&2; exit 1; }

work=$(mktemp -d)
sandbox_pid=""
cleanup() {
	if [ -n "$sandbox_pid" ]; then kill "$sandbox_pid" 2>/dev/null || true; wait "$sandbox_pid" 2>/dev/null || true; fi
	rm -rf "$work"
}
trap cleanup EXIT

CGO_ENABLED=0 go build -trimpath -ldflags '-s -w' -o "$work/bin/kubectl-expose_gw" ./cmd/kubectl-expose_gw
# The proxy benchmark's sandbox: the gateway at a NodePort on 127.0.0.1,
# flaskapp routed at flask.example.com/env (a Gateway and VirtualService
# as `expose-gw flaskapp --prefix /env --host flask.example.com` writes).
go build -o "$work/sandbox" ./test/bench/sandbox
"$work/sandbox" "$work/env" 2>"$work/sandbox.log" &
sandbox_pid=$!
for _ in $(seq 1 900); do
	[ -s "$work/env" ] && break
	kill -0 "$sandbox_pid" 2>/dev/null || { cat "$work/sandbox.log" >&2; exit 1; }
	sleep 0.1
done
[ -s "$work/env" ] || { echo "bench-check: sandbox not ready after 90s" >&2; tail -50 "$work/sandbox.log" >&2; exit 1; }
# KUBECONFIG, GATEWAY (127.0.0.1:NODEPORT) and HOST
set -a
. "$work/env"
set +a
export PATH="$work/bin:$PATH"
export HOME="$work/home" # a fresh kubectl discovery cache, filled by the warm-up runs
mkdir -p "$HOME"

url="http://$GATEWAY/env"
echo "$(nproc) cores; --- url flaskapp --check:"
kubectl expose-gw url flaskapp --check
hyperfine -N --warmup 3 --runs "${RUNS:-20}" --export-json "$work/bench.json" \
	-n 'curl (the same URL, Host header)' "curl -s -o /dev/null -H 'Host: flask.example.com' $url" \
	-n 'kubectl expose-gw url flaskapp' 'kubectl expose-gw url flaskapp' \
	-n 'kubectl expose-gw url flaskapp --check' 'kubectl expose-gw url flaskapp --check' \
	-n 'kubectl expose-gw url flaskapp --check --via port-forward' 'kubectl expose-gw url flaskapp --check --via port-forward'
# One table of medians, in ms, and each relative to curl's.
echo "medians of ${RUNS:-20} runs (hyperfine -N --warmup 3), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| command | median (ms) | × curl |"
echo "|---|---:|---:|"
jq -r '.results[0].median as $c | .results[] | "| `\(.command)` | \(.median*1000*10|round/10) | \(.median/$c*10|round/10)× |"' "$work/bench.json"
