package github

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"sync"
)

// Bounds of the conditional-read cache: enough for every page a tracker polls, small enough
// that a long-running service keeps a flat footprint.
const (
	conditionalMaxEntries   = 512
	conditionalMaxBodyBytes = 4 << 20
)

// conditionalTransport remembers the ETag and body of each successful GET and sends the ETag
// back as If-None-Match. GitHub answers an unchanged resource with 304 Not Modified, which
// costs nothing against the rate limit; the transport then replays the remembered body as a
// 200, so callers never see the difference. Rate-limit headers come from the fresh answer.
type conditionalTransport struct {
	base http.RoundTripper

	mu      sync.Mutex
	entries map[string]*conditionalEntry
	// order lists keys oldest first, for eviction.
	order []string
}

type conditionalEntry struct {
	etag   string
	header http.Header
	body   []byte
}

func newConditionalTransport(base http.RoundTripper) *conditionalTransport {
	return &conditionalTransport{base: base, entries: map[string]*conditionalEntry{}}
}

func (t *conditionalTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method != http.MethodGet || req.Header.Get("Range") != "" {
		return t.base.RoundTrip(req)
	}
	// The Accept header changes the representation, so it is part of what is remembered.
	key := req.URL.String() + "\n" + req.Header.Get("Accept")
	t.mu.Lock()
	entry := t.entries[key]
	t.mu.Unlock()
	if entry != nil {
		req = req.Clone(req.Context())
		req.Header.Set("If-None-Match", entry.etag)
	}
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode == http.StatusNotModified && entry != nil {
		resp.Body.Close()
		header := entry.header.Clone()
		for k, vs := range resp.Header {
			if strings.HasPrefix(k, "X-Ratelimit-") {
				header[k] = vs
			}
		}
		return &http.Response{
			Status: "200 OK", StatusCode: http.StatusOK, Proto: resp.Proto, ProtoMajor: resp.ProtoMajor, ProtoMinor: resp.ProtoMinor,
			Header: header, Body: io.NopCloser(bytes.NewReader(entry.body)), ContentLength: int64(len(entry.body)), Request: resp.Request,
		}, nil
	}
	etag := resp.Header.Get("ETag")
	if resp.StatusCode != http.StatusOK || etag == "" {
		return resp, nil
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, conditionalMaxBodyBytes+1))
	if err != nil {
		resp.Body.Close()
		return nil, err
	}
	if len(body) > conditionalMaxBodyBytes {
		resp.Body = readCloser{io.MultiReader(bytes.NewReader(body), resp.Body), resp.Body}
		return resp, nil
	}
	resp.Body.Close()
	t.remember(key, &conditionalEntry{etag: etag, header: resp.Header.Clone(), body: body})
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp, nil
}

func (t *conditionalTransport) remember(key string, e *conditionalEntry) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if _, ok := t.entries[key]; !ok {
		t.order = append(t.order, key)
	}
	t.entries[key] = e
	for len(t.order) > conditionalMaxEntries {
		delete(t.entries, t.order[0])
		t.order = t.order[1:]
	}
}

// readCloser reads from one reader and closes another: an oversized body is handed on
// without being remembered.
type readCloser struct {
	io.Reader
	io.Closer
}
