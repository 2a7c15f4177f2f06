// Package tools holds the code generation steps, apart from the provider:
// `make generate` (or `go generate ./...` in this directory) formats the
// examples and renders docs/ from the schema, templates/ and examples/.
// This is a module of its own, as in terraform-provider-http, so that the
// tools' dependencies stay out of the provider's go.mod. tfplugindocs is
// pinned by the tool directive in tools/go.mod and reads the provider
// schema through the terraform on PATH, which make generate pins to the
// newest Terraform the project builds (1.16.4), the one that reports the
// resource identity and the list resource.
package tools

//go:generate terraform fmt -recursive ../examples/
//go:generate go tool tfplugindocs generate --provider-dir .. --provider-name notification
