// hcl1json reads HCL files with HCL 1 (github.com/hashicorp/hcl v1) exactly
// as Consul reads its agent config and service definition files, and prints
// what it decoded as JSON. Test-only: it lets a test see what Consul sees in
// a consul/<svc>.hcl we generate.
//
// Consul's loader (hashicorp/consul: agent/config/config.go, Parse) does
//
//	var raw map[string]interface{}
//	err = hcl.Decode(&raw, data)
//
// and only then reshapes the map (lib.PatchSliceOfMaps, key translation);
// this tool stops after hcl.Decode, so blocks and `{…}` values come out as
// HCL 1 decodes them: lists of objects.
//
//	hcl1json FILE...
//
// Prints one JSON array with one entry per FILE, in order: {"json": {…}}
// or {"error": "…"} when HCL 1 refuses the file. Exit 0 unless the files
// cannot be read or the output written.
//
// Built offline from Debian's golang-go and golang-github-hashicorp-hcl-dev:
//
//	GO111MODULE=off GOPATH=/usr/share/gocode go build -o hcl1json main.go
package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/hashicorp/hcl"
)

type result struct {
	JSON  interface{} `json:"json,omitempty"`
	Error *string     `json:"error,omitempty"`
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: hcl1json FILE...")
		os.Exit(2)
	}
	results := make([]result, 0, len(os.Args)-1)
	for _, file := range os.Args[1:] {
		data, err := os.ReadFile(file)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		var raw map[string]interface{}
		if err := hcl.Decode(&raw, string(data)); err != nil {
			message := err.Error()
			results = append(results, result{Error: &message})
			continue
		}
		if raw == nil {
			raw = map[string]interface{}{}
		}
		results = append(results, result{JSON: raw})
	}
	out := json.NewEncoder(os.Stdout)
	out.SetEscapeHTML(false)
	if err := out.Encode(results); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
