package server

import (
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"

	"github.com/symphony-go/symphony/internal/audit"
)

// Audit page bounds: the page is for looking; the NDJSON download is for keeping.
const (
	auditPageRecords = 500
	auditPageDays    = 14
)

// auditView is what /audit renders.
type auditView struct {
	page
	Issue, Type, Day string
	// Error says which filter was wrong; the page then lists nothing.
	Error   string
	Days    []dayCheck
	Types   []string
	Records []auditRow
	// Matched counts every record the filters select; Records holds the newest of them.
	Matched  int
	Download string
}

// dayCheck is the chain verification of one day file.
type dayCheck struct {
	Day     string
	Records int
	Intact  bool
	Problem string
}

// auditRow is one record as the page shows it, its details as indented JSON.
type auditRow struct {
	audit.Record
	DetailsJSON string
}

func (s *Server) getAuditPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	v := auditView{page: s.page("Audit log", "audit", s.opts.Now()), Issue: strings.TrimSpace(q.Get("issue")),
		Type: strings.TrimSpace(q.Get("type")), Day: strings.TrimSpace(q.Get("day"))}
	// Verifying re-hashes whole day files, so the page never reloads itself.
	v.RefreshSeconds = 0
	days, err := auditDays(s.opts.AuditDir)
	if err != nil {
		v.Error = "reading the audit directory: " + err.Error()
		s.renderPage(w, http.StatusInternalServerError, "audit.html", v)
		return
	}
	if v.Day == "" && len(days) > 0 {
		v.Day = days[len(days)-1]
	}
	if v.Day != "" {
		if _, err := audit.ParseDay(v.Day); err != nil {
			v.Error = "day " + v.Day + " is not a date like 2026-12-06"
			s.renderPage(w, http.StatusBadRequest, "audit.html", v)
			return
		}
	}
	for i := len(days) - 1; i >= max(len(days)-auditPageDays, 0); i-- {
		v.Days = append(v.Days, s.verifyDay(r, days[i]))
	}
	if v.Day != "" && slices.Contains(days, v.Day) {
		records, err := audit.Query(audit.QueryOptions{Dir: s.opts.AuditDir, Issue: v.Issue, From: v.Day, To: v.Day})
		if err != nil {
			v.Error = err.Error()
		}
		for _, rec := range records {
			if !slices.Contains(v.Types, rec.EventType) {
				v.Types = append(v.Types, rec.EventType)
			}
		}
		slices.Sort(v.Types)
		records = slices.DeleteFunc(records, func(rec audit.Record) bool { return v.Type != "" && rec.EventType != v.Type })
		v.Matched = len(records)
		for i := len(records) - 1; i >= 0 && len(v.Records) < auditPageRecords; i-- {
			v.Records = append(v.Records, auditRow{Record: records[i], DetailsJSON: detailsJSON(records[i].Details)})
		}
	}
	dl := url.Values{}
	for key, val := range map[string]string{"issue": v.Issue, "type": v.Type, "from": v.Day, "to": v.Day} {
		if val != "" {
			dl.Set(key, val)
		}
	}
	dl.Set("limit", "5000")
	v.Download = "/api/v1/audit?" + dl.Encode()
	s.renderPage(w, http.StatusOK, "audit.html", v)
}

// auditDays lists the days that have a log file, oldest first.
func auditDays(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var days []string
	for _, e := range entries {
		day, ok := strings.CutSuffix(e.Name(), ".ndjson")
		if _, perr := audit.ParseDay(day); ok && perr == nil && e.Type().IsRegular() {
			days = append(days, day)
		}
	}
	slices.Sort(days)
	return days, nil
}

func (s *Server) verifyDay(r *http.Request, day string) dayCheck {
	rep, err := audit.Verify(r.Context(), audit.VerifyOptions{Dir: s.opts.AuditDir, From: day, To: day})
	switch {
	case err != nil:
		return dayCheck{Day: day, Problem: "could not verify: " + err.Error()}
	case rep.Break != nil:
		return dayCheck{Day: day, Records: rep.Records, Problem: rep.Break.String()}
	case rep.Torn != nil:
		return dayCheck{Day: day, Records: rep.Records, Intact: true, Problem: "the last line was cut short by a crash; the next start moves it aside"}
	}
	return dayCheck{Day: day, Records: rep.Records, Intact: true}
}

func detailsJSON(d map[string]any) string {
	if len(d) == 0 {
		return ""
	}
	data, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return "unprintable details: " + err.Error()
	}
	return string(data)
}
