package depaudit

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// dep is the short form tests compare: "package kind location @line".
func depString(d Dependency) string {
	return fmt.Sprintf("%s %s %s @%d", d.Package, d.Source.Kind, d.Source.Location, d.Line)
}

// parserCases are realistic files of every format; the fuzz targets start from them too.
var parserCases = []struct {
	name, file, content string
	want                []string
}{
	{
		name: "go.mod requires and replaces",
		file: "svc/go.mod",
		content: `module example.com/svc

go 1.22

require (
	github.com/acme/lib v1.2.0
	golang.org/x/text v0.3.0 // indirect
)

require evil.example/typo v0.0.1

replace github.com/acme/lib => ../forks/lib
replace golang.org/x/text => github.com/someone/text v0.3.1
`,
		want: []string{
			"github.com/acme/lib registry github.com/acme/lib @6",
			"golang.org/x/text registry golang.org/x/text @7",
			"evil.example/typo registry evil.example/typo @10",
			"github.com/acme/lib path forks/lib @12",
			"golang.org/x/text registry github.com/someone/text @13",
		},
	},
	{
		name: "go.sum lists each module once",
		file: "go.sum",
		content: "github.com/acme/lib v1.2.0 h1:abc=\n" +
			"github.com/acme/lib v1.2.0/go.mod h1:def=\n" +
			"\n" +
			"evil.example/typo v0.0.1 h1:ghi=\n",
		want: []string{
			"github.com/acme/lib registry github.com/acme/lib @1",
			"evil.example/typo registry evil.example/typo @4",
		},
	},
	{
		name: "package.json specifiers",
		file: "web/package.json",
		content: `{
  "name": "web",
  "dependencies": {
    "left-pad": "^1.3.0",
    "aliased": "npm:real-name@^2.0.0",
    "from-git": "git+ssh://git@github.com/acme/from-git.git#v1",
    "short": "github:acme/short",
    "bare": "acme/bare#main",
    "tarball": "https://npm.evil.example/tarball/-/tarball-1.0.0.tgz",
    "local": "file:../shared/local"
  },
  "devDependencies": {
    "mono": "workspace:*"
  }
}`,
		want: []string{
			"real-name registry registry.npmjs.org @5",
			"bare git github.com/acme/bare @8",
			"from-git git github.com/acme/from-git @6",
			"left-pad registry registry.npmjs.org @4",
			"local path shared/local @10",
			"short git github.com/acme/short @7",
			"tarball registry npm.evil.example @9",
			"mono path web @13",
		},
	},
	{
		name: "package-lock.json v3",
		file: "package-lock.json",
		content: `{
  "name": "app",
  "lockfileVersion": 3,
  "packages": {
    "": {"name": "app"},
    "node_modules/left-pad": {
      "version": "1.3.0",
      "resolved": "https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz"
    },
    "node_modules/@scope/pkg": {
      "resolved": "https://npm.evil.example/api/npm/@scope/pkg/-/pkg-2.0.0.tgz"
    },
    "node_modules/gitdep": {
      "resolved": "git+ssh://git@github.com/acme/gitdep.git#0123abc"
    },
    "node_modules/linked": {
      "resolved": "packages/linked",
      "link": true
    },
    "node_modules/nested/node_modules/inner": {
      "version": "1.0.0"
    },
    "packages/linked": {"name": "linked", "version": "1.0.0"}
  }
}`,
		want: []string{
			"@scope/pkg registry npm.evil.example/api/npm @10",
			"gitdep git github.com/acme/gitdep @13",
			"left-pad registry registry.npmjs.org @6",
			"linked path packages/linked @16",
			"inner registry registry.npmjs.org @20",
			"linked path packages/linked @23",
		},
	},
	{
		name: "pnpm-lock.yaml v9",
		file: "pnpm-lock.yaml",
		content: `lockfileVersion: '9.0'

importers:
  .:
    dependencies:
      left-pad:
        specifier: ^1.3.0
        version: 1.3.0
      local-lib:
        specifier: link:../local-lib
        version: link:../local-lib

packages:
  left-pad@1.3.0:
    resolution: {integrity: sha512-abc}

  '@scope/evil@2.0.0':
    resolution: {integrity: sha512-def, tarball: https://npm.evil.example/@scope/evil/-/evil-2.0.0.tgz}

  gitdep@https://codeload.github.com/acme/gitdep/tar.gz/0123abc:
    resolution:
      tarball: https://codeload.github.com/acme/gitdep/tar.gz/0123abc
    version: 1.0.0

  repo-dep@git+https://github.com/acme/repo-dep.git#abc:
    resolution: {type: git, repo: 'https://github.com/acme/repo-dep.git', commit: abc}

  react-dom@18.2.0(react@18.2.0):
    resolution: {integrity: sha512-ghi}
`,
		want: []string{
			"local-lib path ../local-lib @11",
			"left-pad registry registry.npmjs.org @14",
			"@scope/evil registry npm.evil.example @17",
			"gitdep registry codeload.github.com/acme/gitdep/tar.gz @20",
			"repo-dep git github.com/acme/repo-dep @25",
			"react-dom registry registry.npmjs.org @28",
		},
	},
	{
		name: "pnpm-lock.yaml v5 keys",
		file: "pnpm-lock.yaml",
		content: `lockfileVersion: 5.4

dependencies:
  left-pad: 1.3.0

packages:
  /left-pad/1.3.0:
    resolution: {integrity: sha512-abc}
    dev: false
  /@scope/pkg/2.0.0:
    resolution: {integrity: sha512-def}
`,
		want: []string{
			"left-pad registry registry.npmjs.org @7",
			"@scope/pkg registry registry.npmjs.org @10",
		},
	},
	{
		name: "yarn.lock classic",
		file: "yarn.lock",
		content: `# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.
# yarn lockfile v1


"@babel/code-frame@^7.0.0", "@babel/code-frame@^7.10.4":
  version "7.12.13"
  resolved "https://registry.yarnpkg.com/@babel/code-frame/-/code-frame-7.12.13.tgz#dcfc826beef65e75c50e21d3837d7d95798dd658"
  integrity sha512-abc
  dependencies:
    "@babel/highlight" "^7.12.13"

left-pad@^1.3.0:
  version "1.3.0"
  resolved "https://npm.evil.example/left-pad/-/left-pad-1.3.0.tgz#abc"

gitdep@git+https://github.com/acme/gitdep.git#main:
  version "1.0.0"
  resolved "git+https://github.com/acme/gitdep.git#0123abc"
`,
		want: []string{
			"@babel/code-frame registry registry.npmjs.org @5",
			"left-pad registry npm.evil.example @12",
			"gitdep git github.com/acme/gitdep @16",
		},
	},
	{
		name: "yarn.lock berry",
		file: "yarn.lock",
		content: `# This file is generated by running "yarn install" inside your project.

__metadata:
  version: 6
  cacheKey: 8

"app@workspace:.":
  version: 0.0.0-use.local
  resolution: "app@workspace:."
  languageName: unknown
  linkType: soft

"left-pad@npm:^1.3.0":
  version: 1.3.0
  resolution: "left-pad@npm:1.3.0"
  checksum: abc
  languageName: node
  linkType: hard

"gitdep@https://github.com/acme/gitdep.git#commit=0123abc":
  version: 1.0.0
  resolution: "gitdep@https://github.com/acme/gitdep.git#commit=0123abc"

"local@portal:../local::locator=app%40workspace%3A.":
  version: 0.0.0-use.local
  resolution: "local@portal:../local::locator=app%40workspace%3A."

"resolve@patch:resolve@npm%3A^1.20.0#~builtin<compat/resolve>":
  version: 1.22.0
  resolution: "resolve@patch:resolve@npm%3A1.22.0#~builtin<compat/resolve>::version=1.22.0&hash=07638b"
`,
		want: []string{
			"app path . @7",
			"left-pad registry registry.npmjs.org @13",
			"gitdep git github.com/acme/gitdep @20",
			"local path ../local @24",
			"resolve registry registry.npmjs.org @28",
		},
	},
	{
		name: "Cargo.toml tables",
		file: "crates/app/Cargo.toml",
		content: `[package]
name = "app"
version = "0.1.0"

[dependencies]
serde = "1.0"
tokio = { version = "1", features = ["full"] }
evil = { git = "https://github.com/stranger/evil.git", rev = "abc" }
util = { path = "../util" }
private = { version = "2", registry = "corp" }
renamed = { package = "real-crate", version = "0.2" }

[dev-dependencies.proptest]
version = "1"

[target.'cfg(unix)'.dependencies]
libc = "0.2"

[patch.crates-io]
serde = { git = "https://github.com/serde-rs/serde" }

[build-dependencies]
cc = { workspace = true }
`,
		want: []string{
			"evil git github.com/stranger/evil @8",
			"private registry registry:corp @10",
			"real-crate registry crates.io @11",
			"serde registry crates.io @6",
			"tokio registry crates.io @7",
			"util path crates/util @9",
			"proptest registry crates.io @13",
			"libc registry crates.io @17",
			"serde git github.com/serde-rs/serde @6",
		},
	},
	{
		name: "Cargo.lock sources",
		file: "Cargo.lock",
		content: `version = 3

[[package]]
name = "app"
version = "0.1.0"

[[package]]
name = "serde"
version = "1.0.100"
source = "registry+https://github.com/rust-lang/crates.io-index"

[[package]]
name = "sparse"
version = "1.0.0"
source = "sparse+https://index.crates.io/"

[[package]]
name = "evil"
version = "0.1.0"
source = "git+https://github.com/stranger/evil.git?rev=abc#abcdef"

[[package]]
name = "private"
version = "2.0.0"
source = "sparse+https://cargo.corp.example/index/"
`,
		want: []string{
			"serde registry crates.io @8",
			"sparse registry crates.io @13",
			"evil git github.com/stranger/evil @18",
			"private registry cargo.corp.example/index @23",
		},
	},
	{
		name: "requirements.txt",
		file: "py/requirements-dev.txt",
		content: `# pinned
--index-url https://pypi.corp.example/simple
--extra-index-url=https://pypi.evil.example/simple/
requests==2.31.0  # http
Flask_Login[extra] >= 0.6 ; python_version > "3.8"
-e git+https://github.com/acme/tool.git@v1.2#egg=acme_tool
-e ./local/pkg
mylib @ git+https://gitlab.com/acme/mylib.git@main
wheel @ https://files.pythonhosted.org/packages/aa/bb/wheel-1.0-py3-none-any.whl
pinned==1.0 \
    --hash=sha256:abc
-r base.txt
`,
		want: []string{
			"--index-url registry pypi.corp.example/simple @2",
			"--extra-index-url registry pypi.evil.example/simple @3",
			"acme-tool git github.com/acme/tool @6",
			"./local/pkg path py/local/pkg @7",
			"requests registry pypi.corp.example/simple @4",
			"flask-login registry pypi.corp.example/simple @5",
			"mylib git gitlab.com/acme/mylib @8",
			"wheel registry pypi.org @9",
			"pinned registry pypi.corp.example/simple @10",
		},
	},
	{
		name: "pyproject.toml PEP 621 with uv sources",
		file: "pyproject.toml",
		content: `[build-system]
requires = ["hatchling"]

[project]
name = "app"
dependencies = [
    "requests>=2",
    "direct @ https://example.com/pkgs/direct-1.0.tar.gz",
    "from-uv-git",
    "from-uv-index",
]

[project.optional-dependencies]
dev = ["pytest"]

[tool.uv.sources]
from-uv-git = { git = "https://github.com/acme/from-uv-git" }
from-uv-index = { index = "corp" }

[[tool.uv.index]]
name = "corp"
url = "https://pypi.corp.example/simple"
`,
		want: []string{
			"uv-index:corp registry pypi.corp.example/simple @22",
			"hatchling registry pypi.org @2",
			"requests registry pypi.org @7",
			"direct registry example.com/pkgs @8",
			"from-uv-git git github.com/acme/from-uv-git @9",
			"from-uv-index registry pypi.corp.example/simple @10",
			"pytest registry pypi.org @14",
		},
	},
	{
		name: "pyproject.toml poetry",
		file: "pyproject.toml",
		content: `[tool.poetry]
name = "app"

[tool.poetry.dependencies]
python = "^3.11"
requests = "^2.31"
private = { version = "^1", source = "corp" }
forked = { git = "https://github.com/stranger/forked.git", branch = "main" }
sibling = { path = "../sibling", develop = true }

[tool.poetry.group.dev.dependencies]
pytest = "^8"

[[tool.poetry.source]]
name = "corp"
url = "https://pypi.corp.example/simple/"
priority = "supplemental"
`,
		want: []string{
			"poetry-source:corp registry pypi.corp.example/simple @16",
			"forked git github.com/stranger/forked @8",
			"private registry pypi.corp.example/simple @7",
			"requests registry pypi.org @6",
			"sibling path ../sibling @9",
			"pytest registry pypi.org @12",
		},
	},
	{
		name: "poetry.lock",
		file: "poetry.lock",
		content: `[[package]]
name = "requests"
version = "2.31.0"

[[package]]
name = "private"
version = "1.0.0"

[package.source]
type = "legacy"
url = "https://pypi.corp.example/simple"
reference = "corp"

[[package]]
name = "forked"
version = "0.1.0"

[package.source]
type = "git"
url = "https://github.com/stranger/forked.git"
reference = "main"
resolved_reference = "abc"
`,
		want: []string{
			"requests registry pypi.org @2",
			"private registry pypi.corp.example/simple @6",
			"forked git github.com/stranger/forked @15",
		},
	},
	{
		name: "uv.lock",
		file: "uv.lock",
		content: `version = 1
requires-python = ">=3.11"

[[package]]
name = "app"
version = "0.1.0"
source = { editable = "." }

[[package]]
name = "requests"
version = "2.31.0"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "evil"
version = "1.0"
source = { registry = "https://pypi.evil.example/simple" }

[[package]]
name = "forked"
version = "0.1.0"
source = { git = "https://github.com/stranger/forked?rev=main#abc" }
`,
		want: []string{
			"app path . @5",
			"requests registry pypi.org @10",
			"evil registry pypi.evil.example/simple @15",
			"forked git github.com/stranger/forked @20",
		},
	},
	{
		name: "Gemfile.lock",
		file: "Gemfile.lock",
		content: `GIT
  remote: https://github.com/stranger/forked.git
  revision: abc
  specs:
    forked (0.1.0)

PATH
  remote: vendor/local
  specs:
    local (1.0)

GEM
  remote: https://rubygems.org/
  specs:
    rake (13.0.6)
    rails (7.1.0)
      actionpack (= 7.1.0)

GEM
  remote: https://gems.evil.example/
  specs:
    typo (1.0)

PLATFORMS
  ruby

DEPENDENCIES
  rake
`,
		want: []string{
			"forked git github.com/stranger/forked @5",
			"local path vendor/local @10",
			"rake registry rubygems.org @15",
			"rails registry rubygems.org @16",
			"typo registry gems.evil.example @22",
		},
	},
	{
		name: ".npmrc",
		file: "web/.npmrc",
		content: `; comment
registry=https://npm.evil.example/
@acme:registry = "https://npm.pkg.github.com"
//npm.pkg.github.com/:_authToken=${NPM_TOKEN}
save-exact=true
`,
		want: []string{
			"registry registry npm.evil.example @2",
			"@acme:registry registry npm.pkg.github.com @3",
		},
	},
	{
		name: ".yarnrc.yml",
		file: ".yarnrc.yml",
		content: `nodeLinker: node-modules
npmRegistryServer: "https://npm.evil.example"
npmScopes:
  acme:
    npmRegistryServer: "https://npm.pkg.github.com"
    npmAuthToken: "${TOKEN}"
`,
		want: []string{
			"npmRegistryServer registry npm.evil.example @2",
			"npmScopes.acme registry npm.pkg.github.com @5",
		},
	},
	{
		name:    "classic .yarnrc",
		file:    ".yarnrc",
		content: "registry \"https://npm.evil.example/\"\n",
		want:    []string{"registry registry npm.evil.example @1"},
	},
	{
		name: ".cargo/config.toml",
		file: "svc/.cargo/config.toml",
		content: `[registries.corp]
index = "sparse+https://cargo.corp.example/index/"

[source.crates-io]
replace-with = "vendored"

[source.vendored]
directory = "vendor"

[source.mirror]
registry = "https://github.com/rust-lang/crates.io-index"
`,
		want: []string{
			"registries.corp registry cargo.corp.example/index @1",
			"source.mirror registry crates.io @10",
			"source.vendored path svc/vendor @7",
		},
	},
	{
		name: "pip.conf",
		file: "pip.conf",
		content: `[global]
index-url = https://pypi.corp.example/simple
extra-index-url =
    https://pypi.evil.example/simple
    https://other.example/simple
timeout = 60
`,
		want: []string{
			"index-url registry pypi.corp.example/simple @2",
			"extra-index-url registry pypi.evil.example/simple @4",
			"extra-index-url registry other.example/simple @5",
		},
	},
}

func TestParsers(t *testing.T) {
	for _, tt := range parserCases {
		t.Run(tt.name, func(t *testing.T) {
			deps, err := parseFile(tt.file, []byte(tt.content))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, d := range deps {
				if d.File != tt.file {
					t.Errorf("%s: file %q, want %q", d.Package, d.File, tt.file)
				}
				got = append(got, depString(d))
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(tt.want, "\n  "))
			}
		})
	}
}
