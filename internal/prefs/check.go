package prefs

import (
	"slices"
	"strings"
)

// ProblemKind classifies why a declared key cannot be written.
type ProblemKind int

const (
	// Malformed keys break the key grammar or the dialect's depth.
	Malformed ProblemKind = iota
	// Locked keys are immutable (v1) or mandatory (vastai).
	Locked
	// Unknown keys are absent from the server's resolved document.
	Unknown
)

// Problem is one declared key the API would refuse, with the reason in words
// a user can act on and, for an unknown key, the nearest key that exists.
type Problem struct {
	Key        string
	Kind       ProblemKind
	Reason     string
	Suggestion string
}

// suggestions bounds how many unknown keys get a closest-key suggestion:
// each costs a pass over the catalogue, and a user reads only the first few.
const suggestions = 10

// Check reports, in key order, every declared key the API would refuse.
// catalogue holds the keys the server knows; when it is nil (not known
// yet) only the checks that need no server are made. The first unknown
// keys, in key order, carry the closest known key as a suggestion.
func (d Dialect) Check(desired Document, catalogue Document) []Problem {
	var problems []Problem
	for key, value := range desired {
		if _, err := d.ParseKey(key); err != nil {
			problems = append(problems, Problem{Key: key, Kind: Malformed, Reason: err.Error()})
			continue
		}
		if reason, locked := d.Locked(key, value); locked {
			problems = append(problems, Problem{Key: key, Kind: Locked, Reason: reason})
			continue
		}
		if catalogue == nil {
			continue
		}
		if _, ok := catalogue[key]; !ok {
			problems = append(problems, Problem{Key: key, Kind: Unknown, Reason: "the server does not know this key"})
		}
	}
	slices.SortFunc(problems, func(a, b Problem) int { return strings.Compare(a.Key, b.Key) })
	var candidates []string
	for i, n := 0, 0; i < len(problems) && n < suggestions; i++ {
		if problems[i].Kind != Unknown {
			continue
		}
		if candidates == nil {
			candidates = catalogue.Keys()
		}
		problems[i].Suggestion, _ = Closest(problems[i].Key, candidates)
		n++
	}
	return problems
}

// Mutable returns the keys of doc that users may change: what import adopts.
func (d Dialect) Mutable(doc Document) Document {
	out := make(Document, len(doc))
	for key, value := range doc {
		if _, locked := d.Locked(key, !value); !locked {
			out[key] = value
		}
	}
	return out
}
