package client

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/openprefs/terraform-provider-notification/internal/prefs"
)

// BenchmarkDecodeV1 reads a whole resolved document off the wire: the JSON
// decoding and flattening every refresh pays.
func BenchmarkDecodeV1(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		doc := make(prefs.Document, n)
		for i := range n {
			doc[fmt.Sprintf("channel_%d.toggle_%05d", i%8, i)] = i%3 == 0
		}
		body, err := json.Marshal(map[string]any{"success": true, "data": doc.Nest()})
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("keys=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				if _, err := decodeV1("GET", &response{status: 200, body: body}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
