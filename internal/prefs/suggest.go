package prefs

import "github.com/agext/levenshtein"

// Closest returns the candidate nearest to key by edit distance, if one is
// near enough to be a plausible typo: at most a third of the key's length
// and never more than 4 edits. A far-fetched suggestion is worse than none.
func Closest(key string, candidates []string) (string, bool) {
	limit := min(max(len(key)/3, 1), 4)
	best, bestDist := "", limit+1
	for _, c := range candidates {
		if d := distance(key, c, bestDist); d < bestDist || (d == bestDist && d <= limit && c < best) {
			best, bestDist = c, d
		}
	}
	return best, bestDist <= limit
}

// distance is the Levenshtein distance between a and b, as HCL and
// Terraform measure it for their own suggestions. Past bound it stops
// early, since only near candidates matter, and returns merely a value
// greater than bound. (The library's early answer may equal its maximum
// cost, so the maximum is one past bound.)
func distance(a, b string, bound int) int {
	return levenshtein.Distance(a, b, levenshtein.NewParams().MaxCost(bound+1))
}
