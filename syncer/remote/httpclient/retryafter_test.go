package httpclient

import (
	"net/http"
	"testing"
	"time"

	"github.com/cloudsync/cloudsync/syncer/remote"
)

func TestRetryAfterParsesSecondsAndDatesAndIsCapped(t *testing.T) {
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		header string
		want   time.Duration
	}{
		{"", 0},
		{"7", 7 * time.Second},
		{" 120 ", 2 * time.Minute},
		{"-5", 0},
		{"soon", 0},
		{"1.5", 0},
		{now.Add(30 * time.Second).Format(http.TimeFormat), 30 * time.Second},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0},
		{"999999", remote.MaxRetryAfter},
		{"99999999999999999999999", remote.MaxRetryAfter}, // beyond int64: still the cap, no overflow
		{"9223372036", remote.MaxRetryAfter},              // seconds whose nanoseconds overflow int64
		{"-99999999999999999999999", 0},
		{now.AddDate(50, 0, 0).Format(http.TimeFormat), remote.MaxRetryAfter},
	} {
		h := http.Header{}
		if tc.header != "" {
			h.Set("Retry-After", tc.header)
		}
		if got := RetryAfter(h, now); got != tc.want {
			t.Errorf("RetryAfter(%q) = %v, want %v", tc.header, got, tc.want)
		}
	}
}
