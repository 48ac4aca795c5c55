#!/usr/bin/env bash
# What each module contributes to the plugin binary: the symbols of an
# unstripped linux/amd64 build (what `go tool nm -size` lists; code,
# read-only data and data, each symbol once) summed per module by
# test/bench/binsize, then the stripped release binary's size. With git revisions as arguments, each is built from a scratch
# worktree and the columns stand side by side:
#
#   test/bench/size.sh            # the working tree
#   test/bench/size.sh 39e40d9 .  # a commit beside the working tree
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
revs=("$@")
[ ${#revs[@]} -gt 0 ] || revs=(.)
work=$(mktemp -d)
trap 'for d in "$work"/src-*; do [ -d "$d" ] && git -C "$root" worktree remove --force "$d" >/dev/null 2>&1; done; rm -rf "$work"' EXIT
export GOOS=linux GOARCH=amd64 CGO_ENABLED=0
i=0
args=()
for rev in "${revs[@]}"; do
  i=$((i + 1))
  src=$root
  if [ "$rev" != . ]; then
    src=$work/src-$i
    git worktree add --detach "$src" "$rev" >/dev/null 2>&1
  fi
  (cd "$src" && go build -trimpath -o "$work/full-$i" ./cmd/kubectl-expose_gw &&
    go build -trimpath -ldflags "-s -w" -o "$work/stripped-$i" ./cmd/kubectl-expose_gw)
  args+=("$( [ "$rev" = . ] && echo worktree || echo "$rev")=$work/full-$i:$work/stripped-$i")
done
unset GOOS GOARCH
go run ./test/bench/binsize "${args[@]}"
