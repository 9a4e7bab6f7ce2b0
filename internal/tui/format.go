package tui

import (
	"fmt"
	"strings"
	"time"
)

// Thousands groups digits in threes: 1234567 -> 1,234,567.
func Thousands(n int64) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// span prints a duration the way the view does: "45s", "13m 5s", "2h 3m"; never negative.
// Hours drop the seconds, which stop mattering at that scale and would only widen columns.
func span(d time.Duration) string {
	s := int64(max(d, 0).Round(time.Second) / time.Second)
	switch {
	case s < 60:
		return fmt.Sprintf("%ds", s)
	case s < 3600:
		return fmt.Sprintf("%dm %ds", s/60, s%60)
	default:
		return fmt.Sprintf("%dh %dm", s/3600, s%3600/60)
	}
}

// flat keeps tracker- and agent-supplied text on one line: runs of white space, newlines
// included, become one space.
func flat(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// middle shortens s to at most n cells by keeping its head and tail, so both the prefix and
// the distinguishing end of an id stay readable: "thread-1234567890" -> "thre...567890".
func middle(s string, n int) string {
	r := []rune(s)
	if len(r) <= n || n < 8 {
		return s
	}
	tail := (n - 3) * 3 / 5
	return string(r[:n-3-tail]) + "..." + string(r[len(r)-tail:])
}
