#!/usr/bin/env bash
# Requests/s through each way of reaching a route with the right Host header,
# in one run on this machine (wrk, keep-alive):
#   stand-in          the stand-in gateway directly (wrk sets the Host)
#   nginx             nginx as a hand-made Host-rewriting reverse proxy
#   kubectl-pf        `kubectl port-forward svc/istio-ingressgateway` + Host header
#   proxy-direct      kubectl expose-gw proxy --via direct
#   proxy-pf-tN       kubectl expose-gw proxy --via port-forward --tunnels N
# Needs wrk and nginx (Debian: apt-get install wrk nginx-light), the test
# control plane (make tools) and the plugin (make build).
# Environment: DURATION (default 8s), CONNECTIONS (32), THREADS (2), TUNNELS ("1 2 4").
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=${DURATION:-8s}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
TUNNELS=${TUNNELS:-1 2 4}
PLUGIN_DIR=${PLUGIN_DIR:-$PWD/bin/plugin}
KUBECTL=${KUBECTL:-$(command -v kubectl || echo "$PWD/bin/kubectl")}
for tool in wrk nginx; do
  command -v $tool >/dev/null || { echo "bench: $tool not found (Debian: apt-get install wrk nginx-light)" >&2; exit 1; }
done
[ -x "$PLUGIN_DIR/kubectl-expose_gw" ] || { echo "bench: $PLUGIN_DIR/kubectl-expose_gw missing (make build)" >&2; exit 1; }

dir=$(mktemp -d)
pids=()
cleanup() {
  for ((i=${#pids[@]}-1; i>=0; i--)); do kill -INT "${pids[i]}" 2>/dev/null || true; wait "${pids[i]}" 2>/dev/null || true; done
  rm -rf "$dir"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_http() { # wait until $1 answers
  for _ in $(seq 1 300); do curl -s -o /dev/null "$1" && return 0; sleep 0.1; done
  echo "bench: $1 does not answer" >&2; return 1
}

go build -o "$dir/sandbox" ./test/bench/sandbox
"$dir/sandbox" "$dir/env" 2>"$dir/sandbox.log" & pids+=($!)
# kubectl finds the plugin first on PATH, and no user kubeconfig or cache leaks in.
export PATH="$PLUGIN_DIR:$PATH" HOME="$dir"
for _ in $(seq 1 600); do [ -s "$dir/env" ] && break; sleep 0.1; done
[ -s "$dir/env" ] || { cat "$dir/sandbox.log" >&2; exit 1; }
# shellcheck disable=SC1091
source "$dir/env"
export KUBECONFIG

declare -A url
url[stand-in]="http://$STANDIN"

port=$(free_port)
mkdir -p "$dir/nginx"
sed -e "s|@LISTEN@|127.0.0.1:$port|" -e "s|@UPSTREAM@|$STANDIN|" -e "s|@HOST@|$HOST|" -e "s|@DIR@|$dir/nginx|" \
  test/bench/nginx.conf >"$dir/nginx/nginx.conf"
nginx -c "$dir/nginx/nginx.conf" -e "$dir/nginx/error.log" & pids+=($!)
url[nginx]="http://127.0.0.1:$port"

port=$(free_port)
"$KUBECTL" port-forward -n istio-system svc/istio-ingressgateway "$port:80" >"$dir/kubectl-pf.log" 2>&1 & pids+=($!)
url[kubectl-pf]="http://127.0.0.1:$port"

port=$(free_port)
"$KUBECTL" expose-gw proxy flaskapp --via direct --local-port "$port" >"$dir/proxy-direct.log" 2>&1 & pids+=($!)
url[proxy-direct]="http://127.0.0.1:$port"

names=(stand-in nginx kubectl-pf proxy-direct)
for n in $TUNNELS; do
  port=$(free_port)
  "$KUBECTL" expose-gw proxy flaskapp --via port-forward --tunnels "$n" --local-port "$port" >"$dir/proxy-pf-t$n.log" 2>&1 & pids+=($!)
  url[proxy-pf-t$n]="http://127.0.0.1:$port"
  names+=("proxy-pf-t$n")
done
for n in "${names[@]}"; do wait_http "${url[$n]}/env/version"; done

declare -A rps
echo "wrk -t$THREADS -c$CONNECTIONS -d$DURATION, GET /env/version, $(nproc) cores, $(date -u +%FT%TZ)"
for n in "${names[@]}"; do
  hdr=()
  case $n in stand-in|kubectl-pf) hdr=(-H "Host: $HOST");; esac
  # the Host check of the proxy: the stand-in must see the route host everywhere
  out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" "${hdr[@]}" "${url[$n]}/env/version")
  rps[$n]=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
  errs=$(awk '/Non-2xx|Socket errors/ {print}' <<<"$out" | tr '\n' ' ')
  printf '%-14s %10s req/s %s\n' "$n" "${rps[$n]}" "$errs"
done
ratio() { awk -v a="${rps[$1]}" -v b="${rps[$2]}" 'BEGIN { printf "%.2f", a / b }'; }
echo
echo "proxy-direct / nginx        = $(ratio proxy-direct nginx)"
echo "proxy-direct / stand-in     = $(ratio proxy-direct stand-in)"
for n in $TUNNELS; do
  echo "proxy-pf-t$n / kubectl-pf    = $(ratio "proxy-pf-t$n" kubectl-pf)"
done
