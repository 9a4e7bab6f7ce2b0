package github

import (
	"strings"
	"testing"
)

func TestParseRemote(t *testing.T) {
	tests := []struct {
		remote string
		want   Repo
		code   string
	}{
		{remote: "https://github.com/octo/hello.git", want: Repo{"github.com", "octo", "hello"}},
		{remote: "https://github.com/octo/hello", want: Repo{"github.com", "octo", "hello"}},
		{remote: "https://github.com/octo/hello/", want: Repo{"github.com", "octo", "hello"}},
		{remote: "  https://GitHub.COM/Octo/Hello.git\n", want: Repo{"github.com", "Octo", "Hello"}},
		{remote: "https://x-access-token:secret@github.com/octo/hello.git", want: Repo{"github.com", "octo", "hello"}},
		{remote: "http://ghe.example.com:8080/team/svc.git", want: Repo{"ghe.example.com", "team", "svc"}},
		{remote: "git@github.com:octo/hello.git", want: Repo{"github.com", "octo", "hello"}},
		{remote: "git@github.com:octo/hello", want: Repo{"github.com", "octo", "hello"}},
		{remote: "github.com:octo/my.repo.git", want: Repo{"github.com", "octo", "my.repo"}},
		{remote: "ssh://git@github.com/octo/hello.git", want: Repo{"github.com", "octo", "hello"}},
		{remote: "ssh://git@ghe.example.com:2222/team/svc", want: Repo{"ghe.example.com", "team", "svc"}},
		{remote: "git+ssh://git@github.com/octo/hello.git", want: Repo{"github.com", "octo", "hello"}},
		{remote: "", code: CodeInvalidRemote},
		{remote: "/srv/git/hello.git", code: CodeInvalidRemote},
		{remote: "file:///srv/git/hello.git", code: CodeInvalidRemote},
		{remote: "ftp://github.com/octo/hello", code: CodeInvalidRemote},
		{remote: "https://github.com/octo", code: CodeInvalidRemote},
		{remote: "https://github.com/octo/hello/extra", code: CodeInvalidRemote},
		{remote: "https://github.com/octo/..", code: CodeInvalidRemote},
		{remote: "https://github.com/-octo/hello", code: CodeInvalidRemote},
		{remote: "https://github.com/octo/hel lo", code: CodeInvalidRemote},
		{remote: "https://github.com/octo/hello?x=1", code: CodeInvalidRemote},
		{remote: "git@github.com:/octo/hello.git", code: CodeInvalidRemote},
		{remote: "git@host_name:octo/hello", code: CodeInvalidRemote},
		{remote: "https://github.com/octo/hello.git.git", code: CodeInvalidRemote},
		{remote: "https:///octo/hello", code: CodeInvalidRemote},
	}
	for _, tt := range tests {
		t.Run(tt.remote, func(t *testing.T) {
			got, err := ParseRemote(tt.remote)
			if tt.code != "" {
				if ErrorCode(err) != tt.code {
					t.Fatalf("ParseRemote(%q) = %+v, %v; want code %s", tt.remote, got, err, tt.code)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ParseRemote(%q) = %+v, %v; want %+v", tt.remote, got, err, tt.want)
			}
		})
	}
}

func TestParseRemoteNeverEchoesCredentials(t *testing.T) {
	_, err := ParseRemote("https://user:hunter2secret@github.com/octo")
	if err == nil || strings.Contains(err.Error(), "hunter2secret") {
		t.Fatalf("error %v must exist and must not contain the password", err)
	}
}

func FuzzParseRemote(f *testing.F) {
	for _, seed := range []string{
		"https://github.com/octo/hello.git", "git@github.com:octo/hello.git", "ssh://git@h:22/o/r",
		"https://u:p@h/o/r", "h:o/r", "", "::", "https://[::1]/o/r", "git@@h:o/r.git.git",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, remote string) {
		repo, err := ParseRemote(remote)
		if err != nil {
			if ErrorCode(err) != CodeInvalidRemote {
				t.Fatalf("error without the invalid-remote code: %v", err)
			}
			return
		}
		if !validHost(repo.Host) || !validOwner(repo.Owner) || !validRepoName(repo.Name) {
			t.Fatalf("ParseRemote(%q) accepted %+v", remote, repo)
		}
		if strings.HasSuffix(repo.Name, ".git") {
			t.Fatalf("ParseRemote(%q) kept .git in %q", remote, repo.Name)
		}
		again, err := ParseRemote("https://" + repo.Host + "/" + repo.FullName())
		if err != nil || again != repo {
			t.Fatalf("%+v does not round-trip: %+v, %v", repo, again, err)
		}
	})
}

func TestEndpointFor(t *testing.T) {
	env := func(vals map[string]string) func(string) string { return func(k string) string { return vals[k] } }
	tests := []struct {
		name       string
		host       string
		enterprise []string
		env        map[string]string
		want       Endpoint
		code       string
	}{
		{name: "public", host: "github.com", want: Endpoint{"https://api.github.com", "https://api.github.com/graphql"}},
		{name: "public any case", host: "GitHub.com", want: Endpoint{"https://api.github.com", "https://api.github.com/graphql"}},
		{name: "enterprise", host: "ghe.example.com", enterprise: []string{"GHE.example.com"},
			want: Endpoint{"https://ghe.example.com/api/v3", "https://ghe.example.com/api/graphql"}},
		{name: "unknown host", host: "gitlab.com", enterprise: []string{"ghe.example.com"}, code: CodeUnsupportedHost},
		{name: "env wins over public", host: "github.com", env: map[string]string{APIURLEnv: "http://127.0.0.1:9/api/"},
			want: Endpoint{"http://127.0.0.1:9/api", "http://127.0.0.1:9/api/graphql"}},
		{name: "env wins over unknown host", host: "elsewhere.example", env: map[string]string{APIURLEnv: "http://127.0.0.1:9"},
			want: Endpoint{"http://127.0.0.1:9", "http://127.0.0.1:9/graphql"}},
		{name: "env not a URL", host: "github.com", env: map[string]string{APIURLEnv: "127.0.0.1:9"}, code: CodeUnsupportedHost},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := EndpointFor(tt.host, tt.enterprise, env(tt.env))
			if tt.code != "" {
				if ErrorCode(err) != tt.code {
					t.Fatalf("got %+v, %v; want code %s", got, err, tt.code)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

func TestTokenFromEnv(t *testing.T) {
	tests := []struct {
		env  map[string]string
		want string
		code string
	}{
		{env: map[string]string{"GH_TOKEN": "a", "GITHUB_TOKEN": "b"}, want: "a"},
		{env: map[string]string{"GH_TOKEN": " ", "GITHUB_TOKEN": "b"}, want: "b"},
		{env: map[string]string{"GITHUB_API_TOKEN": "c"}, code: CodeMissingToken},
		{env: map[string]string{}, code: CodeMissingToken},
	}
	for _, tt := range tests {
		got, err := TokenFromEnv(func(k string) string { return tt.env[k] })
		if got != tt.want || ErrorCode(err) != tt.code {
			t.Errorf("TokenFromEnv(%v) = %q, %v; want %q, code %q", tt.env, got, err, tt.want, tt.code)
		}
	}
}
