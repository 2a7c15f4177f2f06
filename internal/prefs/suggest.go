package prefs

// Closest returns the candidate nearest to key by edit distance, if one is
// near enough to be a plausible typo: at most a third of the key's length
// and never more than 4 edits. A far-fetched suggestion is worse than none.
func Closest(key string, candidates []string) (string, bool) {
	limit := len(key) / 3
	if limit > 4 {
		limit = 4
	}
	if limit < 1 {
		limit = 1
	}
	best, bestDist := "", limit+1
	for _, c := range candidates {
		if d := distance(key, c, bestDist); d < bestDist || (d == bestDist && d <= limit && c < best) {
			best, bestDist = c, d
		}
	}
	return best, bestDist <= limit
}

// distance is the Levenshtein distance between a and b. It stops early once
// every path exceeds bound, since only near candidates matter; the value it
// then returns is merely greater than bound.
func distance(a, b string, bound int) int {
	if diff := len(a) - len(b); diff > bound || -diff > bound {
		return bound + 1
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			rowMin = min(rowMin, cur[j])
		}
		if rowMin > bound {
			return bound + 1
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
