// Package tools pins the binaries the end-to-end tests run: kube-apiserver,
// kubectl, etcd and kwok. They are built by `make tools` into bin/.
package tools
