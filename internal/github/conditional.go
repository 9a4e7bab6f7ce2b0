package github

import (
	"bytes"
	"io"
	"net/http"
	"sync"
)

// Bounds of the conditional-request cache: answers larger than maxCachedBody are not kept,
// and the cache forgets everything once it holds maxCachedAnswers, which a poller refills
// within one cycle.
const (
	maxCachedBody    = 1 << 20
	maxCachedAnswers = 4096
)

// cachedAnswer is a GET answer kept for revalidation.
type cachedAnswer struct {
	etag   string
	header http.Header
	body   []byte
}

// conditionalTransport revalidates repeated GETs with If-None-Match and replays the kept
// answer on 304 Not Modified. GitHub does not count a 304 against the rate limit, so a
// poller asking about unchanged pull requests every minute costs almost nothing.
type conditionalTransport struct {
	next http.RoundTripper
	mu   sync.Mutex
	kept map[string]cachedAnswer
}

func (t *conditionalTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method != http.MethodGet {
		return t.next.RoundTrip(req)
	}
	key := req.URL.String()
	t.mu.Lock()
	kept, ok := t.kept[key]
	t.mu.Unlock()
	if ok {
		req = req.Clone(req.Context())
		req.Header.Set("If-None-Match", kept.etag)
	}
	resp, err := t.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	switch {
	case resp.StatusCode == http.StatusNotModified && ok:
		discard(resp)
		replay := &http.Response{Status: "200 OK", StatusCode: http.StatusOK, Proto: resp.Proto, ProtoMajor: resp.ProtoMajor,
			ProtoMinor: resp.ProtoMinor, Header: kept.header.Clone(), Body: io.NopCloser(bytes.NewReader(kept.body)),
			ContentLength: int64(len(kept.body)), Request: resp.Request}
		for _, h := range []string{"X-Ratelimit-Remaining", "X-Ratelimit-Reset", "X-Ratelimit-Limit"} {
			if v := resp.Header.Get(h); v != "" {
				replay.Header.Set(h, v)
			}
		}
		return replay, nil
	case resp.StatusCode == http.StatusOK && resp.Header.Get("ETag") != "":
		body, err := io.ReadAll(io.LimitReader(resp.Body, maxCachedBody+1))
		resp.Body.Close()
		if err != nil {
			return nil, err
		}
		resp.Body = io.NopCloser(bytes.NewReader(body))
		if len(body) <= maxCachedBody {
			t.keep(key, cachedAnswer{etag: resp.Header.Get("ETag"), header: resp.Header.Clone(), body: body})
		}
	}
	return resp, nil
}

func (t *conditionalTransport) keep(key string, a cachedAnswer) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.kept == nil || len(t.kept) >= maxCachedAnswers {
		t.kept = map[string]cachedAnswer{}
	}
	t.kept[key] = a
}
