package notify

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/config"
)

// receiver is a TLS webhook endpoint that records what it was sent and answers from a script.
type receiver struct {
	srv *httptest.Server

	mu      sync.Mutex
	bodies  [][]byte
	headers []http.Header
	replies []func(http.ResponseWriter) // one per request; the last repeats
}

func newReceiver(t *testing.T, replies ...func(http.ResponseWriter)) *receiver {
	t.Helper()
	r := &receiver{replies: replies}
	r.srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.bodies = append(r.bodies, body)
		r.headers = append(r.headers, req.Header.Clone())
		reply := func(w http.ResponseWriter) { w.WriteHeader(http.StatusOK) }
		if n := len(r.replies); n > 0 {
			reply = r.replies[min(len(r.bodies)-1, n-1)]
		}
		r.mu.Unlock()
		reply(w)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func status(code int) func(http.ResponseWriter) {
	return func(w http.ResponseWriter) { w.WriteHeader(code) }
}

func (r *receiver) roots() *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AddCert(r.srv.Certificate())
	return pool
}

// urlAs is the receiver's URL with its host replaced by name (the port kept).
func (r *receiver) urlAs(t *testing.T, name, path string) string {
	t.Helper()
	_, port, err := net.SplitHostPort(r.srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	return "https://" + net.JoinHostPort(name, port) + path
}

func (r *receiver) payloads(t *testing.T) []map[string]any {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]map[string]any, len(r.bodies))
	for i, b := range r.bodies {
		if err := json.Unmarshal(b, &out[i]); err != nil {
			t.Fatalf("body %d is not JSON: %v: %s", i, err, b)
		}
	}
	return out
}

func (r *receiver) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.bodies)
}

// fakeSleeper records requested waits and returns at once, so retry tests take no time.
type fakeSleeper struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (f *fakeSleeper) sleep(ctx context.Context, d time.Duration) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.waits = append(f.waits, d)
	return ctx.Err()
}

func (f *fakeSleeper) recorded() []time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]time.Duration(nil), f.waits...)
}

// staticResolver answers every name from a fixed table.
type staticResolver map[string]string

func (s staticResolver) LookupIPAddr(_ context.Context, host string) ([]net.IPAddr, error) {
	ip, ok := s[host]
	if !ok {
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	return []net.IPAddr{{IP: net.ParseIP(ip)}}, nil
}

// results collects every Result reported by a Notifier.
type results struct {
	mu  sync.Mutex
	all []Result
}

func (r *results) add(res Result) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.all = append(r.all, res)
}

func (r *results) list() []Result {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Result(nil), r.all...)
}

var fixedNow = time.Date(2026, 12, 7, 1, 0, 0, 0, time.UTC)

// harness builds a Notifier wired to fakes; every channel trusts rcv's certificate and
// resolves example.com to 127.0.0.1, which httptest's certificate also covers.
type harness struct {
	n       *Notifier
	sleeper *fakeSleeper
	results *results
}

func newHarness(t *testing.T, rcv *receiver, channels []config.Channel, redactTitles bool, secrets ...string) *harness {
	t.Helper()
	h := &harness{sleeper: &fakeSleeper{}, results: &results{}}
	n, err := New(config.Notifications{Enabled: true, RedactTitles: redactTitles, Channels: channels}, Options{
		OnResult: h.results.add,
		Secrets:  secrets,
		Resolver: staticResolver{"example.com": "127.0.0.1"},
		RootCAs:  rcv.roots(),
		Now:      func() time.Time { return fixedNow },
		Sleep:    h.sleeper.sleep,
	})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	h.n = n
	t.Cleanup(func() { _ = n.Close(context.Background()) })
	return h
}

// drain closes the notifier, waiting for every queued delivery, bounded by a timeout.
func (h *harness) drain(t *testing.T) []Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := h.n.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}
	return h.results.list()
}
