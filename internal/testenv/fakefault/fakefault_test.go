package fakefault

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
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
		if !Answer(w, get, f, "", func(w http.ResponseWriter, status int, msg string) { w.WriteHeader(status) }) ||
			w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") != "3" {
			t.Fatalf("answer %d: %d %v", i+1, w.Code, w.Header())
		}
	}
	if f := q.Take(get); f != nil {
		t.Fatalf("a third request took %+v; the fault was for two", f)
	}
	w := httptest.NewRecorder()
	if Answer(w, get, nil, "", nil) {
		t.Fatal("no fault answered anyway")
	}
	q.Inject(Fault{Match: "GET", Malformed: true})
	w = httptest.NewRecorder()
	if !Answer(w, get, q.Take(get), `[{"a": `, nil) || w.Body.String() != `[{"a": ` {
		t.Fatalf("malformed answer %q", w.Body.String())
	}
}

func TestHangAnswersNothingUntilTheClientLeaves(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	r := httptest.NewRequest(http.MethodGet, "/api/issues", nil).WithContext(ctx)
	time.AfterFunc(50*time.Millisecond, cancel)
	w := httptest.NewRecorder()
	start := time.Now()
	if !Answer(w, r, &Fault{Hang: true}, "", nil) {
		t.Fatal("a hang was not a fault")
	}
	if waited := time.Since(start); waited < 50*time.Millisecond || waited > hangLimit/2 {
		t.Fatalf("hang returned after %s; the client left after 50ms", waited)
	}
	if w.Body.Len() != 0 || w.Code != http.StatusOK || w.Flushed {
		t.Fatalf("a hang wrote %d %q", w.Code, w.Body.String())
	}
}
