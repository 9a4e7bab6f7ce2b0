package server

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/symphony-go/symphony/internal/audit"
)

// Audit page sizes of GET /api/v1/audit.
const (
	defaultAuditLimit = 500
	maxAuditLimit     = 5000
)

// NextCursorHeader carries the cursor of the next audit page; it is absent on the last page.
const NextCursorHeader = "X-Next-Cursor"

var auditFilters = []string{"issue", "type", "run_id", "from", "to", "cursor", "limit"}

// auditCursor names the last record a page returned: its UTC day (so the next page skips the
// files before it) and its record hash (unique in the chain).
type auditCursor struct{ day, hash string }

func parseAuditCursor(v string) (auditCursor, bool) {
	day, hash, ok := strings.Cut(v, ":")
	if !ok || hash == "" {
		return auditCursor{}, false
	}
	if _, err := audit.ParseDay(day); err != nil {
		return auditCursor{}, false
	}
	return auditCursor{day: day, hash: hash}, true
}

func cursorOf(r audit.Record) string {
	return r.Time.UTC().Format("2006-01-02") + ":" + r.RecordHash
}

// getAudit streams audit records as NDJSON in chain order, one page at a time.
func (s *Server) getAudit(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	for key := range q {
		if !slices.Contains(auditFilters, key) {
			writeError(w, http.StatusBadRequest, codeInvalidAuditFilter, "unknown audit filter "+strconv.Quote(key)+"; use "+strings.Join(auditFilters, ", "))
			return
		}
	}
	limit := defaultAuditLimit
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxAuditLimit {
			writeError(w, http.StatusBadRequest, codeInvalidAuditFilter, "limit must be a whole number from 1 to "+strconv.Itoa(maxAuditLimit)+", got "+strconv.Quote(v))
			return
		}
		limit = n
	}
	opts := audit.QueryOptions{Dir: s.opts.AuditDir, Issue: q.Get("issue"), From: q.Get("from"), To: q.Get("to")}
	var cur auditCursor
	if v := q.Get("cursor"); v != "" {
		var ok bool
		if cur, ok = parseAuditCursor(v); !ok {
			writeError(w, http.StatusBadRequest, codeInvalidAuditFilter, "cursor "+strconv.Quote(v)+" is not DAY:RECORD_HASH as sent in "+NextCursorHeader)
			return
		}
		// Nothing before the cursor's day can follow it.
		if opts.From == "" || opts.From < cur.day {
			opts.From = cur.day
		}
	}
	records, err := audit.Query(opts)
	if err != nil {
		writeError(w, http.StatusBadRequest, codeInvalidAuditFilter, err.Error())
		return
	}
	eventType, runID := q.Get("type"), q.Get("run_id")
	records = slices.DeleteFunc(records, func(rec audit.Record) bool {
		return (eventType != "" && rec.EventType != eventType) || (runID != "" && rec.RunID != runID)
	})
	if cur.hash != "" {
		i := slices.IndexFunc(records, func(rec audit.Record) bool { return rec.RecordHash == cur.hash })
		if i < 0 {
			writeError(w, http.StatusBadRequest, codeInvalidAuditFilter, "cursor "+strconv.Quote(q.Get("cursor"))+" names no record these filters select")
			return
		}
		records = records[i+1:]
	}
	if len(records) > limit {
		records = records[:limit]
		w.Header().Set(NextCursorHeader, cursorOf(records[limit-1]))
	}
	w.Header().Set("Content-Type", "application/x-ndjson")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for _, rec := range records {
		if err := enc.Encode(rec); err != nil {
			return
		}
	}
}
