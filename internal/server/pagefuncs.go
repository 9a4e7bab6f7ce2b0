package server

import (
	"fmt"
	"html/template"
	"math"
	"strconv"
	"time"
)

// pageFuncs are the formatting helpers the templates use. Times are always measured against
// the page's own Now, so a page rendered from one snapshot agrees with itself.
var pageFuncs = template.FuncMap{
	"comma":   comma,
	"since":   func(now, t time.Time) string { return humanDuration(now.Sub(t)) },
	"until":   untilText,
	"seconds": func(s float64) string { return humanDuration(time.Duration(s * float64(time.Second))) },
	"clock":   func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05Z") },
	"iso":     func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	"percent": func(part, whole int64) int64 { return int64(math.Round(100 * float64(part) / float64(max(whole, 1)))) },
	"deref":   derefInt,
	"usd":     FormatUSD,
}

// FormatUSD writes a dollar amount with cents, or with four decimals below one cent so a
// cheap run does not read as free.
func FormatUSD(usd float64) string {
	if usd > 0 && usd < 0.01 {
		return fmt.Sprintf("$%.4f", usd)
	}
	return fmt.Sprintf("$%.2f", usd)
}

func derefInt(n *int64) int64 {
	if n == nil {
		return 0
	}
	return *n
}

// comma writes n with thousands separators, the way the terminal view does.
func comma(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := n < 0
	if neg {
		s = s[1:]
	}
	out := make([]byte, 0, len(s)+len(s)/3+1)
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	if neg {
		return "-" + string(out)
	}
	return string(out)
}

// humanDuration says how long in the two largest units: "13m 5s", "2h 4m", "3d 1h".
func humanDuration(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	s := int64(d / time.Second)
	switch {
	case s < 60:
		return fmt.Sprintf("%ds", s)
	case s < 3600:
		return fmt.Sprintf("%dm %ds", s/60, s%60)
	case s < 86400:
		return fmt.Sprintf("%dh %dm", s/3600, s%3600/60)
	}
	return fmt.Sprintf("%dd %dh", s/86400, s%86400/3600)
}

// untilText says when a due time comes: "in 1m 20s", or "due now" once it has passed.
func untilText(now, t time.Time) string {
	if !t.After(now) {
		return "due now"
	}
	return "in " + humanDuration(t.Sub(now))
}
