package mockapi

import (
	"context"
	"net/http"
	"net/http/httptest"

	"github.com/openprefs/terraform-provider-notification/internal/prefs"
)

// Fate is what becomes of one request a test serves with ServeFate: a
// simulator deciding every request's outcome itself, in an order it
// controls, rather than leaving it to the injected faults' counters.
type Fate struct {
	// Fault acts as an injected fault would on this request alone: Status
	// and Drop before the request is served, DropAfterApply after.
	Fault *Fault
	// StatusAfterApply serves the request (a write lands), then answers
	// this status instead of the real answer: a gateway that timed out
	// waiting (504) while the API did its work.
	StatusAfterApply int
	// Before runs just before the request is served: another client of the
	// API changing the document while the request is on its way.
	Before func()
	// AfterApply, for a write the API accepts, is set on the document it
	// wrote once it is applied and before it is answered: another client's
	// change landing while the request is in flight, which its answer
	// shows. Then Applied runs, if set. A refused write changes nothing.
	AfterApply prefs.Document
	Applied    func()
}

// afterApply is a request's AfterApply, as its handler finds it.
type afterApply struct {
	values  prefs.Document
	applied bool
}

type afterApplyKey struct{}

// changesAfterWrite returns what another client sets on a document just
// after a write of it is applied: the request's own Fate.AfterApply, else
// what SetAfterNextWrite holds for the dialect. The caller holds s.mu.
func (s *Server) changesAfterWrite(r *http.Request, d prefs.Dialect) prefs.Document {
	if a, ok := r.Context().Value(afterApplyKey{}).(*afterApply); ok {
		a.applied = true
		return a.values
	}
	return s.takeAfterWrite(d)
}

// ServeFate serves r with fate: ServeHTTP serves every request this way,
// with the injected fault that fires on it, if any.
func (s *Server) ServeFate(w http.ResponseWriter, r *http.Request, fate Fate) {
	if fate.AfterApply != nil {
		after := &afterApply{values: fate.AfterApply}
		r = r.WithContext(context.WithValue(r.Context(), afterApplyKey{}, after))
		defer func() {
			if after.applied && fate.Applied != nil {
				fate.Applied()
			}
		}()
	}
	rec := &recorder{ResponseWriter: w}
	body, entry := s.begin(r)
	rec.Header().Set("X-Request-Id", entry.RequestID)
	defer func() { s.finish(entry, rec.status) }()
	if r.Method == http.MethodPatch || r.Method == http.MethodPut {
		s.applyBeforeWrite(dialectOf(r.URL.Path))
	}
	if fate.Before != nil {
		fate.Before()
	}
	if f := fate.Fault; f != nil {
		entry.Fault = f.String()
		if f.intercept(rec, r, entry.RequestID) {
			return
		}
		if f.DropAfterApply {
			s.route(&discard{header: http.Header{}}, r, body, entry.RequestID)
			rec.status = statusDropped
			drop(w)
			return
		}
		if f.AnswerLatency > 0 {
			f.answerLate(rec, r, func(held http.ResponseWriter) { s.route(held, r, body, entry.RequestID) })
			return
		}
	}
	if fate.StatusAfterApply != 0 {
		entry.Fault = "answer lost, then " + http.StatusText(fate.StatusAfterApply)
		s.route(httptest.NewRecorder(), r, body, entry.RequestID)
		if dialectOf(r.URL.Path) == prefs.VastAI {
			vastError(rec, fate.StatusAfterApply, "injected_fault", http.StatusText(fate.StatusAfterApply))
		} else {
			v1Error(rec, fate.StatusAfterApply, faultCode(fate.StatusAfterApply), http.StatusText(fate.StatusAfterApply), entry.RequestID, nil)
		}
		return
	}
	s.route(rec, r, body, entry.RequestID)
}

// SetFor changes the values of the principal token authenticates out of
// band, as Set does for the demo users: another client of the API.
func (s *Server) SetFor(token string, values prefs.Document) error {
	return s.setFor(token, values)
}

// KeepWrites ends IgnoreWrites for keys: writes of them change their
// values again.
func (s *Server) KeepWrites(d prefs.Dialect, keys ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.catalogueOf(d)
	for _, k := range keys {
		delete(c.unkept, k)
	}
}
