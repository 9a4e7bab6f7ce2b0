package server

import (
	"fmt"
	"html/template"
	"strings"
	"time"

	"github.com/symphony-go/symphony/internal/orchestrator"
	"github.com/symphony-go/symphony/internal/store"
)

// Plot sizes: the plots are small pictures beside the tables, not charts to study.
const (
	plotHours  = 24
	plotDays   = 7
	plotWidth  = 480
	plotHeight = 120
	plotBottom = 18 // room for the axis labels
)

// hourBucket is the tokens spent in one hour.
type hourBucket struct {
	Start  time.Time
	Tokens int64
}

// tokensPerHour estimates tokens spent in each of the last 24 hours. A run reports its tokens
// as one total, so each run's total is spread evenly over the time it ran (a running session
// up to now); the shape is right even where a single hour's figure is an estimate.
func tokensPerHour(snap *orchestrator.Snapshot, repo string) []hourBucket {
	end := snap.At.UTC().Truncate(time.Hour).Add(time.Hour)
	start := end.Add(-plotHours * time.Hour)
	buckets := make([]float64, plotHours)
	spread := func(from, to time.Time, total int64) {
		if total <= 0 {
			return
		}
		if !to.After(from) {
			if i := int(to.Sub(start) / time.Hour); to.After(start) && i < plotHours {
				buckets[i] += float64(total)
			}
			return
		}
		if !to.After(start) {
			return
		}
		perNano := float64(total) / float64(to.Sub(from))
		first, last := max(int(from.Sub(start)/time.Hour), 0), min(int(to.Sub(start)/time.Hour), plotHours-1)
		for i := first; i <= last; i++ {
			bs, be := start.Add(time.Duration(i)*time.Hour), start.Add(time.Duration(i+1)*time.Hour)
			lo, hi := maxTime(from, bs), minTime(to, be)
			if hi.After(lo) {
				buckets[i] += perNano * float64(hi.Sub(lo))
			}
		}
	}
	for _, h := range historyOf(snap, repo) {
		spread(h.StartedAt, h.EndedAt, h.Tokens.Total)
	}
	for _, r := range snap.Running {
		if repo == "" || r.RepoKey == repo {
			spread(r.StartedAt, snap.At, r.Tokens.Total)
		}
	}
	out := make([]hourBucket, plotHours)
	for i, v := range buckets {
		out[i] = hourBucket{Start: start.Add(time.Duration(i) * time.Hour), Tokens: int64(v + 0.5)}
	}
	return out
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// dayOutcomes counts the runs that ended on one UTC day by how they ended.
type dayOutcomes struct {
	Day                       time.Time
	Succeeded, Failed, Halted int
}

func (d dayOutcomes) total() int { return d.Succeeded + d.Failed + d.Halted }

// outcomesPerDay counts the finished runs of the last seven days (of the history the service
// keeps in memory): succeeded, failed (failure, timeout, budget) and halted (stopped,
// interrupted, waiting for a usage limit's reset or for a human's answer).
func outcomesPerDay(snap *orchestrator.Snapshot, repo string) []dayOutcomes {
	today := snap.At.UTC().Truncate(24 * time.Hour)
	first := today.Add(-(plotDays - 1) * 24 * time.Hour)
	out := make([]dayOutcomes, plotDays)
	for i := range out {
		out[i].Day = first.Add(time.Duration(i) * 24 * time.Hour)
	}
	for _, h := range historyOf(snap, repo) {
		i := int(h.EndedAt.UTC().Truncate(24*time.Hour).Sub(first) / (24 * time.Hour))
		if h.EndedAt.Before(first) || i >= plotDays {
			continue
		}
		switch h.Status {
		case store.StatusSuccess:
			out[i].Succeeded++
		case store.StatusStopped, store.StatusInterrupted, store.StatusRateLimited, store.StatusAwaitingInput:
			out[i].Halted++
		default:
			out[i].Failed++
		}
	}
	return out
}

// svgOpen starts a plot with a title that screen readers (and tests) read as its summary.
func svgOpen(b *strings.Builder, class, label string) {
	fmt.Fprintf(b, `<svg class="plot %s" role="img" viewBox="0 0 %d %d" width="%d" height="%d" aria-label="%s">`,
		class, plotWidth, plotHeight, plotWidth, plotHeight, template.HTMLEscapeString(label))
	fmt.Fprintf(b, `<title>%s</title>`, template.HTMLEscapeString(label))
	fmt.Fprintf(b, `<line class="axis" x1="0" y1="%d" x2="%d" y2="%d"/>`, plotHeight-plotBottom, plotWidth, plotHeight-plotBottom)
}

// tokensPerHourSVG draws one bar per hour, scaled to the busiest hour.
func tokensPerHourSVG(buckets []hourBucket) template.HTML {
	var peak, total int64
	for _, b := range buckets {
		peak, total = max(peak, b.Tokens), total+b.Tokens
	}
	var b strings.Builder
	svgOpen(&b, "tokens-per-hour", fmt.Sprintf("Tokens per hour, last %d hours: %s in all, peak %s in one hour", len(buckets), comma(total), comma(peak)))
	slot := float64(plotWidth) / float64(len(buckets))
	room := float64(plotHeight - plotBottom - 4)
	for i, hb := range buckets {
		h := 0.0
		if peak > 0 {
			h = room * float64(hb.Tokens) / float64(peak)
		}
		fmt.Fprintf(&b, `<rect class="bar" x="%.1f" y="%.1f" width="%.1f" height="%.1f"><title>%s UTC: %s tokens</title></rect>`,
			float64(i)*slot+1, float64(plotHeight-plotBottom)-h, slot-2, h, hb.Start.Format("15:04"), comma(hb.Tokens))
		if i%6 == 0 {
			fmt.Fprintf(&b, `<text class="label" x="%.1f" y="%d">%s</text>`, float64(i)*slot+1, plotHeight-4, hb.Start.Format("15:04"))
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// outcomesPerDaySVG draws one stacked bar per day: succeeded at the bottom, then failed, then
// halted, scaled to the busiest day.
func outcomesPerDaySVG(days []dayOutcomes) template.HTML {
	peak, ok, failed, halted := 0, 0, 0, 0
	for _, d := range days {
		peak = max(peak, d.total())
		ok, failed, halted = ok+d.Succeeded, failed+d.Failed, halted+d.Halted
	}
	var b strings.Builder
	svgOpen(&b, "outcomes-per-day", fmt.Sprintf("Run outcomes per day, last %d days: %d succeeded, %d failed, %d halted", len(days), ok, failed, halted))
	slot := float64(plotWidth) / float64(len(days))
	room := float64(plotHeight - plotBottom - 4)
	for i, d := range days {
		y := float64(plotHeight - plotBottom)
		for _, part := range []struct {
			class string
			n     int
		}{{"ok", d.Succeeded}, {"failed", d.Failed}, {"halted", d.Halted}} {
			if part.n == 0 || peak == 0 {
				continue
			}
			h := room * float64(part.n) / float64(peak)
			y -= h
			fmt.Fprintf(&b, `<rect class="bar %s" x="%.1f" y="%.1f" width="%.1f" height="%.1f"><title>%s: %d %s</title></rect>`,
				part.class, float64(i)*slot+4, y, slot-8, h, d.Day.Format("Jan 2"), part.n, part.class)
		}
		fmt.Fprintf(&b, `<text class="label" x="%.1f" y="%d">%s</text>`, float64(i)*slot+4, plotHeight-4, d.Day.Format("Jan 2"))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}
