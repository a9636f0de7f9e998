package remote

import (
	"fmt"
	"testing"
	"time"
)

func TestRetryDelayDoublesWithJitterAndHonoursACappedRetryAfter(t *testing.T) {
	distinct := map[time.Duration]bool{}
	for attempts := 1; attempts <= 12; attempts++ {
		full := min(RetryFirst<<(attempts-1), RetryMax)
		for k := range 20 {
			key := fmt.Sprint("set/item", k)
			d := RetryDelay(attempts, key, 0)
			if d > full || d < full-full/retryJitter {
				t.Fatalf("RetryDelay(%d, %s) = %v, want within a fifth below %v", attempts, key, d, full)
			}
			if d != RetryDelay(attempts, key, 0) {
				t.Fatal("the same item and attempt got another delay: a simulation would not replay")
			}
			if attempts == 1 {
				distinct[d] = true
			}
		}
	}
	if len(distinct) < 10 {
		t.Errorf("items failing together get only %d distinct delays: no jitter", len(distinct))
	}
	if d := RetryDelay(1, "k", 10*time.Minute); d != 10*time.Minute {
		t.Errorf("a server's 10 min gave %v", d)
	}
	if d := RetryDelay(1, "k", 1000*time.Hour); d != MaxRetryAfter {
		t.Errorf("a 1000 h Retry-After gave %v, want the cap %v", d, MaxRetryAfter)
	}
}
