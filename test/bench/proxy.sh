#!/usr/bin/env bash
# Requests/s and added latency through each way of reaching a route with
# the right Host header, in one run on this machine (wrk, keep-alive):
#   gateway       the Istio-driven test gateway (bin/istiogw) directly, on
#                 its NodePort (wrk sets the Host)
#   nginx         nginx as a hand-made Host-rewriting reverse proxy
#   kubectl-pf    `kubectl port-forward svc/istio-ingressgateway` + Host header
#   proxy-direct  kubectl expose-gw proxy --via direct
#   proxy-pf      kubectl expose-gw proxy --via port-forward (TUNNELS, default 1)
# Every row reaches the same gateway (the sandbox's: port-forwards to the
# gateway pod land on it too) and the same upstream behind it.
# Fairness: every row gets the same wrk commands (threads, connections,
# duration, path) and the gateway sees the same Host (flask.example.com)
# on every row: nginx and the proxy rewrite it, the gateway and kubectl-pf
# rows get it from wrk (-H). nginx keeps keep-alive connections to the
# upstream like the proxy does, and sets the same X-Forwarded-* headers.
# nginx runs NGINX_WORKERS workers (default 1): on a 2-core machine where wrk
# takes one core, 1 worker measured as fast as `auto` or faster; try
# NGINX_WORKERS=auto. kubectl port-forward is kubectl's default (WebSocket).
# Two wrk runs per row and round:
#   req/s        wrk -c CONNECTIONS (32): throughput
#   latency      wrk -c LATENCY_CONNECTIONS (6, as a browser opens per
#                origin) --latency: p50 and p99 of the distribution; "added"
#                is the row's minus the gateway row's (same round), what
#                the way in costs per request
# Beside req/s, "cpu us/req" is the CPU time (user+sys, from /proc) the
# proxying process and its children spent per request in the req/s run: it
# depends less on what else the machine runs than req/s does (gateway: the
# whole sandbox, apiserver and kwok included).
# "cluster us/req" is the same for the sandbox (kube-apiserver, etcd, kwok,
# the gateway and the upstream) in the same run: what reaching the route
# costs the cluster, which the way in changes (a port-forward goes through
# the apiserver and kwok).
# LAYOUT says where the processes run:
#   shared  everything shares every core (the machine as it is)
#   split   the sandbox on CLUSTER_CPUS (default 1), wrk and the ways in
#           (nginx, kubectl, the proxy) on CLIENT_CPUS (default 0), with
#           taskset: the cluster has CPUs of its own, as a real cluster has,
#           and a way in is not charged for taking CPU from the gateway or
#           the apiserver (Go sizes GOMAXPROCS to the CPUs it may use, for
#           kubectl and the proxy alike)
# Rounds go over every row in turn; each figure is the median of ROUNDS.
# Needs wrk and nginx (Debian: apt-get install wrk nginx-light), the test
# control plane and gateway (make tools) and the plugin (make build).
# Environment: DURATION (default 8s), CONNECTIONS (32), LATENCY_CONNECTIONS
# (6), THREADS (2), TUNNELS (1), NGINX_WORKERS (1), ROUNDS (3), ROWS (after
# the gateway's, default "nginx kubectl-pf proxy-direct proxy-pf"), LAYOUT
# (shared), CLUSTER_CPUS (1), CLIENT_CPUS (0).
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=${DURATION:-8s}
CONNECTIONS=${CONNECTIONS:-32}
LATENCY_CONNECTIONS=${LATENCY_CONNECTIONS:-6}
THREADS=${THREADS:-2}
TUNNELS=${TUNNELS:-1}
NGINX_WORKERS=${NGINX_WORKERS:-1}
ROUNDS=${ROUNDS:-3}
LAYOUT=${LAYOUT:-shared}
CLUSTER_CPUS=${CLUSTER_CPUS:-1}
CLIENT_CPUS=${CLIENT_CPUS:-0}
PLUGIN_DIR=${PLUGIN_DIR:-$PWD/bin/plugin}
KUBECTL=${KUBECTL:-$(command -v kubectl || echo "$PWD/bin/kubectl")}
for tool in wrk nginx; do
  command -v $tool >/dev/null || { echo "bench: $tool not found (Debian: apt-get install wrk nginx-light)" >&2; exit 1; }
done
# on_cluster / on_client: the command prefix that runs a command where
# LAYOUT puts the cluster or the client side (taskset execs the command: the
# PID stays the command's).
case $LAYOUT in
  shared) on_cluster=() on_client=() ;;
  split)
    command -v taskset >/dev/null || { echo "bench: LAYOUT=split needs taskset (Debian: util-linux)" >&2; exit 1; }
    { taskset -c "$CLUSTER_CPUS" true && taskset -c "$CLIENT_CPUS" true; } 2>/dev/null ||
      { echo "bench: LAYOUT=split: CLUSTER_CPUS $CLUSTER_CPUS or CLIENT_CPUS $CLIENT_CPUS is not a CPU list of this machine (expected CPUs among 0-$(($(nproc) - 1)))" >&2; exit 1; }
    on_cluster=(taskset -c "$CLUSTER_CPUS") on_client=(taskset -c "$CLIENT_CPUS") ;;
  *) echo "bench: LAYOUT $LAYOUT: expected shared or split" >&2; exit 1 ;;
esac
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
"${on_cluster[@]}" "$dir/sandbox" "$dir/env" 2>"$dir/sandbox.log" & pids+=($!)
# kubectl finds the plugin first on PATH, and no user kubeconfig or cache leaks in.
export PATH="$PLUGIN_DIR:$PATH" HOME="$dir"
for _ in $(seq 1 600); do [ -s "$dir/env" ] && break; sleep 0.1; done
[ -s "$dir/env" ] || { cat "$dir/sandbox.log" >&2; exit 1; }
# shellcheck disable=SC1091
source "$dir/env"
export KUBECONFIG

declare -A url pid
url[gateway]="http://$GATEWAY"
pid[gateway]=${pids[0]}

port=$(free_port)
mkdir -p "$dir/nginx"
sed -e "s|@LISTEN@|127.0.0.1:$port|" -e "s|@UPSTREAM@|$GATEWAY|" -e "s|@HOST@|$HOST|" -e "s|@DIR@|$dir/nginx|" \
  -e "s|@WORKERS@|$NGINX_WORKERS|" test/bench/nginx.conf >"$dir/nginx/nginx.conf"
"${on_client[@]}" nginx -c "$dir/nginx/nginx.conf" -e "$dir/nginx/error.log" & pids+=($!)
url[nginx]="http://127.0.0.1:$port" pid[nginx]=$!

port=$(free_port)
"${on_client[@]}" "$KUBECTL" port-forward -n istio-system svc/istio-ingressgateway "$port:80" >"$dir/kubectl-pf.log" 2>&1 & pids+=($!)
url[kubectl-pf]="http://127.0.0.1:$port" pid[kubectl-pf]=$!

port=$(free_port)
"${on_client[@]}" "$KUBECTL" expose-gw proxy flaskapp --via direct --local-port "$port" >"$dir/proxy-direct.log" 2>&1 & pids+=($!)
url[proxy-direct]="http://127.0.0.1:$port" pid[proxy-direct]=$!

port=$(free_port)
"${on_client[@]}" "$KUBECTL" expose-gw proxy flaskapp --via port-forward --tunnels "$TUNNELS" --local-port "$port" >"$dir/proxy-pf.log" 2>&1 & pids+=($!)
url[proxy-pf]="http://127.0.0.1:$port" pid[proxy-pf]=$!

# ROWS picks the rows measured after the gateway's (all by default).
read -r -a rows <<<"${ROWS:-nginx kubectl-pf proxy-direct proxy-pf}"
names=(gateway "${rows[@]}")
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
# per_req TICKS REQUESTS: microseconds of CPU per request.
per_req() { awk -v t="$1" -v hz="$(getconf CLK_TCK)" -v r="$2" 'BEGIN { printf "%.0f", t / hz * 1e6 / r }'; }
# us VALUE: wrk's latency (850.00us, 1.23ms, 1.01s) in microseconds.
us() { awk -v v="$1" 'BEGIN { n = v + 0; u = v; sub(/^[0-9.]+/, "", u);
  f = (u == "us") ? 1 : (u == "ms") ? 1e3 : (u == "s") ? 1e6 : (u == "m") ? 6e7 : -1;
  if (f < 0) { print "bench: latency unit " u " in " v > "/dev/stderr"; exit 1 } printf "%.0f", n * f }'; }
declare -A rps cpu cluster p50 p99 m50 m99 runs lat
warnings=""
echo "wrk -t$THREADS -c$CONNECTIONS -d$DURATION (req/s) and -c$LATENCY_CONNECTIONS --latency (latency), GET /env/version, $ROUNDS rounds, $(nproc) cores, layout: $LAYOUT$([ "$LAYOUT" = split ] && echo " (cluster on CPU $CLUSTER_CPUS, client side on CPU $CLIENT_CPUS)"), nginx workers: $NGINX_WORKERS, proxy-pf tunnels: $TUNNELS, $(date -u +%FT%TZ), load average:$(uptime | sed 's/.*load average://')"
check() { # check ROW ROUND WRK-OUTPUT: a row with errors is not valid
  local errs
  errs=$(awk '/Non-2xx|Socket errors/ {print}' <<<"$3" | tr '\n' ' ')
  [ -z "$errs" ] || warnings+="warning: $1 round $2: $errs (its figures are not valid)"$'\n'
}
for ((round = 1; round <= ROUNDS; round++)); do
  for n in "${names[@]}"; do
    hdr=()
    case $n in gateway|kubectl-pf) hdr=(-H "Host: $HOST");; esac
    t0=$(cpu_ticks "${pid[$n]}") k0=$(cpu_ticks "${pid[gateway]}")
    out=$("${on_client[@]}" wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" "${hdr[@]}" "${url[$n]}/env/version")
    t1=$(cpu_ticks "${pid[$n]}") k1=$(cpu_ticks "${pid[gateway]}")
    check "$n" "$round" "$out"
    r=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
    reqs=$(awk '/requests in/ {print $1}' <<<"$out")
    c=$(per_req $((t1 - t0)) "$reqs") k=$(per_req $((k1 - k0)) "$reqs")
    runs[$n]+="$r:$c:$k "
    out=$("${on_client[@]}" wrk -t"$THREADS" -c"$LATENCY_CONNECTIONS" -d"$DURATION" --latency "${hdr[@]}" "${url[$n]}/env/version")
    check "$n" "$round" "$out"
    l50=$(us "$(awk '$1 == "50%" {print $2}' <<<"$out")")
    l99=$(us "$(awk '$1 == "99%" {print $2}' <<<"$out")")
    lat[$n,$round]="$l50:$l99"
  done
done
median() { tr ' ' '\n' | grep . | sort -t: -k1 -g | awk -F: '{ a[NR] = $0 } END { print a[int((NR + 1) / 2)] }'; }
# round_rps ROW: the row's req/s, one line per round.
round_rps() { tr ' ' '\n' <<<"${runs[$1]}" | grep . | cut -d: -f1; }
med() { tr ' ' '\n' | grep . | sort -g | awk '{ a[NR] = $0 } END { print a[int((NR + 1) / 2)] }'; }
# added latency: per round, the row's p50/p99 minus the gateway row's, then the median.
for n in "${names[@]}"; do
  a50="" a99=""
  for ((round = 1; round <= ROUNDS; round++)); do
    IFS=: read -r r50 r99 <<<"${lat[$n,$round]}"
    IFS=: read -r g50 g99 <<<"${lat[gateway,$round]}"
    a50+="$((r50 - g50)) " a99+="$((r99 - g99)) "
  done
  p50[$n]=$(med <<<"$a50") p99[$n]=$(med <<<"$a99")
  m50[$n]=$(for ((round = 1; round <= ROUNDS; round++)); do echo "${lat[$n,$round]%%:*}"; done | med)
  m99[$n]=$(for ((round = 1; round <= ROUNDS; round++)); do echo "${lat[$n,$round]##*:}"; done | med)
done
printf '%-13s %9s %11s %15s %8s %8s %10s %10s   %s\n' "" "req/s" "cpu us/req" "cluster us/req" "p50 us" "p99 us" "+p50 us" "+p99 us" "rounds (req/s)"
for n in "${names[@]}"; do
  m=$(median <<<"${runs[$n]}")
  IFS=: read -r "rps[$n]" "cpu[$n]" "cluster[$n]" <<<"$m"
  printf '%-13s %9s %11s %15s %8s %8s %10s %10s   %s\n' "$n" "${rps[$n]}" "${cpu[$n]}" "${cluster[$n]}" "${m50[$n]}" "${m99[$n]}" "${p50[$n]}" "${p99[$n]}" \
    "$(round_rps "$n" | tr '\n' ' ')"
done
printf '%s' "$warnings"
echo
for pair in proxy-direct/nginx proxy-direct/gateway proxy-pf/kubectl-pf; do
  a=${pair%/*} b=${pair#*/}
  [ -n "${rps[$a]:-}" ] && [ -n "${rps[$b]:-}" ] &&
    printf '%-24s = %s   rounds: %s\n' "$a / $b" "$(awk -v a="${rps[$a]}" -v b="${rps[$b]}" 'BEGIN { printf "%.2f", a / b }')" \
      "$(paste -d' ' <(round_rps "$a") <(round_rps "$b") | awk '{ printf "%.2f ", $1 / $2 }')"
done
