package depaudit

import "testing"

func TestAllowMatching(t *testing.T) {
	allow := Allow{
		Registries:  []string{"registry.npmjs.org", "https://Artifactory.Example.com/api/npm/", "github.com/acme"},
		GitSources:  []string{"github.com/acme", "gitlab.example.com/team/tool"},
		PathSources: []string{"libs", "/opt/vendored"},
	}
	tests := []struct {
		src  Source
		want bool
	}{
		{registry("registry.npmjs.org"), true},
		{registry("registry.npmjs.org.evil.example"), false},
		{registry("artifactory.example.com/api/npm/remote"), true},
		{registry("artifactory.example.com/api/npmx"), false},
		{registry("artifactory.example.com"), false},
		{registry("github.com/acme/lib"), true},
		{registry("github.com/acme-evil/lib"), false},
		{gitSource("git@github.com:acme/tool.git"), true},
		{gitSource("https://github.com/ACME2/tool"), false},
		{gitSource("git+https://gitlab.example.com/team/tool.git#v1"), true},
		{gitSource("https://gitlab.example.com/team/tool-fork"), false},
		{pathSource("", "libs/util"), true},
		{pathSource("svc", "../libs/util"), true},
		{pathSource("", "libsx"), false},
		{pathSource("", "../outside"), false},
		{pathSource("", "/opt/vendored/x"), true},
		{pathSource("", "/etc"), false},
		{Source{Kind: "ftp", Location: "registry.npmjs.org"}, false},
	}
	for _, tt := range tests {
		if got := allow.Allows(tt.src); got != tt.want {
			t.Errorf("Allows(%v) = %v, want %v", tt.src, got, tt.want)
		}
	}
	inRepo := Allow{PathSources: []string{"."}}
	for p, want := range map[string]bool{"a/b": true, ".": true, "../x": false, "..": false, "/abs": false} {
		if got := inRepo.Allows(Source{Kind: KindPath, Location: p}); got != want {
			t.Errorf(`"." allows %q = %v, want %v`, p, got, want)
		}
	}
	if (Allow{}).Allows(registry("registry.npmjs.org")) {
		t.Error("an empty policy allowed a source")
	}
}

func TestNormalizeGitURL(t *testing.T) {
	for in, want := range map[string]string{
		"git+ssh://git@github.com/acme/tool.git#abc":      "github.com/acme/tool",
		"git@github.com:acme/tool.git":                    "github.com/acme/tool",
		"https://user:token@GitHub.com/acme/tool/":        "github.com/acme/tool",
		"git+https://github.com/acme/tool.git@v1.2#egg=x": "github.com/acme/tool",
		"https://github.com/acme/tool?rev=main#0123":      "github.com/acme/tool",
		"ssh://git@git.example.com:2222/team/repo.git":    "git.example.com:2222/team/repo",
		"git://github.com/acme/tool":                      "github.com/acme/tool",
	} {
		if got := normalizeGitURL(in); got != want {
			t.Errorf("normalizeGitURL(%q) = %q, want %q", in, got, want)
		}
	}
}
