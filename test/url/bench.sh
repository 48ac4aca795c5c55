#!/usr/bin/env bash
# Compares `kubectl expose-gw url -o env` with the three kubectl jsonpath
# look-ups of the Istio docs (NodePort case), with hyperfine, on a local
# sandbox (real kube-apiserver + etcd + kwok). Run from the repository root:
#   test/url/bench.sh            (or: make bench-url)
# Needs: bin/ built by `make tools`, hyperfine, kubectl on PATH.
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v hyperfine >/dev/null || { echo "bench-url: hyperfine not found (apt-get install hyperfine)" >&2; exit 1; }

work=$(mktemp -d)
sandbox_pid=""
cleanup() {
	if [ -n "$sandbox_pid" ]; then kill "$sandbox_pid" 2>/dev/null || true; wait "$sandbox_pid" 2>/dev/null || true; fi
	rm -rf "$work"
}
trap cleanup EXIT

CGO_ENABLED=0 go build -trimpath -ldflags '-s -w' -o "$work/bin/kubectl-expose_gw" ./cmd/kubectl-expose_gw
go build -o "$work/sandbox" ./test/url/sandbox
"$work/sandbox" -kubeconfig-out "$work/kubeconfig-path" 2>"$work/sandbox.log" &
sandbox_pid=$!
for _ in $(seq 1 600); do
	[ -s "$work/kubeconfig-path" ] && break
	kill -0 "$sandbox_pid" 2>/dev/null || { cat "$work/sandbox.log" >&2; exit 1; }
	sleep 0.1
done
[ -s "$work/kubeconfig-path" ] || { echo "bench-url: sandbox not ready after 60s" >&2; cat "$work/sandbox.log" >&2; exit 1; }

export KUBECONFIG=$(cat "$work/kubeconfig-path")
export PATH="$work/bin:$PATH"
export HOME="$work/home" # a fresh kubectl discovery cache, filled by the warm-up runs
mkdir -p "$HOME"

cat >"$work/docs.sh" <<'SCRIPT'
export INGRESS_NAME=istio-ingressgateway
export INGRESS_NS=istio-system
export INGRESS_PORT=$(kubectl -n "$INGRESS_NS" get service "$INGRESS_NAME" -o jsonpath='{.spec.ports[?(@.name=="http2")].nodePort}')
export SECURE_INGRESS_PORT=$(kubectl -n "$INGRESS_NS" get service "$INGRESS_NAME" -o jsonpath='{.spec.ports[?(@.name=="https")].nodePort}')
export INGRESS_HOST=$(kubectl get po -l istio=ingressgateway -n "$INGRESS_NS" -o jsonpath='{.items[0].status.hostIP}')
export GATEWAY_URL=$INGRESS_HOST:$INGRESS_PORT
echo "$GATEWAY_URL"
SCRIPT

echo "kubectl $(kubectl version --client -o json | sed -n 's/.*"gitVersion": "\(.*\)".*/\1/p' | head -1), $(nproc) cores"
echo "--- url -o env:"; kubectl expose-gw url -o env
echo "--- the Istio docs' look-ups: GATEWAY_URL=$(bash "$work/docs.sh")"
hyperfine -N --warmup 3 --runs "${RUNS:-30}" --export-markdown "$work/bench.md" \
	-n 'kubectl expose-gw url -o env' 'kubectl expose-gw url -o env' \
	-n 'three kubectl jsonpath look-ups (Istio docs)' "bash $work/docs.sh" \
	-n 'kubectl-expose_gw url -o env (the plugin binary alone)' 'kubectl-expose_gw url -o env'
cat "$work/bench.md"
