package mockapi

import (
	"github.com/openprefs/terraform-provider-notification/internal/prefs"
)

// The v1 API document's example document, with its defaults. email.security_alerts
// exists but is immutable and never part of the resolved document.
var (
	v1Defaults = prefs.Document{
		"email.product_updates":     true,
		"email.delivery_alerts":     true,
		"email.billing_receipts":    true,
		"email.weekly_usage_digest": false,
	}
	v1Immutable = []string{"email.security_alerts"}
)

// InAppChannel is the channel the v1 API document says has not shipped yet; tests
// ship it at run time with Ship to prove the provider needs no release.
var InAppChannel = prefs.Document{
	"in_app.product_updates": true,
	"in_app.delivery_alerts": true,
}

// Vast.ai's API document only shows client.low_credit.{email,webhooks}; the rest is
// a plausible catalogue in the same shape. client.billing_failed.email is
// mandatory, as Vast.ai documents some emails to be: it may be sent as
// true but never as false.
var vastDefaults = prefs.Document{
	"client.low_credit.email":          true,
	"client.low_credit.webhooks":       false,
	"client.billing_failed.email":      true,
	"client.billing_failed.webhooks":   false,
	"client.instance_stopped.email":    true,
	"client.instance_stopped.webhooks": false,
	"host.machine_offline.email":       true,
	"host.machine_offline.webhooks":    false,
	"host.payout_sent.email":           false,
	"host.payout_sent.webhooks":        false,
}

var vastMandatory = []string{"client.billing_failed.email"}

// catalogue is the set of keys a dialect's server knows, with defaults.
type catalogue struct {
	dialect   prefs.Dialect
	defaults  prefs.Document
	immutable map[string]bool // v1: known, never in the resolved document, never writable
	mandatory map[string]bool // vastai: may be sent as true, never as false
	prefixes  map[string]bool // every proper prefix of a known key: "email", "client.low_credit"
	// unkept keys are accepted in writes, which succeed, but keep the value
	// they had: a server-side rule or bug that the provider must catch.
	unkept map[string]bool
}

func newCatalogue(d prefs.Dialect, defaults prefs.Document, immutable, mandatory []string) *catalogue {
	c := &catalogue{dialect: d, defaults: prefs.Document{}, immutable: map[string]bool{}, mandatory: map[string]bool{}, prefixes: map[string]bool{}, unkept: map[string]bool{}}
	c.lock(immutable, mandatory)
	c.add(defaults)
	return c
}

// lock marks keys immutable or mandatory.
func (c *catalogue) lock(immutable, mandatory []string) {
	for _, k := range immutable {
		c.immutable[k] = true
		c.addPrefixes(k)
	}
	for _, k := range mandatory {
		c.mandatory[k] = true
	}
}

func (c *catalogue) add(defaults prefs.Document) {
	for k, v := range defaults {
		c.defaults[k] = v
		c.addPrefixes(k)
	}
}

func (c *catalogue) addPrefixes(key string) {
	for i := range len(key) {
		if key[i] == '.' {
			c.prefixes[key[:i]] = true
		}
	}
}

// resolve is the document a user sees: defaults with their stored values.
func (c *catalogue) resolve(stored prefs.Document) prefs.Document {
	doc := c.defaults.Clone()
	for k, v := range stored {
		if _, ok := doc[k]; ok {
			doc[k] = v
		}
	}
	return doc
}

// Ship adds keys to a dialect's catalogue at run time, as a server does when
// a channel or toggle launches (the v1 API document's in_app example).
func (s *Server) Ship(d prefs.Dialect, defaults prefs.Document) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.catalogueOf(d).add(defaults)
}

// Withdraw removes keys from a dialect's catalogue, as when a toggle is retired.
func (s *Server) Withdraw(d prefs.Dialect, keys ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.catalogueOf(d)
	for _, k := range keys {
		delete(c.defaults, k)
	}
}

// IgnoreWrites makes writes of keys succeed without changing their values:
// the server answers with the value it kept, as one whose own rules
// override a user's choice would. Reset ends it.
func (s *Server) IgnoreWrites(d prefs.Dialect, keys ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.catalogueOf(d)
	for _, k := range keys {
		c.unkept[k] = true
	}
}

// keep puts back, in a document about to be stored, the values before of
// the keys whose writes the server ignores.
func (c *catalogue) keep(doc, before prefs.Document) {
	for k := range c.unkept {
		if v, ok := before[k]; ok {
			doc[k] = v
		} else {
			delete(doc, k)
		}
	}
}

func (s *Server) catalogueOf(d prefs.Dialect) *catalogue {
	if d == prefs.VastAI {
		return s.vast
	}
	return s.v1
}

// Document returns the resolved document of the dialect's demo user.
func (s *Server) Document(d prefs.Dialect) prefs.Document {
	return s.UserDocument(demoToken(d))
}

// UserDocument returns the resolved document of the principal that token
// authenticates (a v1 session or a vastai key), or nil for another token.
func (s *Server) UserDocument(token string) prefs.Document {
	s.mu.Lock()
	defer s.mu.Unlock()
	if user, ok := s.sessionUser(token); ok {
		return s.v1.resolve(s.v1Stored[user])
	}
	if id, ok := s.vastKeys[token]; ok {
		return s.vast.resolve(s.vastStored[id])
	}
	return nil
}

// Set changes the demo user's values out of band, as another client of the
// API would: this is how tests make drift.
func (s *Server) Set(d prefs.Dialect, values prefs.Document) {
	_ = s.setFor(demoToken(d), values) // the demo principals always exist
}

// SetBeforeNextWrite holds values back until the next write (PATCH or PUT)
// of the dialect arrives, then sets them for the demo user just before
// serving it: another client's change landing between a plan and its apply.
func (s *Server) SetBeforeNextWrite(d prefs.Dialect, values prefs.Document) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.beforeWrite[d] = values.Clone()
}

// SetAfterNextWrite holds values back until the next write of the dialect
// that the API accepts, then sets them on the written document after the
// write is applied and before it is answered: another client's change
// landing while a request is in flight, which its answer shows.
func (s *Server) SetAfterNextWrite(d prefs.Dialect, values prefs.Document) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.afterWrite[d] = values.Clone()
}

// takeAfterWrite returns, and forgets, what SetAfterNextWrite holds for the
// dialect. The caller holds s.mu.
func (s *Server) takeAfterWrite(d prefs.Dialect) prefs.Document {
	values := s.afterWrite[d]
	delete(s.afterWrite, d)
	return values
}

// WithdrawBeforeNextWrite withdraws keys from the dialect's catalogue just
// before the next write of the dialect is served: a key retired between
// a plan and its apply.
func (s *Server) WithdrawBeforeNextWrite(d prefs.Dialect, keys ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.withdrawBeforeWrite[d] = append(s.withdrawBeforeWrite[d], keys...)
}

func (s *Server) applyBeforeWrite(d prefs.Dialect) {
	s.mu.Lock()
	values, withdrawn := s.beforeWrite[d], s.withdrawBeforeWrite[d]
	delete(s.beforeWrite, d)
	delete(s.withdrawBeforeWrite, d)
	s.mu.Unlock()
	if values != nil {
		s.Set(d, values)
	}
	s.Withdraw(d, withdrawn...)
}

func demoToken(d prefs.Dialect) string {
	if d == prefs.VastAI {
		return DemoVastKey
	}
	return DemoSessionToken
}

// v1Values and vastValues return a user's stored values, created on first
// use. The caller holds s.mu.
func (s *Server) v1Values(user string) prefs.Document {
	if s.v1Stored[user] == nil {
		s.v1Stored[user] = prefs.Document{}
	}
	return s.v1Stored[user]
}

func (s *Server) vastValues(id int64) prefs.Document {
	if s.vastStored[id] == nil {
		s.vastStored[id] = prefs.Document{}
	}
	return s.vastStored[id]
}
