package mockapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/openprefs/terraform-provider-notification/internal/prefs"
)

// State is what a mock starts from on top of its built-in catalogues and
// demo principals: the file `notification-mock -state FILE` reads, so that
// a user can mirror their own account's keys and values. Every part is
// optional:
//
//	{
//	  "v1": {
//	    "keys":      {"email.product_news": false, "in_app.product_updates": true},
//	    "immutable": ["email.legal_notices"],
//	    "sessions":  {"demo-session-token": {"email.weekly_usage_digest": true},
//	                  "team-session-token": {}}
//	  },
//	  "vastai": {
//	    "keys":      {"client.maintenance.email": true},
//	    "mandatory": ["client.maintenance.email"],
//	    "users":     [{"id": 7001, "key": "team-vast-key",
//	                   "preferences": {"client.low_credit.email": false}}]
//	  }
//	}
//
// keys adds keys to a dialect's catalogue with their default values;
// immutable (v1) names keys that exist but that users may never change,
// and that the resolved document leaves out; mandatory (vastai) names keys
// that may be sent as true but never as false. sessions (v1) maps session
// tokens, the demo ones or new ones (each a user of its own), to values
// stored for that user; users (vastai) adds or seeds users, each with its
// API key.
type State struct {
	V1     *V1State   `json:"v1,omitempty"`
	VastAI *VastState `json:"vastai,omitempty"`
}

// V1State is the v1 part of a State.
type V1State struct {
	Keys      prefs.Document            `json:"keys,omitempty"`
	Immutable []string                  `json:"immutable,omitempty"`
	Sessions  map[string]prefs.Document `json:"sessions,omitempty"`
}

// VastState is the vastai part of a State.
type VastState struct {
	Keys      prefs.Document `json:"keys,omitempty"`
	Mandatory []string       `json:"mandatory,omitempty"`
	Users     []VastUser     `json:"users,omitempty"`
}

// VastUser is a Vast.ai user, its API key and its stored values.
type VastUser struct {
	ID          int64          `json:"id"`
	Key         string         `json:"key"`
	Preferences prefs.Document `json:"preferences,omitempty"`
}

// ParseState reads and checks a state file. It accepts exactly one JSON
// object of State's shape: an unknown field, a value of the wrong type, a
// malformed or unknown key, or a user without an id or a key is an error
// saying where, and nothing of a bad file is ever served.
func ParseState(data []byte) (*State, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var st State
	if err := dec.Decode(&st); err != nil {
		return nil, describeJSONError(data, err)
	}
	if err := dec.Decode(&struct{}{}); !errors.Is(err, io.EOF) {
		return nil, errors.New("the file holds more than one JSON value")
	}
	if err := st.check(); err != nil {
		return nil, err
	}
	return &st, nil
}

// describeJSONError adds where in the file a syntax or type error is.
func describeJSONError(data []byte, err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return fmt.Errorf("line %d: %w", lineOf(data, syntax.Offset), err)
	case errors.As(err, &typ) && typ.Field == "":
		return fmt.Errorf("line %d: the file holds a JSON %s where an object belongs", lineOf(data, typ.Offset), typ.Value)
	case errors.As(err, &typ):
		return fmt.Errorf("line %d: %s holds JSON %s where %s belongs", lineOf(data, typ.Offset), typ.Field, typ.Value, typ.Type)
	case errors.Is(err, io.EOF):
		return errors.New("the file is empty: it must hold a JSON object")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errors.New("the file ends inside its JSON object")
	}
	return err
}

func lineOf(data []byte, offset int64) int {
	offset = min(max(offset, 0), int64(len(data)))
	return bytes.Count(data[:offset], []byte("\n")) + 1
}

// check validates the state against the built-in catalogues it extends.
func (st *State) check() error {
	if v := st.V1; v != nil {
		known, err := checkKeys(prefs.V1, "v1.keys", v.Keys, v1Defaults)
		if err != nil {
			return err
		}
		for _, k := range v.Immutable {
			if _, err := prefs.V1.ParseKey(k); err != nil {
				return fmt.Errorf("v1.immutable: %w", err)
			}
			delete(known, k) // immutable keys are never in the resolved document
		}
		for token, values := range v.Sessions {
			if token == "" {
				return errors.New("v1.sessions: a session token is empty")
			}
			if token == DemoAPIKey {
				return fmt.Errorf("v1.sessions: %q is the demo API key, which the v1 endpoint refuses", token)
			}
			if err := checkValues(fmt.Sprintf("v1.sessions[%q]", token), values, known, nil); err != nil {
				return err
			}
		}
	}
	if v := st.VastAI; v != nil {
		known, err := checkKeys(prefs.VastAI, "vastai.keys", v.Keys, vastDefaults)
		if err != nil {
			return err
		}
		mandatory := slices.Concat(vastMandatory, v.Mandatory)
		for _, k := range v.Mandatory {
			if _, ok := known[k]; !ok {
				return fmt.Errorf("vastai.mandatory: %q is not in the catalogue; add it to vastai.keys", k)
			}
		}
		seen := map[string]bool{}
		for i, u := range v.Users {
			where := fmt.Sprintf("vastai.users[%d]", i)
			switch {
			case u.ID < 1:
				return fmt.Errorf("%s: id must be a positive whole number, got %d", where, u.ID)
			case u.Key == "":
				return fmt.Errorf("%s: key is empty", where)
			case seen[u.Key]:
				return fmt.Errorf("%s: key %q is given to another user too", where, u.Key)
			}
			seen[u.Key] = true
			if err := checkValues(where+".preferences", u.Preferences, known, mandatory); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkKeys checks keys to add to a catalogue and returns the catalogue
// with them.
func checkKeys(d prefs.Dialect, where string, keys, builtin prefs.Document) (prefs.Document, error) {
	for k := range keys {
		if _, err := d.ParseKey(k); err != nil {
			return nil, fmt.Errorf("%s: %w", where, err)
		}
	}
	return builtin.Overlay(keys), nil
}

// checkValues checks stored values against the catalogue: a value the API
// would refuse could never have been stored.
func checkValues(where string, values, known prefs.Document, mandatory []string) error {
	for _, k := range values.Keys() {
		if _, ok := known[k]; !ok {
			return fmt.Errorf("%s: %q is not in the catalogue; add it to the dialect's keys", where, k)
		}
		if !values[k] && slices.Contains(mandatory, k) {
			return fmt.Errorf("%s: %q is mandatory and cannot be false", where, k)
		}
	}
	return nil
}

// apply adds the state to a mock being initialised. A nil state adds nothing.
func (st *State) apply(s *Server) {
	if st == nil {
		return
	}
	if v := st.V1; v != nil {
		s.v1.add(v.Keys)
		s.v1.lock(v.Immutable, nil)
		for _, k := range v.Immutable {
			delete(s.v1.defaults, k)
		}
		for token, values := range v.Sessions {
			user, ok := s.sessions[token]
			if !ok {
				user = "session:" + token
				s.sessions[token] = user
			}
			s.v1Values(user)
			for k, b := range values {
				s.v1Stored[user][k] = b
			}
		}
	}
	if v := st.VastAI; v != nil {
		s.vast.add(v.Keys)
		s.vast.lock(nil, v.Mandatory)
		for _, u := range v.Users {
			s.vastKeys[u.Key] = u.ID
			stored := s.vastValues(u.ID)
			for k, b := range u.Preferences {
				stored[k] = b
			}
		}
	}
}
