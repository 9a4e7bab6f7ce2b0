package sshworker

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/symphony-go/symphony/internal/testenv"
)

func TestValidators(t *testing.T) {
	long := strings.Repeat("a", maxValueLen+1)
	tests := []struct {
		name  string
		check func(string) error
		good  []string
		bad   map[string]string // value -> part of the error
	}{
		{"identifier", ValidateIssueIdentifier,
			[]string{"ABC-123", "local-7", "x.y_z", "9"},
			map[string]string{"": "is empty", "-ABC": "must start with", ".x": "must start with",
				"ABC-1;id": `contains ';'`, "a b": `contains ' '`, "$(id)": `contains '$'`, long: "longer than"}},
		{"branch", ValidateBranchName,
			[]string{"symphony/ABC-123", "main", "feature/a.b_c-d", "v1+fix"},
			map[string]string{"-f": "start with -", "/x": "start or end with /", "x/": "start or end with /",
				"a..b": "..", "a//b": "//", "x.lock": ".lock", "x.": "end with .", "a/.hidden": "starting with .",
				"a b": `contains ' '`, "a`id`": "contains '`'", "a~1": "contains '~'", "a\nb": `contains '\n'`}},
		{"remote path", ValidateRemotePath,
			[]string{"/", "/srv/symphony/workspaces", "/home/ci/ws/ABC-123", "/a/b@c/d%e=f:g,h+i"},
			map[string]string{"srv/ws": "must be absolute", "~/ws": `contains '~'`, "/srv/../etc": ". or ..",
				"/srv/./ws": ". or ..", "/srv//ws": "empty components", "/srv/": "empty components",
				"/srv/$HOME": `contains '$'`, "/srv/a b": `contains ' '`, "/srv/a\x00": `contains '\x00'`, "/" + strings.Repeat("a", maxPathLen): "longer than"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, v := range tt.good {
				if err := tt.check(v); err != nil {
					t.Errorf("%q refused: %v", v, err)
				}
			}
			for v, want := range tt.bad {
				err := tt.check(v)
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Errorf("%q: got %v, want an error saying %s", v, err, want)
				}
			}
		})
	}
}

func TestRemotePathUnder(t *testing.T) {
	tests := []struct {
		root, candidate string
		want            bool
	}{
		{"/srv/ws", "/srv/ws/ABC-1", true},
		{"/srv/ws", "/srv/ws", false},
		{"/srv/ws", "/srv/wsx/ABC-1", false},
		{"/srv/ws", "/srv", false},
		{"/", "/x", true},
		{"/", "/", false},
	}
	for _, tt := range tests {
		if got := RemotePathUnder(tt.root, tt.candidate); got != tt.want {
			t.Errorf("RemotePathUnder(%q, %q) = %v, want %v", tt.root, tt.candidate, got, tt.want)
		}
	}
}

// FuzzValidatedValuesNeedNoQuoting proves the validators' promise with the real /bin/sh: a value
// they accept, placed on a command line without any quoting, still arrives as exactly one
// argument equal to itself.
func FuzzValidatedValuesNeedNoQuoting(f *testing.F) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		testenv.Missing(f, "/bin/sh")
	}
	for _, s := range []string{"ABC-123", "symphony/ABC-1", "/srv/ws/a@b%c=d:e,f+g", "a*b", "~x", "$x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		if ValidateIssueIdentifier(v) != nil && ValidateBranchName(v) != nil && ValidateRemotePath(v) != nil {
			return
		}
		got := shellArgv(t, sh, `printf '%s\000' `+v)
		if len(got) != 1 || got[0] != v {
			t.Fatalf("validated %q reached the shell unquoted as %q", v, got)
		}
	})
}
