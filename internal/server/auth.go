package server

import (
	"crypto/subtle"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// tcpGuard protects a control endpoint on the TCP listener. Browser requests must come from
// the dashboard's own origin (a page elsewhere must not steer the service through the user's
// browser), and every request must carry the bearer token (a local process of another user
// must not either).
func (s *Server) tcpGuard(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if msg := s.originProblem(r); msg != "" {
			writeError(w, http.StatusForbidden, codeForbiddenOrigin, msg)
			return
		}
		if !bearerMatches(r.Header.Values("Authorization"), s.opts.Token) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="symphony"`)
			writeError(w, http.StatusUnauthorized, codeUnauthorized, "invalid or missing bearer token (see control_token in the state root)")
			return
		}
		next(w, r)
	}
}

// originProblem applies the same-origin rule to requests a browser sent. A browser names the
// page's origin in Origin and says where the request comes from in Sec-Fetch-Site; a request
// with neither is from a non-browser client, which the bearer token alone decides.
func (s *Server) originProblem(r *http.Request) string {
	origins := r.Header.Values("Origin")
	site := r.Header.Get("Sec-Fetch-Site")
	if len(origins) == 0 && site == "" {
		return ""
	}
	if site != "" && site != "same-origin" && site != "none" {
		return "cross-site request refused (Sec-Fetch-Site: " + site + ")"
	}
	if len(origins) != 1 {
		return "a browser request needs exactly one Origin header"
	}
	u, err := url.Parse(origins[0])
	if err != nil || u.Host == "" {
		return "Origin " + origins[0] + " is not a URL"
	}
	if !s.originAllowed(u.Hostname()) {
		return "Origin " + origins[0] + " is not this dashboard; add its host to SYMPHONY_DASHBOARD_ALLOWED_ORIGINS to allow it"
	}
	return ""
}

func (s *Server) originAllowed(host string) bool {
	host = strings.ToLower(host)
	switch host {
	case "localhost", "127.0.0.1", "::1":
		return true
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return true
	}
	if strings.EqualFold(host, strings.Trim(s.opts.Host, "[]")) {
		return true
	}
	for _, a := range s.opts.AllowedOrigins {
		if strings.EqualFold(host, strings.TrimSpace(a)) {
			return true
		}
	}
	return false
}

// bearerMatches accepts exactly one Authorization header of the Bearer scheme (compared
// case-insensitively, as RFC 9110 says schemes are) whose token equals want, compared in
// constant time.
func bearerMatches(headers []string, want string) bool {
	if len(headers) != 1 {
		return false
	}
	scheme, token, ok := strings.Cut(strings.TrimSpace(headers[0]), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return false
	}
	token = strings.TrimSpace(token)
	return len(token) == len(want) && subtle.ConstantTimeCompare([]byte(token), []byte(want)) == 1
}

// ParseAllowedOrigins splits SYMPHONY_DASHBOARD_ALLOWED_ORIGINS: comma-separated host names;
// a scheme or port given with one is ignored.
func ParseAllowedOrigins(v string) []string {
	var out []string
	for _, part := range strings.Split(v, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if u, err := url.Parse(part); err == nil && u.Host != "" {
			part = u.Hostname()
		} else if h, _, err := net.SplitHostPort(part); err == nil {
			part = h
		}
		out = append(out, part)
	}
	return out
}
