package collector

import (
	"math"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestRetryAfterNeverWrapsToRetryAtOnce(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		header, value string
		want          time.Duration
		ok            bool
	}{
		{"Retry-After", "2", 2 * time.Second, true},
		{"Retry-After", "1.5", 1500 * time.Millisecond, true},
		{"Retry-After-Ms", "250", 250 * time.Millisecond, true},
		{"Retry-After", "Thu, 26 Nov 2026 12:00:30 GMT", 30 * time.Second, true},
		{"Retry-After", "Thu, 26 Nov 2026 11:00:00 GMT", 0, true},
		// Absurd waits saturate, so the client refuses them as too long
		// instead of overflowing into a negative wait and hammering.
		{"Retry-After", "1e300", math.MaxInt64, true},
		{"Retry-After", "+Inf", math.MaxInt64, true},
		{"Retry-After-Ms", "1e30", math.MaxInt64, true},
		{"Retry-After", "-5", 0, false},
		{"Retry-After", "NaN", 0, false},
		{"Retry-After", "soon", 0, false},
	} {
		h := http.Header{}
		h.Set(tc.header, tc.value)
		got, ok := retryAfter(h, now)
		assert.Equal(t, tc.ok, ok, "%s: %s", tc.header, tc.value)
		assert.Equal(t, tc.want, got, "%s: %s", tc.header, tc.value)
	}
}
