package prefs

import (
	"fmt"
	"testing"
)

// benchSizes show that the work is linear in keys: 10k should cost about
// ten times 1k.
var benchSizes = []int{1000, 10000}

// benchDocument is a v1 document of n keys over a handful of channels.
func benchDocument(n int) Document {
	doc := make(Document, n)
	for i := range n {
		doc[fmt.Sprintf("channel_%d.toggle_%05d", i%8, i)] = i%3 == 0
	}
	return doc
}

func BenchmarkFlatten(b *testing.B) {
	for _, n := range benchSizes {
		nested := benchDocument(n).Nest()
		b.Run(fmt.Sprintf("keys=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := V1.Flatten(nested); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkNest(b *testing.B) {
	for _, n := range benchSizes {
		doc := benchDocument(n)
		b.Run(fmt.Sprintf("keys=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				doc.Nest()
			}
		})
	}
}

func BenchmarkChanges(b *testing.B) {
	for _, n := range benchSizes {
		current := benchDocument(n)
		desired := current.Clone()
		for k, v := range desired {
			desired[k] = !v // every key differs: the most a diff can write
		}
		b.Run(fmt.Sprintf("keys=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Changes(current, desired)
			}
		})
	}
}

func BenchmarkCheck(b *testing.B) {
	for _, n := range benchSizes {
		catalogue := benchDocument(n)
		b.Run(fmt.Sprintf("keys=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if p := V1.Check(catalogue, catalogue); len(p) != 0 {
					b.Fatal(p)
				}
			}
		})
	}
}
