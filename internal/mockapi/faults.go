package mockapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"
)

// Fault is a failure the mock injects into the requests it matches. A fault
// fires on the next Times matching requests, or only on the Nth, or at a
// Rate (a probability per request, for soak tests), whichever is set.
type Fault struct {
	Method string // match only this method; empty matches every request

	Times int     // fire on the next Times matching requests
	Nth   int     // fire only on the Nth matching request, counted from injection
	Rate  float64 // fire with this probability on every matching request

	Latency        time.Duration // wait before answering; a caller that gives up first is not served
	Status         int           // answer with this status instead of serving the request
	RetryAfter     string        // Retry-After header sent with Status
	Body           string        // raw body sent with Status (e.g. a proxy's HTML page); default is the dialect's error envelope
	Drop           bool          // close the connection without serving the request
	DropAfterApply bool          // serve the request (a write is applied), then close the connection unanswered
	// AnswerLatency serves the request (a write is applied) and then waits
	// this long before answering: a caller that gives up meanwhile has
	// changed the server all the same.
	AnswerLatency time.Duration

	seen int
}

// Inject adds a fault; earlier faults are tried first.
func (s *Server) Inject(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &f)
}

// pickFault returns the fault that fires on this request, if any, and
// retires faults that have fired their last time.
func (s *Server) pickFault(method string) *Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, f := range s.faults {
		if f.Method != "" && f.Method != method {
			continue
		}
		f.seen++
		switch {
		case f.Rate > 0:
			if s.rng.Float64() < f.Rate {
				return f
			}
		case f.Nth > 0:
			if f.seen == f.Nth {
				s.faults = append(s.faults[:i:i], s.faults[i+1:]...)
				return f
			}
		case f.Times > 0:
			if f.seen >= f.Times {
				s.faults = append(s.faults[:i:i], s.faults[i+1:]...)
			}
			return f
		}
	}
	return nil
}

// answerLate serves r, then holds the answer for f.AnswerLatency.
func (f *Fault) answerLate(w *recorder, r *http.Request, serve func(http.ResponseWriter)) {
	held := httptest.NewRecorder()
	serve(held)
	select {
	case <-time.After(f.AnswerLatency):
	case <-r.Context().Done():
		w.status = statusDropped
		return
	}
	for k, v := range held.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(held.Code)
	_, _ = w.Write(held.Body.Bytes())
}

// intercept applies the fault's effect before the request is served. It
// reports whether the request has been answered (or dropped) already.
func (f *Fault) intercept(w *recorder, r *http.Request, requestID string) bool {
	if f.Latency > 0 {
		select {
		case <-time.After(f.Latency):
		case <-r.Context().Done():
			// The client gave up: like a real server noticing the closed
			// connection, do not apply a write nobody waits for.
			w.status = statusDropped
			return true
		}
	}
	switch {
	case f.Drop:
		w.status = statusDropped
		drop(w.ResponseWriter)
		return true
	case f.Status != 0:
		if f.RetryAfter != "" {
			w.Header().Set("Retry-After", f.RetryAfter)
		}
		if f.Body != "" {
			contentType := "text/html"
			if json.Valid([]byte(f.Body)) {
				contentType = "application/json"
			}
			w.Header().Set("Content-Type", contentType)
			w.WriteHeader(f.Status)
			_, _ = w.Write([]byte(f.Body))
			return true
		}
		if strings.HasPrefix(r.URL.Path, vastPrefix) {
			vastError(w, f.Status, "injected_fault", http.StatusText(f.Status))
		} else {
			v1Error(w, f.Status, faultCode(f.Status), http.StatusText(f.Status), requestID, nil)
		}
		return true
	}
	return false
}

func faultCode(status int) string {
	if status == http.StatusTooManyRequests {
		return "RATE_LIMITED"
	}
	return strings.ToUpper(strings.ReplaceAll(http.StatusText(status), " ", "_"))
}

func (f *Fault) String() string {
	var parts []string
	if f.Latency > 0 {
		parts = append(parts, "latency "+f.Latency.String())
	}
	switch {
	case f.Drop:
		parts = append(parts, "drop")
	case f.DropAfterApply:
		parts = append(parts, "drop after apply")
	case f.AnswerLatency > 0:
		parts = append(parts, "answer after "+f.AnswerLatency.String())
	case f.Status != 0:
		parts = append(parts, fmt.Sprint(f.Status))
	}
	return strings.Join(parts, ", ")
}

// HTMLBadGateway is the kind of page a proxy sends when the API is down.
const HTMLBadGateway = "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>"

// drop closes the client's connection without an answer.
func drop(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler) // no hijacking (HTTP/2): abort the stream instead
	}
	_ = conn.Close()
}
