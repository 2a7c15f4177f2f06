package mockapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/openprefs/terraform-provider-notification/internal/prefs"
)

// adminPrefix is where the mock answers a test's requests about itself
// rather than an API's. They need no token, are never journalled and never
// meet an injected fault:
//
//	POST /_mock/reset     back to how the mock started (its -state file included)
//	POST /_mock/set       {"token": T, "preferences": {key: bool}}: change the values
//	                      of the user T authenticates, as another client of the API would
//	POST /_mock/withdraw  {"api": "v1"|"vastai", "keys": [key]}: retire keys from a catalogue
//	POST /_mock/ship      {"api": "v1"|"vastai", "keys": {key: default}}: launch keys
//	POST /_mock/ignore    {"api": "v1"|"vastai", "keys": [key]}: writes of these keys
//	                      succeed but keep the value the key had
//	GET  /_mock/journal   the requests served so far, oldest first
//	POST /_mock/session   {"user": "demo", "lifetime": "2s"}, both optional: a new v1
//	                      session token, as a token service would answer it:
//	                      {"token": T, "expires_at": RFC 3339}
//
// Errors are {"error": text} with status 400 or 404.
const adminPrefix = "/_mock/"

func (s *Server) serveAdmin(w http.ResponseWriter, r *http.Request) {
	op := strings.TrimPrefix(r.URL.Path, adminPrefix)
	if want := adminMethod(op); want == "" {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": fmt.Sprintf("no admin endpoint %s; see notification-mock -h", r.URL.Path)})
		return
	} else if r.Method != want {
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": fmt.Sprintf("%s takes %s", r.URL.Path, want)})
		return
	}
	var err error
	switch op {
	case "reset":
		s.Reset()
	case "journal":
		writeJSON(w, http.StatusOK, s.Journal())
		return
	case "session":
		s.serveSession(w, r)
		return
	case "set":
		var req struct {
			Token       string         `json:"token"`
			Preferences prefs.Document `json:"preferences"`
		}
		if err = decodeAdmin(r, &req); err == nil {
			err = s.setFor(req.Token, req.Preferences)
		}
	case "withdraw", "ignore":
		var req struct {
			API  prefs.Dialect `json:"api"`
			Keys []string      `json:"keys"`
		}
		if err = decodeAdmin(r, &req); err == nil {
			if err = checkDialect(req.API); err == nil && op == "withdraw" {
				s.Withdraw(req.API, req.Keys...)
			} else if err == nil {
				s.IgnoreWrites(req.API, req.Keys...)
			}
		}
	case "ship":
		var req struct {
			API  prefs.Dialect  `json:"api"`
			Keys prefs.Document `json:"keys"`
		}
		if err = decodeAdmin(r, &req); err == nil {
			if err = checkDialect(req.API); err == nil {
				_, err = checkKeys(req.API, "keys", req.Keys, nil)
			}
			if err == nil {
				s.Ship(req.API, req.Keys)
			}
		}
	}
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, map[string]bool{"success": true})
}

func adminMethod(op string) string {
	switch op {
	case "reset", "set", "withdraw", "ship", "ignore", "session":
		return http.MethodPost
	case "journal":
		return http.MethodGet
	}
	return ""
}

func decodeAdmin(r *http.Request, v any) error {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("the body must be a JSON object of this endpoint's shape: %w", err)
	}
	return nil
}

func checkDialect(d prefs.Dialect) error {
	_, err := prefs.ParseDialect(string(d))
	return err
}

// setFor changes the stored values of the user token authenticates.
func (s *Server) setFor(token string, values prefs.Document) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var stored prefs.Document
	if user, ok := s.sessionUser(token); ok {
		stored = s.v1Values(user)
	} else if id, ok := s.vastKeys[token]; ok {
		stored = s.vastValues(id)
	} else {
		return fmt.Errorf("no v1 session or vastai key %q", token)
	}
	for k, v := range values {
		stored[k] = v
	}
	return nil
}
