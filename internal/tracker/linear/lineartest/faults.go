package lineartest

import (
	"net/http"
	"strconv"
	"time"
)

// Fault changes how the fake answers matching requests.
type Fault struct {
	// Operation limits the fault to one operation name; empty matches every request.
	Operation string
	// Times is how many matching requests the fault applies to; 0 means every one.
	Times int
	// Delay holds the response back (the request still honours the client's deadline).
	Delay time.Duration
	// Status, when set, answers with this HTTP status and Body (or a GraphQL error body).
	Status int
	// Body is sent verbatim instead of a GraphQL response, e.g. malformed JSON.
	Body string
	// Header values replace the response's own (rate-limit headers included).
	Header http.Header
	// GraphQLErrors answers HTTP 200 with these error messages and no data.
	GraphQLErrors []string
	// MissingEndCursor answers issue pages with hasNextPage true and no endCursor.
	MissingEndCursor bool
	// NoData answers HTTP 200 with an empty JSON object.
	NoData bool
}

// Inject adds a fault; faults are consulted in the order they were injected.
func (s *Server) Inject(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &f)
}

// takeFault returns the first live fault for operation and uses up one of its Times.
func (s *Server) takeFault(operation string) *Fault {
	for i, f := range s.faults {
		if f.Operation != "" && f.Operation != operation {
			continue
		}
		if f.Times > 0 {
			f.Times--
			if f.Times == 0 {
				s.faults = append(s.faults[:i:i], s.faults[i+1:]...)
			}
		}
		return f
	}
	return nil
}

// respond writes the fault's canned answer and reports whether it did.
func (f *Fault) respond(w http.ResponseWriter) bool {
	for k, vs := range f.Header {
		w.Header()[http.CanonicalHeaderKey(k)] = vs
	}
	switch {
	case f.Body != "":
		status := f.Status
		if status == 0 {
			status = http.StatusOK
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(f.Body))
	case f.Status != 0:
		writeErrors(w, f.Status, "", http.StatusText(f.Status))
	case len(f.GraphQLErrors) > 0:
		errs := make([]any, 0, len(f.GraphQLErrors))
		for _, m := range f.GraphQLErrors {
			errs = append(errs, map[string]any{"message": m})
		}
		writeJSON(w, http.StatusOK, map[string]any{"errors": errs})
	case f.NoData:
		writeJSON(w, http.StatusOK, map[string]any{})
	default:
		return false
	}
	return true
}

// rateLimit is a request budget that refills at reset.
type rateLimit struct {
	limit, remaining int
	reset            time.Time
}

// SetRateLimit gives the fake a budget of limit requests that resets at reset. Every response
// then carries Linear's X-RateLimit-Requests-* headers, and requests beyond the budget are
// refused with HTTP 400 and a RATELIMITED error, as Linear does.
func (s *Server) SetRateLimit(limit int, reset time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rateLimit = &rateLimit{limit: limit, remaining: limit, reset: reset}
}

// applyRateLimit spends one request of the budget, writes the headers, and reports whether
// the request must be refused.
func (s *Server) applyRateLimit(h http.Header) bool {
	rl := s.rateLimit
	if rl == nil {
		return false
	}
	limited := rl.remaining <= 0
	if !limited {
		rl.remaining--
	}
	h.Set("X-RateLimit-Requests-Limit", strconv.Itoa(rl.limit))
	h.Set("X-RateLimit-Requests-Remaining", strconv.Itoa(rl.remaining))
	h.Set("X-RateLimit-Requests-Reset", strconv.FormatInt(rl.reset.UnixMilli(), 10))
	return limited
}
