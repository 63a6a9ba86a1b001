// Command gen writes schema-embed.json and terraform-mapping-embed.json for
// the kubernetes provider wrapper (see ../main.go).
//
// Usage: go run ./gen -src <dir of cmd/pulumi-resource-kubernetes in the
// module cache> -out <dir> -version <semver without v>
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
)

func main() {
	src := flag.String("src", "", "directory holding schema.json and terraform-mapping.json")
	out := flag.String("out", ".", "directory to write the *-embed.json files to")
	ver := flag.String("version", "", "provider version written into the schema (no leading v)")
	flag.Parse()
	if *src == "" || *ver == "" {
		fail(fmt.Errorf("-src and -version are required"))
	}

	// The schema is kept as ordered raw JSON values: only "version" changes.
	var schema map[string]json.RawMessage
	readJSON(filepath.Join(*src, "schema.json"), &schema)
	v, err := json.Marshal(*ver)
	fail(err)
	schema["version"] = v
	writeJSON(filepath.Join(*out, "schema-embed.json"), schema)

	// The mapping is only compacted.
	var mapping json.RawMessage
	readJSON(filepath.Join(*src, "terraform-mapping.json"), &mapping)
	writeJSON(filepath.Join(*out, "terraform-mapping-embed.json"), mapping)
}

func readJSON(path string, into any) {
	data, err := os.ReadFile(path)
	fail(err)
	fail(json.Unmarshal(data, into))
}

func writeJSON(path string, v any) {
	data, err := json.Marshal(v)
	fail(err)
	fail(os.WriteFile(path, data, 0o644))
}

func fail(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}
