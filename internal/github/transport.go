package github

import (
	"errors"
	"net/http"
)

// policyTransport adds the token and applies the timeout, retry and rate-limit policy.
type policyTransport struct{ opts Options }

var errNotYet = errors.New("github: not implemented yet")

func (t *policyTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	return nil, errNotYet
}
