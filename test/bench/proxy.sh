#!/usr/bin/env bash
# Requests/s through each way of reaching a route with the right Host header,
# in one run on this machine (wrk, keep-alive):
#   stand-in          the stand-in gateway directly (wrk sets the Host)
#   nginx             nginx as a hand-made Host-rewriting reverse proxy
#   kubectl-pf        `kubectl port-forward svc/istio-ingressgateway` + Host header
#   proxy-direct      kubectl expose-gw proxy --via direct
#   proxy-direct-1cpu the same with GOMAXPROCS=1: one core, like nginx's one worker
#   proxy-pf-tN       kubectl expose-gw proxy --via port-forward --tunnels N
# Fairness: every row gets the same wrk command (threads, connections,
# duration, path) and the stand-in sees the same Host (flask.example.com)
# on every row: nginx and the proxy rewrite it, the stand-in and kubectl-pf
# rows get it from wrk (-H). nginx keeps keep-alive connections to the
# upstream like the proxy does, and sets the same X-Forwarded-* headers.
# nginx runs NGINX_WORKERS workers (default 1): on a 2-core machine where wrk
# takes one core, 1 worker measured as fast as `auto` or faster; try
# NGINX_WORKERS=auto. kubectl port-forward is kubectl's default (WebSocket).
# Beside req/s, "cpu us/req" is the CPU time (user+sys, from /proc) the
# proxying process and its children spent per request: it depends less on
# what else the machine runs than req/s does (stand-in: the whole sandbox,
# apiserver and kwok included).
# Needs wrk and nginx (Debian: apt-get install wrk nginx-light), the test
# control plane (make tools) and the plugin (make build).
# Environment: DURATION (default 8s), CONNECTIONS (32), THREADS (2),
# TUNNELS ("1 2 4"), NGINX_WORKERS (1), ROUNDS (3).
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=${DURATION:-8s}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
TUNNELS=${TUNNELS:-1 2 4}
NGINX_WORKERS=${NGINX_WORKERS:-1}
ROUNDS=${ROUNDS:-3}
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

declare -A url pid
url[stand-in]="http://$STANDIN"
pid[stand-in]=${pids[0]}

port=$(free_port)
mkdir -p "$dir/nginx"
sed -e "s|@LISTEN@|127.0.0.1:$port|" -e "s|@UPSTREAM@|$STANDIN|" -e "s|@HOST@|$HOST|" -e "s|@DIR@|$dir/nginx|" \
  -e "s|@WORKERS@|$NGINX_WORKERS|" test/bench/nginx.conf >"$dir/nginx/nginx.conf"
nginx -c "$dir/nginx/nginx.conf" -e "$dir/nginx/error.log" & pids+=($!)
url[nginx]="http://127.0.0.1:$port" pid[nginx]=$!

port=$(free_port)
"$KUBECTL" port-forward -n istio-system svc/istio-ingressgateway "$port:80" >"$dir/kubectl-pf.log" 2>&1 & pids+=($!)
url[kubectl-pf]="http://127.0.0.1:$port" pid[kubectl-pf]=$!

port=$(free_port)
"$KUBECTL" expose-gw proxy flaskapp --via direct --local-port "$port" >"$dir/proxy-direct.log" 2>&1 & pids+=($!)
url[proxy-direct]="http://127.0.0.1:$port" pid[proxy-direct]=$!

port=$(free_port)
GOMAXPROCS=1 "$KUBECTL" expose-gw proxy flaskapp --via direct --local-port "$port" >"$dir/proxy-direct-1cpu.log" 2>&1 & pids+=($!)
url[proxy-direct-1cpu]="http://127.0.0.1:$port" pid[proxy-direct-1cpu]=$!

names=(stand-in nginx kubectl-pf proxy-direct proxy-direct-1cpu)
for n in $TUNNELS; do
  port=$(free_port)
  "$KUBECTL" expose-gw proxy flaskapp --via port-forward --tunnels "$n" --local-port "$port" >"$dir/proxy-pf-t$n.log" 2>&1 & pids+=($!)
  url[proxy-pf-t$n]="http://127.0.0.1:$port" pid[proxy-pf-t$n]=$!
  names+=("proxy-pf-t$n")
done
for n in "${names[@]}"; do wait_http "${url[$n]}/env/version"; done

# cpu_ticks PID: user+sys clock ticks of PID and its children (nginx's
# workers; kubectl runs the plugin by exec, so the plugin is PID itself).
cpu_ticks() {
  local t=0 p
  for p in "$1" $(pgrep -P "$1" || true); do
    [ -r "/proc/$p/stat" ] && t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat")))
  done
  echo "$t"
}
declare -A rps cpu runs
warnings=""
echo "wrk -t$THREADS -c$CONNECTIONS -d$DURATION, GET /env/version, $ROUNDS rounds, $(nproc) cores, nginx workers: $NGINX_WORKERS, $(date -u +%FT%TZ), load average:$(uptime | sed 's/.*load average://')"
# Rounds go over every row in turn, so a burst of load elsewhere on the
# machine hits one round of every row rather than all rounds of one row;
# each row's figure is its median round.
for ((round = 1; round <= ROUNDS; round++)); do
  for n in "${names[@]}"; do
    hdr=()
    case $n in stand-in|kubectl-pf) hdr=(-H "Host: $HOST");; esac
    # the Host check of the proxy: the stand-in must see the route host everywhere
    t0=$(cpu_ticks "${pid[$n]}")
    out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" "${hdr[@]}" "${url[$n]}/env/version")
    t1=$(cpu_ticks "${pid[$n]}")
    errs=$(awk '/Non-2xx|Socket errors/ {print}' <<<"$out" | tr '\n' ' ')
    [ -z "$errs" ] || warnings+="warning: $n round $round: $errs (its figures are not valid)"$'\n'
    r=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
    reqs=$(awk '/requests in/ {print $1}' <<<"$out")
    c=$(awk -v t="$((t1 - t0))" -v hz="$(getconf CLK_TCK)" -v r="$reqs" 'BEGIN { printf "%.0f", t / hz * 1e6 / r }')
    runs[$n]+="$r:$c "
  done
done
median() { tr ' ' '\n' | grep . | sort -t: -k1 -g | awk -F: '{ a[NR] = $0 } END { print a[int((NR + 1) / 2)] }'; }
printf '%-18s %10s %14s   %s\n' "" "req/s" "cpu us/req" "rounds (req/s)"
for n in "${names[@]}"; do
  m=$(median <<<"${runs[$n]}")
  rps[$n]=${m%%:*} cpu[$n]=${m##*:}
  printf '%-18s %10s %14s   %s\n' "$n" "${rps[$n]}" "${cpu[$n]}" "$(tr ' ' '\n' <<<"${runs[$n]}" | grep . | cut -d: -f1 | tr '\n' ' ')"
done
printf '%s' "$warnings"
ratio() { awk -v a="${rps[$1]}" -v b="${rps[$2]}" 'BEGIN { printf "%.2f", a / b }'; }
echo
echo "proxy-direct / nginx        = $(ratio proxy-direct nginx)"
echo "proxy-direct-1cpu / nginx   = $(ratio proxy-direct-1cpu nginx)"
echo "proxy-direct / stand-in     = $(ratio proxy-direct stand-in)"
for n in $TUNNELS; do
  echo "proxy-pf-t$n / kubectl-pf    = $(ratio "proxy-pf-t$n" kubectl-pf)"
done
