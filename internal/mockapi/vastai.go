package mockapi

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/openprefs/terraform-provider-notification/internal/prefs"
)

const (
	vastPrefix      = "/api/v0/users/"
	vastCurrentUser = "/api/v0/users/current/"
)

// serveVastUser answers GET /api/v0/users/current/ with the user object of
// the key's user, id included: what the vast CLI's `show user` reads.
func (s *Server) serveVastUser(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, known := s.vastKeys[bearer(r)]
	switch {
	case !known:
		vastError(w, http.StatusUnauthorized, "auth_error", "invalid or missing API key")
	case r.Method != http.MethodGet:
		w.Header().Set("Allow", "GET")
		vastError(w, http.StatusMethodNotAllowed, "method_not_allowed", "use GET")
	default:
		writeJSON(w, http.StatusOK, map[string]any{"id": id, "username": fmt.Sprintf("user%d", id), "email": fmt.Sprintf("user%d@example.com", id)})
	}
}

// vastError writes Vast.ai's error body: {"success": false, "error": code, "msg": text}.
func vastError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]any{"success": false, "error": code, "msg": msg})
}

func (s *Server) serveVast(w http.ResponseWriter, r *http.Request, body []byte) {
	rest := strings.TrimPrefix(r.URL.Path, vastPrefix)
	idText, ok := strings.CutSuffix(rest, "/notification-prefs/")
	if !ok {
		http.NotFound(w, r)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	keyUser, known := s.vastKeys[bearer(r)]
	if !known {
		vastError(w, http.StatusUnauthorized, "auth_error", "invalid or missing API key")
		return
	}
	userID, valid := parseUserID(idText)
	if !valid {
		vastError(w, http.StatusBadRequest, "invalid_request", fmt.Sprintf("user_id %q is not a positive integer", idText))
		return
	}
	if userID != keyUser {
		vastError(w, http.StatusForbidden, "forbidden", fmt.Sprintf("user %d is not the user of this API key", userID))
		return
	}
	switch r.Method {
	case http.MethodGet:
	case http.MethodPut:
		if s.readOnly[bearer(r)] {
			vastError(w, http.StatusForbidden, "permission_denied", "this API key's permissions allow user_read, not user_write")
			return
		}
		obj, err := decodeObject(body)
		if err != nil {
			vastError(w, http.StatusBadRequest, "invalid_request", err.Error())
			return
		}
		nested, isObject := obj["notification_preferences"].(map[string]any)
		if !isObject {
			vastError(w, http.StatusBadRequest, "invalid_request", "notification_preferences must be an object")
			return
		}
		doc, code, msg := s.vast.validatePut(nested)
		if code != "" {
			vastError(w, http.StatusBadRequest, code, msg)
			return
		}
		// PUT replaces: keys the body leaves out fall back to their defaults.
		s.vast.keep(doc, s.vastStored[userID])
		maps.Copy(doc, s.changesAfterWrite(r, prefs.VastAI))
		s.vastStored[userID] = doc
	default:
		w.Header().Set("Allow", "GET, PUT")
		vastError(w, http.StatusMethodNotAllowed, "method_not_allowed", "use GET or PUT")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"success": true, "notification_preferences": s.vast.resolve(s.vastStored[userID]).Nest()})
}

// validatePut checks a whole vastai document: every path must be a known
// group.event.channel with a boolean, and mandatory emails stay on. It
// names every offending key in the message, as the API's only detail.
func (c *catalogue) validatePut(nested map[string]any) (prefs.Document, string, string) {
	doc := prefs.Document{}
	var unknown, invalid, mandatory []string
	var walk func(node map[string]any, prefix string, depth int)
	walk = func(node map[string]any, prefix string, depth int) {
		for name, value := range node {
			key := strings.TrimPrefix(prefix+"."+name, ".")
			if depth < 3 {
				child, ok := value.(map[string]any)
				switch {
				case !c.prefixes[key]:
					unknown = append(unknown, key)
				case !ok:
					invalid = append(invalid, key)
				default:
					walk(child, key, depth+1)
				}
				continue
			}
			b, isBool := value.(bool)
			switch _, known := c.defaults[key]; {
			case !known:
				unknown = append(unknown, key)
			case !isBool:
				invalid = append(invalid, key)
			case c.mandatory[key] && !b:
				mandatory = append(mandatory, key)
			default:
				doc[key] = b
			}
		}
	}
	walk(nested, "", 1)
	switch {
	case len(unknown) > 0:
		return nil, "unknown_notification_key", "unknown notification key(s): " + list(unknown)
	case len(invalid) > 0:
		return nil, "invalid_value", "notification preferences must be booleans at group.event.channel: " + list(invalid)
	case len(mandatory) > 0:
		return nil, "mandatory_notification", "mandatory notification(s) cannot be disabled: " + list(mandatory)
	}
	return doc, "", ""
}

func list(keys []string) string {
	slices.Sort(keys)
	return strings.Join(keys, ", ")
}
