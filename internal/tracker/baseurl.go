package tracker

import (
	"net"
	"net/url"
	"strings"
)

// CheckBaseURL accepts a tracker API base URL: https anywhere, plain http only on a loopback
// host (a test server), because anything else would send the token in clear text. key names
// where the URL came from (a config key or environment variable) for the error.
func CheckBaseURL(key, raw string) error {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return Errorf(CodeInvalidSettings, "%s must be an https URL, got %q", key, raw)
	}
	if u.User != nil {
		return Errorf(CodeInvalidSettings, "%s must not carry credentials in the URL", key)
	}
	if u.Scheme == "http" && !IsLoopbackHost(u.Hostname()) {
		return Errorf(CodeInvalidSettings, "%s uses plain http to %s; only https is allowed (http is accepted for loopback test servers only)", key, u.Hostname())
	}
	return nil
}

// IsLoopbackHost reports whether host is localhost or a loopback IP address.
func IsLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
