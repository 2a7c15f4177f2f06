package client

import (
	"encoding/json"

	"github.com/openprefs/terraform-provider-notification/internal/prefs"
)

// response is what came back from the last attempt.
type response struct {
	path      string // the URL path requested, endpoint path included
	attempts  int
	status    int
	requestID string
	body      []byte
}

// succeeded reports whether a response is a success in both dialects'
// terms: a 2xx status and "success": true.
func (r *response) succeeded(success *bool) bool {
	return r.is2xx() && success != nil && *success
}

func (r *response) is2xx() bool { return r.status >= 200 && r.status < 300 }

// missingError describes a response that is not a success but carries no
// error either: a 2xx whose "success" is not true, or an error status with
// a body that says nothing (noError, in the dialect's words).
func (r *response) missingError(method, noError string) *APIError {
	if r.is2xx() {
		return badResponse(method, r, `"success" is not true`)
	}
	return badResponse(method, r, noError)
}

// flattenData reads the document inside a successful envelope.
func flattenData(d prefs.Dialect, method string, resp *response, data json.RawMessage) (prefs.Document, error) {
	var nested map[string]any
	if len(data) == 0 || string(data) == "null" {
		return nil, badResponse(method, resp, "the envelope holds no document")
	}
	if err := json.Unmarshal(data, &nested); err != nil {
		return nil, badResponse(method, resp, "the document is not a JSON object")
	}
	doc, err := d.Flatten(nested)
	if err != nil {
		return nil, badResponse(method, resp, err.Error())
	}
	return doc, nil
}
