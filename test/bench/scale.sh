#!/usr/bin/env bash
# How the plugin's commands scale with the number of VirtualServices in the
# cluster, with hyperfine, on a local sandbox (real kube-apiserver + etcd +
# kwok + the Istio-driven gateway, test/bench/scale). flaskapp is exposed
# once; then for each count in COUNTS the sandbox grows "other teams'"
# VirtualServices to that count (spread over 50 namespaces team-NN, 4 HTTP
# routes each, bound to a Gateway team-gw of their namespace) and hyperfine
# runs, side by side:
#   kubectl expose-gw flaskapp --prefix /env --host flask.example.com  (a re-run: unchanged)
#   kubectl expose-gw list -A
#   kubectl expose-gw url flaskapp
#   kubectl get virtualservices -A -o name                              (the reference)
#   kubectl expose-gw explain http://flask.example.com/env/version      (exit 0: routed)
#   kubectl expose-gw lint -A                                           (exit 1: the teams' routes have findings)
# and prints one table of medians: the ratios expose/get, list/get,
# explain/get and lint/get, and url's median relative to the first count's.
# Run from any checkout (its plugin is the one measured):
#   test/bench/scale.sh          (or: make bench-scale)
#   COUNTS="0 1000 5000" RUNS=5 EXPOSE_GW_TOOLS=/path/to/bin test/bench/scale.sh
# BASE=REV also measures the plugin of git revision REV, in the same run
# (columns "before"): BASE=6c7d27b test/bench/scale.sh
# OUT=DIR keeps hyperfine's JSON, the table and the sandbox's log there.
# Needs: the control plane built by `make tools` (bin/, or EXPOSE_GW_TOOLS),
# hyperfine, jq, kubectl on PATH.
set -euo pipefail
cd "$(dirname "$0")/../.."
for t in hyperfine jq kubectl; do
	command -v "$t" >/dev/null || { echo "bench-scale: $t not found (apt-get install $t)" >&2; exit 1; }
done
read -r -a counts <<<"${COUNTS:-0 1000 5000}"
runs=${RUNS:-5}
prev=-1
for n in "${counts[@]}"; do
	[[ "$n" =~ ^[0-9]+$ ]] && [ "$n" -gt "$prev" ] || { echo "bench-scale: COUNTS must be ascending whole numbers, got: ${counts[*]}" >&2; exit 2; }
	prev=$n
done

work=$(mktemp -d)
sandbox_pid=""
cleanup() {
	exec 3>&- 2>/dev/null || true
	if [ -n "$sandbox_pid" ]; then kill "$sandbox_pid" 2>/dev/null || true; wait "$sandbox_pid" 2>/dev/null || true; fi
	if [ -n "${OUT:-}" ] && [ -f "$work/sandbox.log" ]; then mkdir -p "$OUT" && cp "$work/sandbox.log" "$OUT/"; fi
	rm -rf "$work"
}
trap cleanup EXIT

CGO_ENABLED=0 go build -trimpath -ldflags '-s -w' -o "$work/bin/kubectl-expose_gw" ./cmd/kubectl-expose_gw
go build -o "$work/scale" ./test/bench/scale
if [ -n "${BASE:-}" ]; then
	mkdir -p "$work/base-src" "$work/base-bin"
	git archive "$BASE" | tar -x -C "$work/base-src"
	(cd "$work/base-src" && CGO_ENABLED=0 go build -trimpath -ldflags '-s -w' -o "$work/base-bin/kubectl-expose_gw" ./cmd/kubectl-expose_gw)
fi

# The sandbox reads "grow N" lines from a FIFO the script holds open (fd 3)
# and answers "ready N" on its stdout; closing fd 3 ends it too.
mkfifo "$work/ctl"
exec 3<>"$work/ctl"
"$work/scale" -kubeconfig-out "$work/kubeconfig-path" <"$work/ctl" >"$work/sandbox.out" 2>"$work/sandbox.log" &
sandbox_pid=$!
for _ in $(seq 1 900); do
	[ -s "$work/kubeconfig-path" ] && break
	kill -0 "$sandbox_pid" 2>/dev/null || { cat "$work/sandbox.log" >&2; exit 1; }
	sleep 0.1
done
[ -s "$work/kubeconfig-path" ] || { echo "bench-scale: sandbox not ready after 90s" >&2; cat "$work/sandbox.log" >&2; exit 1; }

# grow N: the sandbox creates VirtualServices until N of the teams' exist.
grow() {
	echo "grow $1" >&3
	for _ in $(seq 1 18000); do
		grep -qx "ready $1" "$work/sandbox.out" && return 0
		kill -0 "$sandbox_pid" 2>/dev/null || { echo "bench-scale: the sandbox exited" >&2; cat "$work/sandbox.log" >&2; exit 1; }
		sleep 0.1
	done
	echo "bench-scale: grow $1 not done after 30 min" >&2; cat "$work/sandbox.log" >&2; exit 1
}

export KUBECONFIG=$(cat "$work/kubeconfig-path")
export PATH="$work/bin:$PATH"
export HOME="$work/home" # a fresh kubectl discovery cache, filled by the first command and the warm-up runs
mkdir -p "$HOME"

expose=(kubectl expose-gw flaskapp --prefix /env --host flask.example.com)
echo "kubectl $(kubectl version --client -o json | jq -r .clientVersion.gitVersion) ($(command -v kubectl)), plugin from $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD -- 2>/dev/null || echo '+dirty'), $(nproc) cores, hyperfine $(hyperfine --version | cut -d' ' -f2)"
echo "--- ${expose[*]}"
"${expose[@]}"
out=$("${expose[@]}")
echo "$out"
grep -q unchanged <<<"$out" || { echo "bench-scale: the re-run of expose is not 'unchanged'" >&2; exit 1; }

for n in "${counts[@]}"; do
	start=$SECONDS
	grow "$n"
	echo "=== $n other VirtualServices (grown in $((SECONDS - start)) s; $(kubectl get virtualservices -A -o name | wc -l) in all); load average $(cut -d' ' -f1-3 /proc/loadavg)"
	base=()
	if [ -n "${BASE:-}" ]; then
		before="env PATH=$work/base-bin:$PATH"
		base=(-n 'expose (before)' "$before ${expose[*]}" -n 'list -A (before)' "$before kubectl expose-gw list -A")
	fi
	hyperfine -N --warmup 2 --runs "$runs" --export-json "$work/bench-$n.json" \
		-n expose "${expose[*]}" \
		-n 'list -A' 'kubectl expose-gw list -A' \
		-n url 'kubectl expose-gw url flaskapp' \
		-n 'kubectl get' 'kubectl get virtualservices -A -o name' \
		-n explain 'kubectl expose-gw explain http://flask.example.com/env/version' \
		-n 'lint -A' -i 'kubectl expose-gw lint -A' \
		"${base[@]}"
done

# One row a count: the medians (s) in hyperfine's order of the commands.
table() {
	local base_url=""
	local head='| VirtualServices | expose (s) | list -A (s) | url (s) | kubectl get (s) | explain (s) | lint -A (s) | expose / get | list / get | explain / get | lint / get | url / url@%s |' rule='|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|'
	if [ -n "${BASE:-}" ]; then
		head+=' expose before (s) | list -A before (s) | expose before / get | list before / get |'
		rule+='---:|---:|---:|---:|'
	fi
	printf "$head\n" "${counts[0]}"
	echo "$rule"
	for n in "${counts[@]}"; do
		read -r e l u g x li eb lb < <(jq -r '[.results[].median] | @tsv' "$work/bench-$n.json")
		[ -n "$base_url" ] || base_url=$u
		awk -v n="$n" -v e="$e" -v l="$l" -v u="$u" -v g="$g" -v x="$x" -v li="$li" -v b="$base_url" -v eb="${eb:-}" -v lb="${lb:-}" \
			'BEGIN { printf "| %d | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %.2f× | %.2f× | %.2f× | %.2f× | %.2f× |", n, e, l, u, g, x, li, e / g, l / g, x / g, li / g, u / b
			         if (eb != "") printf " %.3f | %.3f | %.2f× | %.2f× |", eb, lb, eb / g, lb / g
			         printf "\n" }'
	done
}
echo
echo "medians of $runs runs (hyperfine -N --warmup 2); expose is the re-run (unchanged)${BASE:+; before: the plugin of $BASE}"
table | tee "$work/table.md"
if [ -n "${OUT:-}" ]; then
	mkdir -p "$OUT"
	cp "$work"/bench-*.json "$work/table.md" "$OUT/"
fi
