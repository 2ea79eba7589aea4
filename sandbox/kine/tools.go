//go:build tools

// The sandbox's second cluster stores its state the way k3s does: kube-apiserver speaks the
// etcd API to kine, which keeps it in SQLite. This wrapper pins kine's version; its main
// package is built by sandbox/parts/helix.sh.
package tools

import (
	_ "github.com/k3s-io/kine"
)
