// Copyright (c) The terraform-provider-notification authors
// SPDX-License-Identifier: MPL-2.0

package main

import (
	"context"
	"flag"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/openprefs/terraform-provider-notification/internal/provider"
)

// version is set by goreleaser's ldflags to the release tag.
var version = "dev"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "set to true to run the provider with support for debuggers like delve")
	flag.Parse()

	if err := provider.SilenceUnreadLogs(); err != nil {
		log.Fatal(err.Error())
	}
	opts := providerserver.ServeOpts{
		Address: "registry.terraform.io/openprefs/notification",
		Debug:   debug,
	}
	if err := providerserver.Serve(context.Background(), provider.New(version), opts); err != nil {
		log.Fatal(err.Error())
	}
}
