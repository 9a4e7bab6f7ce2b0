package sshworker

import (
	"strings"
	"testing"
)

func TestParseHost(t *testing.T) {
	tests := []struct {
		entry string
		want  Host
		dest  string
	}{
		{"worker1", Host{Name: "worker1"}, "worker1"},
		{"worker1.example.com:2222", Host{Name: "worker1.example.com", Port: 2222}, "worker1.example.com"},
		{"deploy@10.0.0.5:22", Host{User: "deploy", Name: "10.0.0.5", Port: 22}, "deploy@10.0.0.5"},
		{"[::1]:2222", Host{Name: "::1", Port: 2222}, "::1"},
		{"[::1]", Host{Name: "::1"}, "::1"},
		{"ci_user@[2001:db8::7]:65535", Host{User: "ci_user", Name: "2001:db8::7", Port: 65535}, "ci_user@2001:db8::7"},
		{"my_alias", Host{Name: "my_alias"}, "my_alias"},
	}
	for _, tt := range tests {
		t.Run(tt.entry, func(t *testing.T) {
			got, err := ParseHost(tt.entry)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Fatalf("ParseHost(%q) = %+v, want %+v", tt.entry, got, tt.want)
			}
			if got.Destination() != tt.dest {
				t.Errorf("Destination() = %q, want %q", got.Destination(), tt.dest)
			}
			if got.String() != tt.entry {
				t.Errorf("String() = %q, want the entry back", got.String())
			}
		})
	}
}

func TestParseHostRefusesBadEntries(t *testing.T) {
	tests := []struct{ entry, why string }{
		{"", "is empty"},
		{"::1", "must be bracketed"},
		{"2001:db8::7:22", "must be bracketed"},
		{"[::1", "without a closing ]"},
		{"[10.0.0.1]:22", "only for IPv6"},
		{"[::1]2222", "expected :port"},
		{"[::1]:", "no port after it"},
		{"host:", "no port after it"},
		{"host:0", "1 to 65535"},
		{"host:65536", "1 to 65535"},
		{"host:022", "1 to 65535"},
		{"host:ssh", "1 to 65535"},
		{"-oProxyCommand=touch", "must not start with -"},
		{"-x@host", "must not start with -"},
		{"@host", "no user name"},
		{"a@b@c", "may hold only"},
		{"host name", "spaces or control"},
		{"host\n", "spaces or control"},
		{"host;rm", "may hold only"},
		{"us$er@host", "may hold only"},
		{"user@:22", "has no host name"},
	}
	for _, tt := range tests {
		t.Run(tt.entry, func(t *testing.T) {
			_, err := ParseHost(tt.entry)
			if err == nil {
				t.Fatalf("ParseHost(%q) accepted it", tt.entry)
			}
			if !strings.Contains(err.Error(), tt.why) || !strings.Contains(err.Error(), "ssh host") {
				t.Fatalf("error %q should name the entry and say %q", err, tt.why)
			}
		})
	}
}

func TestParseHostsReportsIndexAndDuplicates(t *testing.T) {
	hosts, errs := ParseHosts([]string{"a:22", "b", "bad host", "a:22", "a"})
	if len(hosts) != 3 {
		t.Fatalf("hosts = %v, want a:22, b and a", hosts)
	}
	if len(errs) != 2 || errs[0].Index != 2 || errs[1].Index != 3 {
		t.Fatalf("errs = %+v, want entries 2 (bad) and 3 (duplicate)", errs)
	}
	if !strings.Contains(errs[1].Err.Error(), "repeats entry 0") {
		t.Fatalf("duplicate error %q should point at entry 0", errs[1].Err)
	}
}

func FuzzParseHost(f *testing.F) {
	for _, s := range []string{"h", "u@h:22", "[::1]:2222", "[::1", "a:b:c", "-o"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, entry string) {
		h, err := ParseHost(entry)
		if err != nil {
			return
		}
		if strings.HasPrefix(h.Destination(), "-") {
			t.Fatalf("%q parses to a destination ssh would read as an option", entry)
		}
		again, err := ParseHost(h.String())
		if err != nil || again != h {
			t.Fatalf("%q -> %+v does not round-trip through String %q: %+v, %v", entry, h, h.String(), again, err)
		}
	})
}
