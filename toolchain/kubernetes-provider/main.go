// Command pulumi-resource-kubernetes: the Pulumi Kubernetes resource provider,
// built from github.com/pulumi/pulumi-kubernetes/provider/v4 by
// scripts/toolchain.sh.
//
// Upstream's own main package embeds two generated files (schema-embed.json,
// terraform-mapping-embed.json) that are not part of the module zip, so it
// cannot be built from the module proxy as it is. This file is the project's
// replacement for that main package: the build script runs ./gen to derive the
// two files from the module's schema.json / terraform-mapping.json (stamping
// the schema with the version) next to a copy of this file in the build
// directory, then builds it. The files are generated, never committed.
package main

import (
	_ "embed"

	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/provider"
	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version"
)

//go:embed schema-embed.json
var schema []byte

//go:embed terraform-mapping-embed.json
var terraformMapping []byte

func main() {
	// version.Version is set with -ldflags -X by the build script.
	provider.Serve("kubernetes", version.Version, schema, terraformMapping)
}
