package fakefault

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestTakeAppliesEachFaultItsTimesToMatchingRequestsOnly(t *testing.T) {
	var q Queue
	q.Inject(Fault{Match: "GET /api/issues", Times: 2, Status: http.StatusTooManyRequests, RetryAfter: 3})
	get := httptest.NewRequest(http.MethodGet, "/api/issues?page=2", nil)
	post := httptest.NewRequest(http.MethodPost, "/api/issues", nil)
	if q.Take(post) != nil {
		t.Fatal("a POST took a GET fault")
	}
	for i := range 2 {
		f := q.Take(get)
		if f == nil || f.Status != http.StatusTooManyRequests {
			t.Fatalf("take %d = %+v", i+1, f)
		}
		w := httptest.NewRecorder()
		if !Answer(w, f, "", func(w http.ResponseWriter, status int, msg string) { w.WriteHeader(status) }) ||
			w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") != "3" {
			t.Fatalf("answer %d: %d %v", i+1, w.Code, w.Header())
		}
	}
	if f := q.Take(get); f != nil {
		t.Fatalf("a third request took %+v; the fault was for two", f)
	}
	w := httptest.NewRecorder()
	if Answer(w, nil, "", nil) {
		t.Fatal("no fault answered anyway")
	}
	q.Inject(Fault{Match: "GET", Malformed: true})
	w = httptest.NewRecorder()
	if !Answer(w, q.Take(get), `[{"a": `, nil) || w.Body.String() != `[{"a": ` {
		t.Fatalf("malformed answer %q", w.Body.String())
	}
}
