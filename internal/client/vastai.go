package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"unicode/utf8"

	"github.com/openprefs/terraform-provider-notification/internal/prefs"
)

// vastClient speaks Vast.ai's full-PUT dialect: a PUT replaces the whole
// document and absent keys fall back to their defaults, so every write is
// the current document with the changes overlaid.
type vastClient struct {
	t      *transport
	base   string
	userID int64
}

func (c *vastClient) Dialect() prefs.Dialect { return prefs.VastAI }
func (c *vastClient) ID() string             { return fmt.Sprint(c.userID) }

func (c *vastClient) path() string {
	return fmt.Sprintf("/api/v0/users/%d/notification-prefs/", c.userID)
}

func (c *vastClient) Read(ctx context.Context) (prefs.Document, error) {
	return c.do(ctx, http.MethodGet, nil, nil)
}

func (c *vastClient) Apply(ctx context.Context, changes, hold, current prefs.Document) (prefs.Document, error) {
	if current == nil {
		var err error
		if current, err = c.Read(ctx); err != nil {
			return nil, err
		}
	}
	if len(changes) == 0 {
		return current, nil
	}
	// Every held value goes into the document the PUT replaces, not only
	// the changed ones: a held key someone changed since the plan was made
	// would otherwise be written back as they left it.
	body := map[string]any{"notification_preferences": current.Overlay(hold).Overlay(changes).Nest()}
	return c.do(ctx, http.MethodPut, body, changes)
}

// ResolveUser gives a vastai client configured without a user id the
// id of the API key's own user, by asking the API as the vast CLI's
// `show user` does (GET /api/v0/users/current/), over the client's own
// transport. Any other client is left as it is.
func ResolveUser(ctx context.Context, c Client) error {
	v, ok := c.(*vastClient)
	if !ok || v.userID > 0 {
		return nil
	}
	id, err := v.currentUser(ctx)
	if err != nil {
		return err
	}
	v.userID = id
	return nil
}

func (c *vastClient) currentUser(ctx context.Context) (int64, error) {
	resp, err := c.t.send(ctx, http.MethodGet, c.base+"/api/v0/users/current/", nil)
	if err != nil {
		return 0, err
	}
	var user struct {
		ID *int64 `json:"id"`
	}
	if err := decodeJSON(resp.body, &user); err != nil {
		return 0, badResponse(http.MethodGet, resp, err.Error())
	}
	if !resp.is2xx() || user.ID == nil || *user.ID < 1 {
		// An error envelope, or a user object without a usable id.
		_, err := decodeVast(http.MethodGet, resp, nil)
		if err == nil {
			err = badResponse(http.MethodGet, resp, "the user object has no positive id")
		}
		return 0, err
	}
	return *user.ID, nil
}

type vastEnvelope struct {
	Success     *bool           `json:"success"`
	Preferences json.RawMessage `json:"notification_preferences"`
	Error       string          `json:"error"`
	Msg         string          `json:"msg"`
}

func (c *vastClient) do(ctx context.Context, method string, body any, changes prefs.Document) (prefs.Document, error) {
	resp, err := c.t.send(ctx, method, c.base+c.path(), body)
	if err != nil {
		return nil, err
	}
	return decodeVast(method, resp, changes)
}

// decodeVast turns a vastai response into the resolved document or an
// *APIError. Vast.ai's errors carry no per-key details, only a message;
// the changed keys that message names become the details, so a diagnostic
// can still point at the key.
func decodeVast(method string, resp *response, changes prefs.Document) (prefs.Document, error) {
	var env vastEnvelope
	if err := decodeJSON(resp.body, &env); err != nil {
		return nil, badResponse(method, resp, err.Error())
	}
	if !resp.succeeded(env.Success) {
		if env.Error == "" && env.Msg == "" {
			return nil, resp.missingError(method, "no error in the body")
		}
		e := &APIError{
			Method: method, Path: resp.path, Status: resp.status, Attempts: resp.attempts,
			Code: env.Error, Message: env.Msg, RequestID: resp.requestID,
		}
		for key := range changes {
			if mentions(env.Msg, key) {
				if e.Details == nil {
					e.Details = make(map[string]string)
				}
				e.Details[key] = env.Msg
			}
		}
		return nil, e
	}
	return flattenData(prefs.VastAI, method, resp, env.Preferences)
}

// mentions reports whether msg names key as a whole word, so that
// "client.low_credit.email" is not found inside "client.low_credit.emails"
// and a key at the end of a sentence still counts.
func mentions(msg, key string) bool {
	if key == "" || !utf8.ValidString(key) {
		return false // no key of either dialect's grammar, and no pattern to build
	}
	word := regexp.MustCompile(`(?:^|[^a-z0-9_.])` + regexp.QuoteMeta(key) + `\.?(?:$|[^a-z0-9_.])`)
	return word.MatchString(msg)
}
