package sshworker

import (
	"fmt"
	"net"
	"strconv"
	"strings"
)

// Host is one worker host from `workers.ssh_hosts`. Port 0 means the entry named no port, so
// the ssh config (or ssh's default) decides; OpenSSH itself does not split `host:port`.
type Host struct {
	User string
	Name string // host name, ssh config alias, IPv4 address, or IPv6 address without brackets
	Port int
}

// String renders the host in the form it was configured, so it can serve as the host's key in
// run records and status output.
func (h Host) String() string {
	name := h.Name
	if strings.Contains(name, ":") {
		name = "[" + name + "]"
	}
	if h.User != "" {
		name = h.User + "@" + name
	}
	if h.Port != 0 {
		name += ":" + strconv.Itoa(h.Port)
	}
	return name
}

// Destination is the `[user@]host` argument ssh expects; the port travels separately as -p.
func (h Host) Destination() string {
	if h.User != "" {
		return h.User + "@" + h.Name
	}
	return h.Name
}

// ParseHost reads one `workers.ssh_hosts` entry: `host`, `host:port`, `user@host:port`, or a
// bracketed IPv6 address such as `[::1]:2222`. An unbracketed IPv6 address is refused because
// its last group cannot be told apart from a port.
func ParseHost(entry string) (Host, error) {
	fail := func(why string) (Host, error) {
		return Host{}, fmt.Errorf("ssh host %q: %s", entry, why)
	}
	if entry == "" {
		return fail("is empty")
	}
	for _, r := range entry {
		if r <= ' ' || r == 0x7f {
			return fail("must not contain spaces or control characters")
		}
	}
	var h Host
	rest := entry
	if at := strings.IndexByte(rest, '@'); at >= 0 {
		h.User, rest = rest[:at], rest[at+1:]
		if err := checkUser(h.User); err != "" {
			return fail(err)
		}
	}
	var port string
	switch {
	case strings.HasPrefix(rest, "["):
		end := strings.IndexByte(rest, ']')
		if end < 0 {
			return fail("has an opening [ without a closing ]")
		}
		h.Name = rest[1:end]
		if ip := net.ParseIP(h.Name); ip == nil || !strings.Contains(h.Name, ":") {
			return fail("brackets are only for IPv6 addresses, got [" + h.Name + "]")
		}
		after := rest[end+1:]
		if after != "" {
			if !strings.HasPrefix(after, ":") {
				return fail("expected :port after ], got " + strconv.Quote(after))
			}
			port = after[1:]
			if port == "" {
				return fail("has a : with no port after it")
			}
		}
	case strings.Count(rest, ":") > 1:
		return fail("an IPv6 address must be bracketed, for example [::1]:2222")
	default:
		var hasPort bool
		h.Name, port, hasPort = strings.Cut(rest, ":")
		if hasPort && port == "" {
			return fail("has a : with no port after it")
		}
		if err := checkHostName(h.Name); err != "" {
			return fail(err)
		}
	}
	if port != "" {
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 || port[0] == '0' {
			return fail("port must be a number from 1 to 65535, got " + strconv.Quote(port))
		}
		h.Port = n
	}
	return h, nil
}

// ParseHosts parses every entry and refuses duplicates, since two entries for one host would
// double its slots. Errors name the entry's index so config validation can point at its line.
func ParseHosts(entries []string) ([]Host, []IndexedError) {
	var hosts []Host
	var errs []IndexedError
	seen := map[string]int{}
	for i, e := range entries {
		h, err := ParseHost(e)
		if err != nil {
			errs = append(errs, IndexedError{Index: i, Err: err})
			continue
		}
		if first, dup := seen[h.String()]; dup {
			errs = append(errs, IndexedError{Index: i, Err: fmt.Errorf("ssh host %q repeats entry %d", e, first)})
			continue
		}
		seen[h.String()] = i
		hosts = append(hosts, h)
	}
	return hosts, errs
}

// IndexedError is a problem with the list entry at Index.
type IndexedError struct {
	Index int
	Err   error
}

// checkUser keeps user names to the portable POSIX set, so a user can never be read as an
// ssh option or carry shell syntax into ssh's config expansion.
func checkUser(u string) string {
	if u == "" {
		return "has an @ with no user name before it"
	}
	if u[0] == '-' {
		return "user name must not start with -"
	}
	for _, r := range u {
		if !isAlnum(r) && r != '.' && r != '_' && r != '-' {
			return fmt.Sprintf("user name %q may hold only letters, digits, '.', '_' and '-'", u)
		}
	}
	return ""
}

// checkHostName accepts DNS names, IPv4 addresses and ssh config aliases; a leading - would be
// read by ssh as an option.
func checkHostName(n string) string {
	if n == "" {
		return "has no host name"
	}
	if n[0] == '-' {
		return "host name must not start with -"
	}
	for _, r := range n {
		if !isAlnum(r) && r != '.' && r != '_' && r != '-' {
			return fmt.Sprintf("host name %q may hold only letters, digits, '.', '_' and '-'", n)
		}
	}
	return ""
}

func isAlnum(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
}
