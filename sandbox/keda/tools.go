//go:build tools

// The sandbox runs the real KEDA operator outside the cluster, against the sandbox's
// kube-apiserver. This wrapper pins KEDA's version; its operator's main package is built by
// sandbox/parts/keda.sh, and its CRDs are read from the same module.
package tools

import (
	_ "github.com/kedacore/keda/v2/cmd/operator"
)
