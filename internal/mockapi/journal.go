package mockapi

import (
	"fmt"
	"io"
	"net/http"
)

// statusDropped is journalled for a request whose connection was closed
// without an answer.
const statusDropped = 0

// Entry is one request the mock received.
type Entry struct {
	Seq       int
	Method    string
	Path      string
	Body      string
	Status    int    // 0 when the connection was dropped
	Fault     string // the injected fault, if any
	RequestID string
	// Token is the bearer token the request carried, for tests that check
	// which token a request was sent with; the admin journal leaves it out.
	Token string `json:"-"`
}

func (e Entry) String() string {
	s := fmt.Sprintf("#%d %s %s -> %d", e.Seq, e.Method, e.Path, e.Status)
	if e.Fault != "" {
		s += " [fault: " + e.Fault + "]"
	}
	return s
}

// Journal returns a copy of every request received so far.
func (s *Server) Journal() []Entry {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Entry(nil), s.journal...)
}

// ResetJournal forgets the requests received so far.
func (s *Server) ResetJournal() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.journal = nil
}

// Count returns how many journalled requests used method.
func (s *Server) Count(method string) int {
	n := 0
	for _, e := range s.Journal() {
		if e.Method == method {
			n++
		}
	}
	return n
}

// begin reads the request body and journals the request under a new id.
func (s *Server) begin(r *http.Request) ([]byte, *Entry) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 64<<20))
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	s.journal = append(s.journal, Entry{
		Seq: s.seq, Method: r.Method, Path: r.URL.Path, Body: string(body), Token: bearer(r),
		RequestID: fmt.Sprintf("req_%08d", s.seq),
	})
	e := s.journal[len(s.journal)-1]
	return body, &e
}

// finish records the status the request was answered with.
func (s *Server) finish(e *Entry, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := len(s.journal) - 1; i >= 0; i-- {
		if s.journal[i].Seq == e.Seq {
			s.journal[i].Status = status
			s.journal[i].Fault = e.Fault
			return
		}
	}
}

// recorder remembers the status a handler wrote.
type recorder struct {
	http.ResponseWriter
	status int
}

func (r *recorder) WriteHeader(status int) {
	r.status = status
	r.ResponseWriter.WriteHeader(status)
}

func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// discard swallows a response that will never be sent.
type discard struct{ header http.Header }

func (d *discard) Header() http.Header         { return d.header }
func (d *discard) Write(b []byte) (int, error) { return len(b), nil }
func (d *discard) WriteHeader(int)             {}
