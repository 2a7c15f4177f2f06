package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/openprefs/terraform-provider-notification/internal/prefs"
)

// declaredKeysValidator checks what can be checked before the provider is
// configured: each key is a dotted path of one of the dialects' depths, and
// each value is set. Unlike mapvalidator.NoNullValues it points at the key
// itself, preferences["<key>"], and says what to do. The dialect's exact
// depth and the server's catalogue are checked at plan, in ModifyPlan.
type declaredKeysValidator struct{}

var _ validator.Map = declaredKeysValidator{}

func (declaredKeysValidator) Description(_ context.Context) string {
	return "each key is a dotted path of lowercase letters, digits and underscores, and each value is true or false"
}

func (v declaredKeysValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (declaredKeysValidator) ValidateMap(_ context.Context, req validator.MapRequest, resp *validator.MapResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	for key, value := range req.ConfigValue.Elements() {
		p := req.Path.AtMapKey(key)
		if err := prefs.CheckKeySyntax(key); err != nil {
			addMalformedKey(&resp.Diagnostics, p, err.Error())
		}
		if value.IsNull() {
			addNullValue(&resp.Diagnostics, p, key)
		}
	}
}
