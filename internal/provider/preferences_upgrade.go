package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/resource"
)

// UpgradeState reads state written by earlier schema versions. Version 0
// (release 0.1.0) had the same attributes; what changed with version 1 is
// the shape of the earlier values in private state, which decodeEarlier
// reads in either shape, so the state itself carries over as it is.
func (r *preferencesResource) UpgradeState(ctx context.Context) map[int64]resource.StateUpgrader {
	var current resource.SchemaResponse
	r.Schema(ctx, resource.SchemaRequest{}, &current)
	v0 := current.Schema
	v0.Version = 0
	return map[int64]resource.StateUpgrader{
		0: {
			PriorSchema: &v0,
			StateUpgrader: func(ctx context.Context, req resource.UpgradeStateRequest, resp *resource.UpgradeStateResponse) {
				var state preferencesModel
				resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
				resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
			},
		},
	}
}
