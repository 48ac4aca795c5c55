#!/usr/bin/env bash
# Builds the test control plane (kube-apiserver, etcd, kubectl, kwok) from the
# Go module proxy into $1 (default bin/). Called by `make tools`, which runs it
# only when a binary is missing or test/tools/go.mod or go.sum changed.
set -euo pipefail
out=$(cd "$(dirname "$0")/../.." && pwd)/${1:-bin}
cd "$(dirname "$0")"
mkdir -p "$out"
kv=v1.37.2
ld="-s -w"
for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ld="$ld -X $p.gitVersion=$kv -X $p.gitMajor=1 -X $p.gitMinor=37 -X $p.gitTreeState=clean"
done
export CGO_ENABLED=0
build() { # name package
  echo ">> building $1 (first build of the control plane takes about 5 minutes)" >&2
  go build -trimpath -ldflags "$ld" -o "$out/$1.tmp" "$2"
  mv "$out/$1.tmp" "$out/$1"
}
build etcd go.etcd.io/etcd/server/v3
build kube-apiserver k8s.io/kubernetes/cmd/kube-apiserver
build kubectl k8s.io/kubernetes/cmd/kubectl
build kwok sigs.k8s.io/kwok/cmd/kwok
