package client

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/openprefs/terraform-provider-notification/internal/prefs"
)

const v1Path = "/v1/me/notifications"

// v1Client speaks the partial-PATCH dialect: absent keys keep their value,
// so a write carries only the keys that change.
type v1Client struct {
	t    *transport
	base string
}

func (c *v1Client) Dialect() prefs.Dialect { return prefs.V1 }
func (c *v1Client) ID() string             { return "me" }

func (c *v1Client) Read(ctx context.Context) (prefs.Document, error) {
	return c.do(ctx, http.MethodGet, nil)
}

func (c *v1Client) Apply(ctx context.Context, changes, _, current prefs.Document) (prefs.Document, error) {
	if len(changes) == 0 {
		if current != nil {
			return current, nil
		}
		return c.Read(ctx)
	}
	// The PATCH answers with the whole document; whether it holds every
	// declared value is for the caller to check (a held key someone
	// changed since the batch was formed shows there).
	return c.do(ctx, http.MethodPatch, changes.Nest())
}

// v1Envelope is the shape of every v1 response; fields the provider does
// not use (meta) are ignored.
type v1Envelope struct {
	Success *bool           `json:"success"`
	Data    json.RawMessage `json:"data"`
	Error   *struct {
		Code      string            `json:"code"`
		Message   string            `json:"message"`
		RequestID string            `json:"request_id"`
		Details   map[string]string `json:"details"`
	} `json:"error"`
}

func (c *v1Client) do(ctx context.Context, method string, body any) (prefs.Document, error) {
	resp, err := c.t.send(ctx, method, c.base+v1Path, body)
	if err != nil {
		return nil, err
	}
	return decodeV1(method, resp)
}

// decodeV1 turns a v1 response into the resolved document or an *APIError.
func decodeV1(method string, resp *response) (prefs.Document, error) {
	var env v1Envelope
	if err := decodeJSON(resp.body, &env); err != nil {
		return nil, badResponse(method, resp, err.Error())
	}
	if !resp.succeeded(env.Success) || env.Error != nil {
		if env.Error == nil {
			return nil, resp.missingError(method, "no error object in the envelope")
		}
		e := &APIError{
			Method: method, Path: resp.path, Status: resp.status, Attempts: resp.attempts,
			Code: env.Error.Code, Message: env.Error.Message,
			RequestID: env.Error.RequestID, Details: env.Error.Details,
		}
		if e.RequestID == "" {
			e.RequestID = resp.requestID
		}
		return nil, e
	}
	return flattenData(prefs.V1, method, resp, env.Data)
}
