#!/usr/bin/env bash
# `kubectl expose-gw --help` beside `kubectl --help` with hyperfine: the
# plugin binary run directly (what kubectl execs), the same through kubectl's
# plugin lookup, and kubectl itself; each REV given is built and timed too.
# Three rounds of 40 runs each, in turn; the medians of each round printed.
#
#   test/bench/help.sh            # the working tree
#   test/bench/help.sh 39e40d9    # a commit beside it
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
work=$(mktemp -d)
trap 'for d in "$work"/src-*; do [ -d "$d" ] && git -C "$root" worktree remove --force "$d" >/dev/null 2>&1; done; rm -rf "$work"' EXIT
kubectl=${KUBECTL:-$(command -v kubectl)}
build() { # build SRC NAME
  (cd "$1" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$work/$2/kubectl-expose_gw" ./cmd/kubectl-expose_gw)
}
build "$root" worktree
cmds=(-n "kubectl --help" "$kubectl --help"
  -n "expose-gw --help (worktree)" "$work/worktree/kubectl-expose_gw --help"
  -n "kubectl expose-gw --help (worktree)" "env PATH=$work/worktree:/usr/bin:/bin $kubectl expose-gw --help")
i=0
for rev in "$@"; do
  i=$((i + 1))
  git worktree add --detach "$work/src-$i" "$rev" >/dev/null 2>&1
  build "$work/src-$i" "$rev"
  cmds+=(-n "expose-gw --help ($rev)" "$work/$rev/kubectl-expose_gw --help")
done
for round in 1 2 3; do
  hyperfine -N --warmup 5 --runs 40 --export-json "$work/round-$round.json" "${cmds[@]}" >/dev/null
done
printf "%-42s %s\n" "command" "median ms, rounds 1 2 3"
jq -rs '[.[].results] | transpose[] | [.[0].command, (map(.median * 1000 | . * 100 | round / 100 | tostring) | join("  "))] | @tsv' \
  "$work"/round-{1,2,3}.json | awk -F'\t' '{printf "%-42s %s\n", $1, $2}'
