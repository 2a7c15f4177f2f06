package provider

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/openprefs/terraform-provider-notification/internal/client"
	"github.com/openprefs/terraform-provider-notification/internal/credentials"
	"github.com/openprefs/terraform-provider-notification/internal/prefs"
)

func (m providerModel) hasUnknown() bool {
	return m.Endpoint.IsUnknown() || m.Token.IsUnknown() || m.API.IsUnknown() ||
		m.UserID.IsUnknown() || m.RequestTimeout.IsUnknown() || m.MaxRetries.IsUnknown() ||
		m.TokenFile.IsUnknown() || m.TokenCommand.IsUnknown() || slices.ContainsFunc(m.TokenCommand.Elements(), attr.Value.IsUnknown)
}

// setting is one provider argument resolved against its environment
// variable: configuration wins, then the environment.
type setting struct {
	attr, env, value string
}

func resolve(attr, env string, v types.String) setting {
	s := setting{attr: attr, env: env, value: v.ValueString()}
	if v.IsNull() {
		s.value = os.Getenv(env)
	}
	return s
}

func resolveInt(attr, env string, v types.Int64) setting {
	if v.IsNull() {
		return setting{attr: attr, env: env, value: os.Getenv(env)}
	}
	return setting{attr: attr, env: env, value: strconv.FormatInt(v.ValueInt64(), 10)}
}

func (s setting) error(diags *diag.Diagnostics, summary, detail string) {
	addSettingError(diags, s, summary, detail)
}

// VastEndpoint is the vastai API's server (its OpenAPI document's), the
// endpoint when none is set.
const VastEndpoint = "https://console.vast.ai"

// cleartext reports whether an endpoint sends the token unencrypted over a
// network: http:// to anything but the loopback interface.
func cleartext(endpoint string) bool {
	u, err := url.Parse(endpoint)
	if err != nil || u.Scheme != "http" {
		return false
	}
	host := u.Hostname()
	if host == "localhost" {
		return false
	}
	ip := net.ParseIP(host)
	return ip == nil || !ip.IsLoopback()
}

// clientConfig resolves the provider block and the environment into a
// client configuration, with one diagnostic per bad argument.
func (m providerModel) clientConfig(version, terraformVersion string) (client.Config, diag.Diagnostics) {
	return m.clientConfigWith(version, terraformVersion, 0)
}

// clientConfigWith is clientConfig with a time limit for token_command;
// zero means credentials.DefaultCommandTimeout.
func (m providerModel) clientConfigWith(version, terraformVersion string, commandTimeout time.Duration) (client.Config, diag.Diagnostics) {
	var diags diag.Diagnostics
	cfg := client.Config{
		MaxRetries: client.DefaultMaxRetries,
		UserAgent:  fmt.Sprintf("terraform-provider-notification/%s (+https://registry.terraform.io/providers/openprefs/notification) Terraform/%s", version, terraformVersion),
	}

	dialect := resolve("api", "NOTIFICATION_API", m.API)
	cfg.Dialect = prefs.V1
	if dialect.value != "" {
		d, err := prefs.ParseDialect(dialect.value)
		if err != nil {
			dialect.error(&diags, "Unknown Notification API Dialect", err.Error()+".")
		}
		cfg.Dialect = d
	}
	vast := cfg.Dialect == prefs.VastAI

	endpoint := resolve("endpoint", "NOTIFICATION_ENDPOINT", m.Endpoint)
	if endpoint.value == "" && vast {
		endpoint.value = VastEndpoint // the vastai API has one home, as the vast CLI knows
	}
	if endpoint.value == "" {
		endpoint.error(&diags, "Missing Notification API Endpoint", "The provider needs the base URL of the notification API, such as https://api.example.com.")
	} else if base, err := client.ParseEndpoint(endpoint.value); err != nil {
		endpoint.error(&diags, "Invalid Notification API Endpoint", err.Error()+".")
	} else {
		cfg.Endpoint = base
		if cleartext(base) {
			addCleartextWarning(&diags, endpoint.attr, base)
		}
	}

	cfg.Token, cfg.Source = m.tokenSource(&diags, vast, commandTimeout)

	userID := resolveInt("user_id", "NOTIFICATION_USER_ID", m.UserID)
	if userID.value != "" {
		id, err := strconv.ParseInt(userID.value, 10, 64)
		if err != nil || id < 1 {
			userID.error(&diags, "Invalid Vast.ai User ID", fmt.Sprintf("%q is not a positive whole number.", userID.value))
		}
		cfg.UserID = id
	}

	timeout := resolve("request_timeout", "NOTIFICATION_REQUEST_TIMEOUT", m.RequestTimeout)
	if timeout.value != "" {
		d, err := time.ParseDuration(timeout.value)
		if err != nil || d <= 0 {
			timeout.error(&diags, "Invalid Request Timeout", fmt.Sprintf("%q is not a positive duration; write it like 30s or 2m.", timeout.value))
		}
		cfg.Timeout = d
	}

	retries := resolveInt("max_retries", "NOTIFICATION_MAX_RETRIES", m.MaxRetries)
	if retries.value != "" {
		n, err := strconv.Atoi(retries.value)
		if err != nil || n < 0 || n > 10 {
			retries.error(&diags, "Invalid max_retries", fmt.Sprintf("%q is not a whole number from 0 to 10.", retries.value))
		}
		cfg.MaxRetries = n
	}
	return cfg, diags
}

// tokenSource resolves where the token comes from: exactly one of token,
// token_file and token_command. A source set in the provider block wins
// over the environment (the schema's validators refuse two in the block);
// of the environment's, NOTIFICATION_TOKEN and NOTIFICATION_TOKEN_FILE
// both set is an error, since nothing says which is meant; VAST_API_KEY
// comes last, for vastai only. An empty or blank token, in the block or
// the environment, counts as unset, as a variable defaulting to "" means
// it: the environment's source applies, or the token is missing. It
// returns the static token too, when that is the source, for callers that
// read Config.Token.
func (m providerModel) tokenSource(diags *diag.Diagnostics, vast bool, commandTimeout time.Duration) (string, client.TokenSource) {
	blank := !m.Token.IsNull() && strings.TrimSpace(m.Token.ValueString()) == ""
	switch {
	case !m.Token.IsNull() && !blank:
		return staticToken(diags, setting{attr: "token", env: "NOTIFICATION_TOKEN", value: m.Token.ValueString()}, false)
	case !m.TokenFile.IsNull():
		return "", credentials.File(m.TokenFile.ValueString(), credentials.Options{})
	case !m.TokenCommand.IsNull():
		var argv []string
		diags.Append(m.TokenCommand.ElementsAs(context.Background(), &argv, false)...)
		if len(argv) == 0 || argv[0] == "" {
			addEmptyTokenProgram(diags)
			return "", nil
		}
		return "", credentials.Command(argv, credentials.Options{Timeout: commandTimeout})
	}
	token, file := strings.TrimSpace(os.Getenv("NOTIFICATION_TOKEN")), os.Getenv("NOTIFICATION_TOKEN_FILE")
	switch {
	case token != "" && file != "":
		addTokenSourcesConflict(diags)
		return "", nil
	case file != "":
		return "", credentials.File(file, credentials.Options{})
	case token != "":
		return staticToken(diags, setting{attr: "token", env: "NOTIFICATION_TOKEN", value: token}, true)
	case vast && strings.TrimSpace(os.Getenv("VAST_API_KEY")) != "":
		return staticToken(diags, setting{attr: "token", env: "VAST_API_KEY", value: strings.TrimSpace(os.Getenv("VAST_API_KEY"))}, true)
	}
	addMissingToken(diags, vast, blank)
	return "", nil
}

// staticToken is a token given as it is. One that is a JWT whose exp has
// passed (by more than credentials.ClockSkew) can only be refused: the
// plan fails now, before any request, saying when it expired and what to
// use instead.
func staticToken(diags *diag.Diagnostics, s setting, fromEnv bool) (string, client.TokenSource) {
	src := credentials.Static(s.value, credentials.Options{})
	if tok, now := src.Current(), src.Now(); tok.Expired(now) {
		addExpiredStaticToken(diags, s, fromEnv, tok.Expiry, now)
	}
	return s.value, src
}
