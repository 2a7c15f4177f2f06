package mockapi

import (
	"fmt"
	"maps"
	"net/http"

	"github.com/openprefs/terraform-provider-notification/internal/prefs"
)

// v1Error writes the v1 error envelope: {"success": false, "error": {code,
// message, request_id, details}}.
func v1Error(w http.ResponseWriter, status int, code, message, requestID string, details map[string]string) {
	e := map[string]any{"code": code, "message": message, "request_id": requestID}
	if len(details) > 0 {
		e["details"] = details
	}
	writeJSON(w, status, map[string]any{"success": false, "error": e})
}

func (s *Server) serveV1(w http.ResponseWriter, r *http.Request, body []byte, requestID string) {
	token := bearer(r)
	s.mu.Lock()
	defer s.mu.Unlock()
	user, ok := s.sessionUser(token)
	switch {
	case s.apiKeys[token]:
		v1Error(w, http.StatusForbidden, "USER_REQUIRED", "endpoint requires a user session", requestID, nil)
		return
	case !ok:
		v1Error(w, http.StatusUnauthorized, "UNAUTHORIZED", "authentication failed", requestID, nil)
		return
	}
	switch r.Method {
	case http.MethodGet:
	case http.MethodPatch:
		patch, err := decodeObject(body)
		if err != nil {
			v1Error(w, http.StatusBadRequest, "INVALID_REQUEST", err.Error(), requestID, nil)
			return
		}
		changes, code, details := s.v1.validatePatch(patch)
		if code != "" {
			v1Error(w, http.StatusUnprocessableEntity, code, v1Messages[code], requestID, details)
			return
		}
		// Only a request with no bad key gets here: PATCH is atomic.
		stored := s.v1Values(user)
		s.v1.keep(changes, stored)
		for k, v := range changes {
			stored[k] = v
		}
		maps.Copy(stored, s.changesAfterWrite(r, prefs.V1))
	default:
		w.Header().Set("Allow", "GET, PATCH")
		v1Error(w, http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED", "use GET or PATCH", requestID, nil)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"success": true, "data": s.v1.resolve(s.v1Stored[user]).Nest()})
}

var v1Messages = map[string]string{
	"UNKNOWN_NOTIFICATION_KEY":   "unknown notification key",
	"IMMUTABLE_NOTIFICATION_KEY": "notification key is not user-toggleable",
	"INVALID_NOTIFICATION_VALUE": "notification values must be booleans",
}

// validatePatch checks a partial document against the catalogue. It returns
// the flat changes, or the error code to answer with and the offending keys.
// Unknown keys outrank immutable ones, which outrank bad values: a request
// is answered with one code, naming every key of that kind.
func (c *catalogue) validatePatch(patch map[string]any) (prefs.Document, string, map[string]string) {
	changes := prefs.Document{}
	unknown, immutable, invalid := map[string]string{}, map[string]string{}, map[string]string{}
	for channel, node := range patch {
		toggles, isObject := node.(map[string]any)
		if !c.prefixes[channel] {
			if !isObject || len(toggles) == 0 {
				unknown[channel] = "unknown channel"
			}
			for toggle := range toggles {
				unknown[channel+"."+toggle] = "unknown channel"
			}
			continue
		}
		if !isObject {
			invalid[channel] = fmt.Sprintf("expected an object of toggles, got %s", prefs.Describe(node))
			continue
		}
		for toggle, value := range toggles {
			key := channel + "." + toggle
			_, known := c.defaults[key]
			switch b, isBool := value.(bool); {
			case c.immutable[key]:
				immutable[key] = "not user-toggleable"
			case !known:
				unknown[key] = "unknown toggle"
			case value == nil:
				invalid[key] = "null is not allowed; send true or false"
			case !isBool:
				invalid[key] = fmt.Sprintf("expected a boolean, got %s", prefs.Describe(value))
			default:
				changes[key] = b
			}
		}
	}
	switch {
	case len(unknown) > 0:
		return nil, "UNKNOWN_NOTIFICATION_KEY", unknown
	case len(immutable) > 0:
		return nil, "IMMUTABLE_NOTIFICATION_KEY", immutable
	case len(invalid) > 0:
		return nil, "INVALID_NOTIFICATION_VALUE", invalid
	}
	return changes, "", nil
}
