// Wrapper module for the etcd server binary (see scripts/toolchain.sh).
//
// Why a wrapper: go.etcd.io/etcd/server/v3's go.mod replaces its sibling
// modules (api, client/pkg, client/v3, pkg) with relative paths (../api, ...),
// so `go install go.etcd.io/etcd/server/v3@v3.6.16` is refused. Those
// replaces only matter inside etcd's own repository: the siblings are all
// published at the same v3.6.16 tag, and the ordinary requirements resolve to
// them, so this wrapper needs NO replace lines at all.
//
// Version: kwok v0.8.0 pairs Kubernetes 1.36 with etcd 3.6.10, which the module
// proxy here does not serve; v3.6.16 is the newest 3.6 patch release it does.
// The package go.etcd.io/etcd/server/v3 itself is `package main` (server/main.go).
module cto.local/toolchain/etcd

go 1.26.0

tool go.etcd.io/etcd/server/v3

require go.etcd.io/etcd/server/v3 v3.6.16
