package apischema

import (
	"bytes"
	"io"
	"net/http"
	"sync"
)

// Exchange is one request a client sent and the answer it got, bodies included.
type Exchange struct {
	Method, Path string
	RequestType  string
	RequestBody  []byte
	Status       int
	ResponseType string
	ResponseBody []byte
}

// Recorder is an http.RoundTripper that records every exchange passing through it, so a test
// can check what a fake really answered while a real client drove it.
type Recorder struct {
	// Next carries the requests; http.DefaultTransport when nil.
	Next http.RoundTripper

	mu        sync.Mutex
	exchanges []Exchange
}

// RoundTrip sends req through Next and records both bodies.
func (r *Recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	var reqBody []byte
	if req.Body != nil {
		var err error
		if reqBody, err = io.ReadAll(req.Body); err != nil {
			return nil, err
		}
		_ = req.Body.Close()
		req.Body = io.NopCloser(bytes.NewReader(reqBody))
	}
	next := r.Next
	if next == nil {
		next = http.DefaultTransport
	}
	resp, err := next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	respBody, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(respBody))
	r.mu.Lock()
	r.exchanges = append(r.exchanges, Exchange{
		Method: req.Method, Path: req.URL.Path, RequestType: req.Header.Get("Content-Type"), RequestBody: reqBody,
		Status: resp.StatusCode, ResponseType: resp.Header.Get("Content-Type"), ResponseBody: respBody,
	})
	r.mu.Unlock()
	return resp, nil
}

// Exchanges returns everything recorded so far, in order.
func (r *Recorder) Exchanges() []Exchange {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Exchange(nil), r.exchanges...)
}
