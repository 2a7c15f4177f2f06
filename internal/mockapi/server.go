// Package mockapi serves both notification preferences APIs from memory:
// the v1 partial-PATCH API and Vast.ai's full-PUT API, as their documents
// describe them. Tests run it in-process with httptest; `make mock` runs it
// on its own so a person can try the provider against it.
package mockapi

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/openprefs/terraform-provider-notification/internal/prefs"
)

// Demo credentials, served by New and printed by `make mock`.
const (
	DemoSessionToken = "demo-session-token" // v1 user session
	DemoAPIKey       = "demo-api-key"       // v1 API-key principal: 403 USER_REQUIRED
	DemoVastKey      = "demo-vast-key"      // vastai key for DemoVastUser
	DemoVastUser     = 4242
	// A second vastai user with a key and document of its own, for trying
	// what happens when a configuration is pointed at another user.
	OtherVastKey  = "other-vast-key"
	OtherVastUser = 5151
	// A key of DemoVastUser whose permissions allow user_read but not
	// user_write: it reads the preferences and cannot change them.
	ReadOnlyVastKey = "read-only-vast-key"
	// A second v1 user's session: another account's document.
	OtherSessionToken = "other-session-token"
	demoV1User        = "demo"
	otherV1User       = "other"
)

// Server is the mock API. Its methods are safe for concurrent use.
type Server struct {
	mu sync.Mutex

	sessions map[string]string // v1 session token → user
	apiKeys  map[string]bool   // v1 API keys (refused with USER_REQUIRED)
	vastKeys map[string]int64  // vastai key → user id
	readOnly map[string]bool   // vastai keys without user_write

	v1   *catalogue
	vast *catalogue
	// Stored values per user: what users set explicitly. The resolved
	// document is the catalogue's defaults with these on top.
	v1Stored   map[string]prefs.Document
	vastStored map[int64]prefs.Document

	// Out-of-band changes held back until the next write of their dialect,
	// to reproduce a change made between plan and apply.
	beforeWrite         map[prefs.Dialect]prefs.Document
	afterWrite          map[prefs.Dialect]prefs.Document
	withdrawBeforeWrite map[prefs.Dialect][]string

	faults  []*Fault
	journal []Entry
	seq     int
	rng     *rand.Rand

	state *State // what NewFromState added, and Reset goes back to

	minter sessionMinter // short-lived session tokens; Reset keeps its key
}

// New returns a mock with the two API documents' catalogues and the demo principals.
func New() *Server {
	s := &Server{rng: rand.New(rand.NewPCG(1, 2)), minter: newSessionMinter()}
	s.init()
	return s
}

// NewFromState returns New's mock with st applied on top: more keys in the
// catalogues, more principals, stored values. Reset goes back to it.
func NewFromState(st *State) *Server {
	s := New()
	s.state = st
	s.init()
	return s
}

// init sets the catalogues, principals and documents the mock starts
// from. The caller holds s.mu, or has the only reference to s.
func (s *Server) init() {
	s.sessions = map[string]string{DemoSessionToken: demoV1User, OtherSessionToken: otherV1User}
	s.apiKeys = map[string]bool{DemoAPIKey: true}
	s.vastKeys = map[string]int64{DemoVastKey: DemoVastUser, OtherVastKey: OtherVastUser, ReadOnlyVastKey: DemoVastUser}
	s.readOnly = map[string]bool{ReadOnlyVastKey: true}
	s.v1 = newCatalogue(prefs.V1, v1Defaults, v1Immutable, nil)
	s.vast = newCatalogue(prefs.VastAI, vastDefaults, nil, vastMandatory)
	s.v1Stored = map[string]prefs.Document{}
	s.vastStored = map[int64]prefs.Document{}
	s.beforeWrite = map[prefs.Dialect]prefs.Document{}
	s.afterWrite = map[prefs.Dialect]prefs.Document{}
	s.withdrawBeforeWrite = map[prefs.Dialect][]string{}
	s.state.apply(s)
}

// Reset puts the mock back as it started (New, or NewFromState's state):
// catalogues, principals and documents, and an empty journal. Injected
// faults stay.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.init()
	s.journal = nil
}

// Seed makes the random choices of faults injected at a rate repeatable.
func (s *Server) Seed(seed uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rng = rand.New(rand.NewPCG(seed, seed))
}

// AddSession lets token act as the v1 user.
func (s *Server) AddSession(token, user string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sessions[token] = user
}

// AddAPIKey adds a v1 API-key principal, which this endpoint refuses.
func (s *Server) AddAPIKey(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.apiKeys[token] = true
}

// AddVastKey lets token act as the vastai user.
func (s *Server) AddVastKey(token string, userID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.vastKeys[token] = userID
}

// ServeHTTP routes to the dialect, after faults, and journals the request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, adminPrefix) {
		s.serveAdmin(w, r)
		return
	}
	s.ServeFate(w, r, Fate{Fault: s.pickFault(r.Method)})
}

func dialectOf(path string) prefs.Dialect {
	if strings.HasPrefix(path, vastPrefix) {
		return prefs.VastAI
	}
	return prefs.V1
}

func (s *Server) route(w http.ResponseWriter, r *http.Request, body []byte, requestID string) {
	switch {
	case r.URL.Path == "/v1/me/notifications":
		s.serveV1(w, r, body, requestID)
	case r.URL.Path == vastCurrentUser:
		s.serveVastUser(w, r)
	case strings.HasPrefix(r.URL.Path, vastPrefix):
		s.serveVast(w, r, body)
	default:
		http.NotFound(w, r)
	}
}

// bearer returns the token of an "Authorization: Bearer" header.
func bearer(r *http.Request) string {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		return ""
	}
	return strings.TrimSpace(token)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// decodeObject reads a JSON object body; an empty body is the empty object.
func decodeObject(body []byte) (map[string]any, error) {
	if len(strings.TrimSpace(string(body))) == 0 {
		return map[string]any{}, nil
	}
	var obj map[string]any
	if err := json.Unmarshal(body, &obj); err != nil {
		return nil, fmt.Errorf("the body must be a JSON object: %w", err)
	}
	if obj == nil {
		return nil, fmt.Errorf("the body must be a JSON object, not null")
	}
	return obj, nil
}

func parseUserID(s string) (int64, bool) {
	id, err := strconv.ParseInt(s, 10, 64)
	return id, err == nil && id > 0
}
