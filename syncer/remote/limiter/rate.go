package limiter

import (
	"fmt"
	"strconv"
	"strings"
)

// ParseRate reads a bandwidth as people write it, in bytes per second: "0" or "off" is
// unlimited, "500K" is 500 KiB/s, "2M" 2 MiB/s, "1G" 1 GiB/s (rclone's --bwlimit units;
// a trailing "B", "iB" or "/s" is allowed), a bare number is bytes.
func ParseRate(s string) (int64, error) {
	t := strings.TrimSpace(strings.ToUpper(s))
	if t == "" || t == "0" || t == "OFF" {
		return 0, nil
	}
	t = strings.TrimSuffix(t, "/S")
	t = strings.TrimSuffix(strings.TrimSuffix(t, "IB"), "B")
	mult := int64(1)
	switch {
	case strings.HasSuffix(t, "K"):
		mult = 1 << 10
	case strings.HasSuffix(t, "M"):
		mult = 1 << 20
	case strings.HasSuffix(t, "G"):
		mult = 1 << 30
	}
	if mult > 1 {
		t = t[:len(t)-1]
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil || f < 0 || f*float64(mult) > 1<<50 {
		return 0, fmt.Errorf("%q is not a bandwidth like 500K, 2M or off", s)
	}
	return int64(f * float64(mult)), nil
}

// FormatRate writes a bandwidth the way ParseRate reads it ("off" for unlimited).
func FormatRate(n int64) string {
	switch {
	case n <= 0:
		return "off"
	case n%(1<<30) == 0:
		return strconv.FormatInt(n>>30, 10) + "G"
	case n%(1<<20) == 0:
		return strconv.FormatInt(n>>20, 10) + "M"
	case n%(1<<10) == 0:
		return strconv.FormatInt(n>>10, 10) + "K"
	}
	return strconv.FormatInt(n, 10)
}
