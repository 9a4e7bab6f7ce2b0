package depaudit

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/symphony-go/symphony/internal/testenv"
)

// policy allows the standard registries, the acme organisation and in-repository paths.
var policy = Allow{
	Registries:  []string{"registry.npmjs.org", "pypi.org", "crates.io", "rubygems.org", "github.com/acme", "golang.org/x"},
	GitSources:  []string{"https://github.com/acme"},
	PathSources: []string{"."},
}

func heldStrings(r Report) []string {
	var out []string
	for _, d := range r.Held {
		out = append(out, d.Package+" "+string(d.Source.Kind)+" "+d.Source.Location)
	}
	return out
}

// formatCases give each format a base, a head that adds a package from a source outside the
// policy (and bumps an allowed one), and a head that only bumps an allowed dependency.
var formatCases = []struct {
	name, file      string
	base, add, bump string
	wantHeld        []string
}{
	{
		name: "go.mod", file: "go.mod",
		base:     "module example.com/app\n\ngo 1.22\n\nrequire github.com/acme/lib v1.0.0\n",
		add:      "module example.com/app\n\ngo 1.22\n\nrequire (\n\tgithub.com/acme/lib v1.1.0\n\tgithub.com/acrne/lib v1.0.0\n)\n",
		bump:     "module example.com/app\n\ngo 1.22\n\nrequire github.com/acme/lib v1.2.0\n",
		wantHeld: []string{"github.com/acrne/lib registry github.com/acrne/lib"},
	},
	{
		name: "go.sum", file: "go.sum",
		base:     "github.com/acme/lib v1.0.0 h1:a=\n",
		add:      "github.com/acme/lib v1.1.0 h1:b=\nevil.example/x v0.1.0 h1:c=\n",
		bump:     "github.com/acme/lib v1.2.0 h1:d=\n",
		wantHeld: []string{"evil.example/x registry evil.example/x"},
	},
	{
		name: "package.json", file: "package.json",
		base: `{"dependencies": {"left-pad": "^1.0.0"}}`,
		add: `{"dependencies": {
  "left-pad": "^1.3.0",
  "lodahs": "https://npm.evil.example/lodahs/-/lodahs-1.0.0.tgz"}}`,
		bump:     `{"dependencies": {"left-pad": "^1.3.0"}}`,
		wantHeld: []string{"lodahs registry npm.evil.example"},
	},
	{
		name: "package-lock.json", file: "package-lock.json",
		base: `{"lockfileVersion": 3, "packages": {"": {}, "node_modules/left-pad": {"resolved": "https://registry.npmjs.org/left-pad/-/left-pad-1.0.0.tgz"}}}`,
		add: `{"lockfileVersion": 3, "packages": {"": {},
  "node_modules/left-pad": {"resolved": "https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz"},
  "node_modules/lodahs": {"resolved": "https://npm.evil.example/lodahs/-/lodahs-1.0.0.tgz"}}}`,
		bump:     `{"lockfileVersion": 3, "packages": {"": {}, "node_modules/left-pad": {"resolved": "https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz"}}}`,
		wantHeld: []string{"lodahs registry npm.evil.example"},
	},
	{
		name: "pnpm-lock.yaml", file: "pnpm-lock.yaml",
		base:     "lockfileVersion: '9.0'\n\npackages:\n  left-pad@1.0.0:\n    resolution: {integrity: sha512-a}\n",
		add:      "lockfileVersion: '9.0'\n\npackages:\n  left-pad@1.3.0:\n    resolution: {integrity: sha512-b}\n  lodahs@1.0.0:\n    resolution: {integrity: sha512-c, tarball: https://npm.evil.example/lodahs/-/lodahs-1.0.0.tgz}\n",
		bump:     "lockfileVersion: '9.0'\n\npackages:\n  left-pad@1.3.0:\n    resolution: {integrity: sha512-b}\n",
		wantHeld: []string{"lodahs registry npm.evil.example"},
	},
	{
		name: "yarn.lock classic", file: "yarn.lock",
		base:     "left-pad@^1.0.0:\n  version \"1.0.0\"\n  resolved \"https://registry.yarnpkg.com/left-pad/-/left-pad-1.0.0.tgz#a\"\n",
		add:      "left-pad@^1.0.0:\n  version \"1.3.0\"\n  resolved \"https://registry.yarnpkg.com/left-pad/-/left-pad-1.3.0.tgz#b\"\n\nlodahs@^1.0.0:\n  version \"1.0.0\"\n  resolved \"https://npm.evil.example/lodahs/-/lodahs-1.0.0.tgz#c\"\n",
		bump:     "left-pad@^1.0.0:\n  version \"1.3.0\"\n  resolved \"https://registry.yarnpkg.com/left-pad/-/left-pad-1.3.0.tgz#b\"\n",
		wantHeld: []string{"lodahs registry npm.evil.example"},
	},
	{
		name: "yarn.lock berry", file: "yarn.lock",
		base:     "__metadata:\n  version: 6\n\n\"left-pad@npm:^1.0.0\":\n  version: 1.0.0\n  resolution: \"left-pad@npm:1.0.0\"\n",
		add:      "__metadata:\n  version: 6\n\n\"left-pad@npm:^1.0.0\":\n  version: 1.3.0\n  resolution: \"left-pad@npm:1.3.0\"\n\n\"lodahs@git+https://gitlab.evil.example/x/lodahs.git\":\n  version: 1.0.0\n  resolution: \"lodahs@git+https://gitlab.evil.example/x/lodahs.git#commit=abc\"\n",
		bump:     "__metadata:\n  version: 6\n\n\"left-pad@npm:^1.0.0\":\n  version: 1.3.0\n  resolution: \"left-pad@npm:1.3.0\"\n",
		wantHeld: []string{"lodahs git gitlab.evil.example/x/lodahs"},
	},
	{
		name: "Cargo.toml", file: "Cargo.toml",
		base:     "[package]\nname = \"app\"\n\n[dependencies]\nserde = \"1.0\"\n",
		add:      "[package]\nname = \"app\"\n\n[dependencies]\nserde = \"1.1\"\nserd = { git = \"https://github.com/stranger/serd\" }\n",
		bump:     "[package]\nname = \"app\"\n\n[dependencies]\nserde = \"1.1\"\n",
		wantHeld: []string{"serd git github.com/stranger/serd"},
	},
	{
		name: "Cargo.lock", file: "Cargo.lock",
		base:     "[[package]]\nname = \"serde\"\nversion = \"1.0.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n",
		add:      "[[package]]\nname = \"serde\"\nversion = \"1.1.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n\n[[package]]\nname = \"serd\"\nversion = \"0.1.0\"\nsource = \"sparse+https://cargo.evil.example/\"\n",
		bump:     "[[package]]\nname = \"serde\"\nversion = \"1.1.0\"\nsource = \"sparse+https://index.crates.io/\"\n",
		wantHeld: []string{"serd registry cargo.evil.example"},
	},
	{
		name: "requirements.txt", file: "requirements.txt",
		base:     "requests==2.30.0\n",
		add:      "--extra-index-url https://pypi.evil.example/simple\nrequests==2.31.0\nreqeusts==1.0\n",
		bump:     "requests==2.31.0\n",
		wantHeld: []string{"--extra-index-url registry pypi.evil.example/simple"},
	},
	{
		name: "pyproject.toml", file: "pyproject.toml",
		base:     "[project]\nname = \"app\"\ndependencies = [\"requests>=2.30\"]\n",
		add:      "[project]\nname = \"app\"\ndependencies = [\n  \"requests>=2.31\",\n  \"reqeusts @ https://pkgs.evil.example/reqeusts-1.0.tar.gz\",\n]\n",
		bump:     "[project]\nname = \"app\"\ndependencies = [\"requests>=2.31\"]\n",
		wantHeld: []string{"reqeusts registry pkgs.evil.example"},
	},
	{
		name: "poetry.lock", file: "poetry.lock",
		base:     "[[package]]\nname = \"requests\"\nversion = \"2.30.0\"\n",
		add:      "[[package]]\nname = \"requests\"\nversion = \"2.31.0\"\n\n[[package]]\nname = \"reqeusts\"\nversion = \"1.0\"\n\n[package.source]\ntype = \"legacy\"\nurl = \"https://pypi.evil.example/simple\"\nreference = \"evil\"\n",
		bump:     "[[package]]\nname = \"requests\"\nversion = \"2.31.0\"\n",
		wantHeld: []string{"reqeusts registry pypi.evil.example/simple"},
	},
	{
		name: "uv.lock", file: "uv.lock",
		base:     "version = 1\n\n[[package]]\nname = \"requests\"\nversion = \"2.30.0\"\nsource = { registry = \"https://pypi.org/simple\" }\n",
		add:      "version = 1\n\n[[package]]\nname = \"requests\"\nversion = \"2.31.0\"\nsource = { registry = \"https://pypi.org/simple\" }\n\n[[package]]\nname = \"reqeusts\"\nversion = \"1.0\"\nsource = { git = \"https://github.com/stranger/reqeusts?rev=main#abc\" }\n",
		bump:     "version = 1\n\n[[package]]\nname = \"requests\"\nversion = \"2.31.0\"\nsource = { registry = \"https://pypi.org/simple\" }\n",
		wantHeld: []string{"reqeusts git github.com/stranger/reqeusts"},
	},
	{
		name: "Gemfile.lock", file: "Gemfile.lock",
		base:     "GEM\n  remote: https://rubygems.org/\n  specs:\n    rake (13.0.0)\n",
		add:      "GEM\n  remote: https://rubygems.org/\n  specs:\n    rake (13.1.0)\n\nPATH\n  remote: ../outside\n  specs:\n    sneaky (0.1)\n",
		bump:     "GEM\n  remote: https://rubygems.org/\n  specs:\n    rake (13.1.0)\n",
		wantHeld: []string{"sneaky path ../outside"},
	},
	{
		name: ".npmrc", file: ".npmrc",
		base:     "registry=https://registry.npmjs.org/\n",
		add:      "registry=https://npm.evil.example/\n",
		bump:     "registry=https://registry.npmjs.org/\nsave-exact=true\n",
		wantHeld: []string{"registry registry npm.evil.example"},
	},
}

func TestCheckPassesVersionBumpsOfAllowedDependencies(t *testing.T) {
	for _, tc := range formatCases {
		t.Run(tc.name, func(t *testing.T) {
			repo := newTestRepo(t)
			repo.commit("base", map[string]string{tc.file: tc.base})
			repo.branch("agent")
			repo.commit("bump", map[string]string{tc.file: tc.bump})
			r, err := Check(context.Background(), repo.dir, "main", "agent", policy)
			if err != nil {
				t.Fatal(err)
			}
			if r.Status != StatusPassed || len(r.New) != 0 || r.Digest != "" {
				t.Fatalf("status %q new %v digest %q, want passed with nothing new", r.Status, r.New, r.Digest)
			}
			if !slices.Equal(r.Files, []string{tc.file}) {
				t.Errorf("files %q, want [%s]", r.Files, tc.file)
			}
		})
	}
}

func TestCheckComparesAgainstTheMergeBase(t *testing.T) {
	repo := newTestRepo(t)
	repo.commit("base", map[string]string{"package.json": `{"dependencies": {"a": "1"}}`})
	repo.branch("agent")
	repo.commit("agent adds a git dependency", map[string]string{"package.json": `{"dependencies": {"a": "1", "b": "github:stranger/b"}}`})
	testenv.Git(t, repo.dir, "checkout", "-q", "main")
	// main moves on and adds its own dependency from elsewhere; the agent's change must not
	// be blamed for it, nor credited with main's version.
	repo.commit("main adds c", map[string]string{"package.json": `{"dependencies": {"a": "1", "c": "github:other/c"}}`})
	r, err := Check(context.Background(), repo.dir, "main", "agent", policy)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := heldStrings(r), []string{"b git github.com/stranger/b"}; !slices.Equal(got, want) {
		t.Errorf("held %q, want %q", got, want)
	}
}

func TestCheckAddedLockFileAndAllowedNewPackages(t *testing.T) {
	repo := newTestRepo(t)
	repo.commit("base", map[string]string{"README": "x"})
	repo.branch("agent")
	repo.commit("new project", map[string]string{
		"web/package.json": `{"dependencies": {"left-pad": "^1", "tool": "github:acme/tool"}}`,
		"svc/Cargo.toml":   "[dependencies]\nserde = \"1\"\nutil = { path = \"../util\" }\n",
		"docs/notes.md":    "not a manifest",
	})
	r, err := Check(context.Background(), repo.dir, "main", "agent", policy)
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != StatusPassed {
		t.Fatalf("status %q held %v, want passed", r.Status, heldStrings(r))
	}
	var got []string
	for _, d := range r.New {
		got = append(got, d.File+" "+d.Package+" "+d.Source.String())
	}
	want := []string{
		"svc/Cargo.toml serde registry crates.io",
		"svc/Cargo.toml util path util",
		"web/package.json left-pad registry registry.npmjs.org",
		"web/package.json tool git github.com/acme/tool",
	}
	if !slices.Equal(got, want) {
		t.Errorf("new %q, want %q", got, want)
	}
}

func TestCheckHoldsUnreadableManifests(t *testing.T) {
	repo := newTestRepo(t)
	repo.commit("base", map[string]string{"package.json": `{"dependencies": {}}`})
	repo.branch("agent")
	repo.commit("broken", map[string]string{"package.json": `{"dependencies": {`, "Cargo.lock": strings.Repeat("#", MaxFileBytes+1)})
	r, err := Check(context.Background(), repo.dir, "main", "agent", policy)
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != StatusHeld || len(r.Problems) != 2 || r.Digest == "" {
		t.Fatalf("status %q problems %v, want held with two problems", r.Status, r.Problems)
	}
	if r.Problems[0].File != "Cargo.lock" || !strings.Contains(r.Problems[0].Error, "larger than") {
		t.Errorf("first problem %+v, want Cargo.lock too large", r.Problems[0])
	}
	if r.Problems[1].File != "package.json" {
		t.Errorf("second problem %+v, want package.json", r.Problems[1])
	}
}

func TestCheckIgnoresDeletedManifests(t *testing.T) {
	repo := newTestRepo(t)
	repo.commit("base", map[string]string{"go.sum": "evil.example/x v1 h1:a=\n", "README": "x"})
	repo.branch("agent")
	repo.commit("drop go.sum", map[string]string{"go.sum": ""})
	r, err := Check(context.Background(), repo.dir, "main", "agent", policy)
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != StatusPassed || len(r.Files) != 0 {
		t.Fatalf("status %q files %v, want passed with no files", r.Status, r.Files)
	}
}

func TestCheckRejectsUnknownRevisions(t *testing.T) {
	repo := newTestRepo(t)
	repo.commit("base", map[string]string{"README": "x"})
	for _, rev := range []string{"no-such-branch", "--output=/tmp/x"} {
		if _, err := Check(context.Background(), repo.dir, "main", rev, policy); err == nil || !strings.Contains(err.Error(), "resolve head") {
			t.Errorf("head %q: error %v, want a resolve failure", rev, err)
		}
	}
}

func TestDigestIgnoresFilesLinesAndOrder(t *testing.T) {
	a := Dependency{Ecosystem: "npm", Package: "x", Source: registry("evil.example"), File: "a/package.json", Line: 3}
	b := Dependency{Ecosystem: "npm", Package: "y", Source: gitSource("github.com/s/y"), File: "package-lock.json", Line: 9}
	moved := a
	moved.File, moved.Line = "package-lock.json", 40
	if digest([]Dependency{a, b}, nil) != digest([]Dependency{b, moved, a}, nil) {
		t.Error("the same held list in another order, file or line has another digest")
	}
	other := b
	other.Source = gitSource("github.com/s/y2")
	if digest([]Dependency{a, b}, nil) == digest([]Dependency{a, other}, nil) {
		t.Error("a different source has the same digest")
	}
}

func TestCheckBoundsManifestsAndBytes(t *testing.T) {
	repo := newTestRepo(t)
	repo.commit("base", map[string]string{"README": "x"})
	repo.branch("agent")
	files := map[string]string{}
	for i := range 4 {
		files[fmt.Sprintf("p%d/package.json", i)] = `{"dependencies": {"left-pad": "1"}}`
	}
	repo.commit("many manifests", files)
	git := gitRunner{dir: repo.dir, timeout: DefaultGitTimeout}
	tests := []struct {
		name     string
		lim      limits
		problems []string
	}{
		{"within", limits{manifests: 4, totalBytes: 1 << 20}, nil},
		{"too many", limits{manifests: 2, totalBytes: 1 << 20}, []string{"p2/package.json"}},
		{"too large", limits{manifests: 4, totalBytes: 100}, []string{"p2/package.json", "p3/package.json"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := check(context.Background(), git, "main", "agent", policy, tt.lim)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range r.Problems {
				got = append(got, p.File)
			}
			if !slices.Equal(got, tt.problems) {
				t.Fatalf("problems %v, want files %v", r.Problems, tt.problems)
			}
			wantStatus := StatusPassed
			if len(tt.problems) > 0 {
				wantStatus = StatusHeld
			}
			if r.Status != wantStatus {
				t.Errorf("status %q, want %q", r.Status, wantStatus)
			}
		})
	}
}

func TestDigestOfAnUnreadableManifestFollowsItsContent(t *testing.T) {
	repo := newTestRepo(t)
	repo.commit("base", map[string]string{"README": "x"})
	repo.branch("agent")
	repo.commit("broken", map[string]string{"package.json": `{"dependencies": {`})
	first, err := Check(context.Background(), repo.dir, "main", "agent", policy)
	if err != nil {
		t.Fatal(err)
	}
	repo.commit("broken differently", map[string]string{"package.json": `{"dependencies": {"x": `})
	second, err := Check(context.Background(), repo.dir, "main", "agent", policy)
	if err != nil {
		t.Fatal(err)
	}
	if first.Status != StatusHeld || second.Status != StatusHeld || first.Digest == second.Digest {
		t.Fatalf("statuses %q %q, digests %q %q: an approval of one unreadable version would pass another",
			first.Status, second.Status, first.Digest, second.Digest)
	}
}
