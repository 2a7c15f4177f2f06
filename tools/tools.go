// Package tools holds the code generation steps, apart from the provider:
// `go generate ./...` (or `make generate`) formats the examples and renders
// docs/ from the schema, templates/ and examples/. tfplugindocs is pinned by
// the tool directive in go.mod and reads the provider schema through the
// terraform on PATH, which make generate pins to Terraform 1.8.5.
package tools

//go:generate terraform fmt -recursive ../examples/
//go:generate go tool tfplugindocs generate --provider-dir .. --provider-name notification
