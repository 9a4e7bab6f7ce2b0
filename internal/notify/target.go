package notify

import (
	"fmt"
	"net/netip"
	"net/url"
	"strings"
)

// checkTarget validates a channel URL after $VAR resolution: https only (http only for a
// loopback host on an allow_private channel, which is what local tests need), a host present,
// and no IP literal or localhost name in a refused range unless allow_private. Names are
// checked again at dial time, where the address they resolve to is known.
func checkTarget(raw string, allowPrivate bool) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return nil, fmt.Errorf("is not a valid URL: %v", err)
	}
	host := u.Hostname()
	if host == "" {
		return nil, fmt.Errorf("has no host")
	}
	if u.User != nil {
		return nil, fmt.Errorf("must not carry user:password credentials; use a header from $VAR")
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !allowPrivate || !isLoopbackHost(host) {
			return nil, fmt.Errorf("must use https (plain http is accepted only for a loopback host with allow_private)")
		}
	default:
		return nil, fmt.Errorf("must use https, not %q", u.Scheme)
	}
	if allowPrivate {
		return u, nil
	}
	if isLocalhostName(host) {
		return nil, fmt.Errorf("host %s is loopback; set allow_private on the channel to permit it", host)
	}
	if addr, err := netip.ParseAddr(host); err == nil {
		if err := checkAddr(addr, false); err != nil {
			return nil, err
		}
	}
	return u, nil
}

func isLocalhostName(host string) bool {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	return host == "localhost" || strings.HasSuffix(host, ".localhost")
}

func isLoopbackHost(host string) bool {
	if isLocalhostName(host) {
		return true
	}
	addr, err := netip.ParseAddr(host)
	return err == nil && addr.Unmap().IsLoopback()
}
