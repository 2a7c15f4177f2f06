package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/openprefs/terraform-provider-notification/internal/prefs"
)

// What the resource keeps in private state, beside its state: data users
// never see in a plan, but that the next operation needs.
const (
	// earlierKey holds, for each managed key, the value it had just before
	// this resource first managed it: what destroy and key removal write
	// back, since the APIs cannot reset a key.
	earlierKey = "earlier"
	// legacyEarlierKey is where earlier releases (0.1.0 among them) kept
	// the earlier values. It is read when earlierKey is absent and cleared
	// by the next save, so state they wrote still restores.
	legacyEarlierKey = "restore"
	// withdrawnKey lists the managed keys the server stopped reporting at
	// the last refresh. They stay in state with their last values, so that
	// a configuration still declaring them plans no change and destroy is
	// not blocked; they are never written again.
	withdrawnKey = "withdrawn"
	// planNameKey tells one plan from another within a walk: see planName.
	planNameKey = "plan_name"
)

// privateState is the part of the framework's private state API we read;
// both the request's and the response's private data satisfy it.
type privateState interface {
	GetKey(ctx context.Context, key string) ([]byte, diag.Diagnostics)
}

// privateSetter is the part we write.
type privateSetter interface {
	SetKey(ctx context.Context, key string, value []byte) diag.Diagnostics
}

// privateData is the resource's private state, read once per operation.
type privateData struct {
	earlier   prefs.Document
	withdrawn []string
}

func readPrivate(ctx context.Context, p privateState, diags *diag.Diagnostics) privateData {
	return privateData{earlier: readEarlier(ctx, p, diags), withdrawn: readWithdrawn(ctx, p, diags)}
}

// save writes the private state after a successful write, and drops the
// plan's name, which means something only within the walk that made it.
func (d privateData) save(ctx context.Context, p privateSetter, diags *diag.Diagnostics) {
	raw, _ := json.Marshal(earlierData{Version: earlierVersion, Values: d.earlier}) // booleans by name: always marshals
	diags.Append(p.SetKey(ctx, earlierKey, raw)...)
	diags.Append(p.SetKey(ctx, legacyEarlierKey, nil)...)
	setWithdrawn(ctx, p, d.withdrawn, diags)
	diags.Append(p.SetKey(ctx, planNameKey, nil)...)
}

// earlierVersion is the version of the earlier-values entry this provider
// writes. Version 0 (release 0.1.0) was the bare map of earlier values;
// version 1 wraps it, so that a later change of its shape can tell what
// it is reading.
const earlierVersion = 1

type earlierData struct {
	Version int            `json:"version"`
	Values  prefs.Document `json:"values"`
}

func readEarlier(ctx context.Context, p privateState, diags *diag.Diagnostics) prefs.Document {
	raw, d := p.GetKey(ctx, earlierKey)
	diags.Append(d...)
	if len(raw) == 0 {
		raw, d = p.GetKey(ctx, legacyEarlierKey)
		diags.Append(d...)
	}
	earlier, err := decodeEarlier(raw)
	if err != nil {
		addEarlierUnreadable(diags, err)
		return prefs.Document{}
	}
	return earlier
}

// decodeEarlier reads the earlier-values entry of any version so far.
func decodeEarlier(raw []byte) (prefs.Document, error) {
	if len(raw) == 0 {
		return prefs.Document{}, nil
	}
	var data earlierData
	if err := json.Unmarshal(raw, &data); err == nil && data.Version > 0 {
		if data.Version > earlierVersion {
			return nil, fmt.Errorf("version %d was written by a newer release of the provider", data.Version)
		}
		if data.Values == nil {
			data.Values = prefs.Document{}
		}
		return data.Values, nil
	}
	legacy := prefs.Document{} // version 0: keys are dotted, so never "version"
	if err := json.Unmarshal(raw, &legacy); err != nil {
		return nil, err
	}
	return legacy, nil
}

func readWithdrawn(ctx context.Context, p privateState, diags *diag.Diagnostics) []string {
	raw, d := p.GetKey(ctx, withdrawnKey)
	diags.Append(d...)
	var keys []string
	if len(raw) > 0 && json.Unmarshal(raw, &keys) != nil {
		return nil
	}
	return keys
}

func setWithdrawn(ctx context.Context, p privateSetter, keys []string, diags *diag.Diagnostics) {
	var raw []byte
	if len(keys) > 0 {
		raw, _ = json.Marshal(slices.Sorted(slices.Values(keys)))
	}
	diags.Append(p.SetKey(ctx, withdrawnKey, raw)...)
}
