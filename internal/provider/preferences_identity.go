package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// preferencesIdentity names the preferences document a resource manages,
// for Terraform 1.12's resource identity: import blocks may name it
// instead of an id, and Terraform can tell two resources' documents apart.
type preferencesIdentity struct {
	ID types.String `tfsdk:"id"`
}

func (r *preferencesResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			"id": identityschema.StringAttribute{
				Description:       "The preferences document: `me` for the `v1` API, the user id for `vastai`.",
				RequiredForImport: true,
			},
		},
	}
}

// setIdentity keeps the identity in step with the resource's id. Terraform
// releases before 1.12 send no identity, and then there is none to set.
// It sets the one attribute rather than the whole preferencesIdentity: Read
// calls it for every resource on every plan.
func setIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity, id types.String, diags *diag.Diagnostics) {
	if identity == nil {
		return
	}
	diags.Append(identity.SetAttribute(ctx, path.Root("id"), id)...)
}
