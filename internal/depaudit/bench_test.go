package depaudit

import (
	"fmt"
	"strings"
	"testing"
)

// benchPackages is the size of a large real lock file: a big monorepo installs a few
// thousand packages.
const benchPackages = 5000

func benchPackageLock() []byte {
	var b strings.Builder
	b.WriteString("{\n  \"lockfileVersion\": 3,\n  \"packages\": {\n    \"\": {},\n")
	for i := range benchPackages {
		sep := ","
		if i == benchPackages-1 {
			sep = ""
		}
		fmt.Fprintf(&b, "    \"node_modules/pkg-%d\": {\n      \"version\": \"1.0.%d\",\n      \"resolved\": \"https://registry.npmjs.org/pkg-%d/-/pkg-%d-1.0.%d.tgz\",\n      \"integrity\": \"sha512-%064d\"\n    }%s\n", i, i, i, i, i, i, sep)
	}
	b.WriteString("  }\n}\n")
	return []byte(b.String())
}

func benchPNPMLock() []byte {
	var b strings.Builder
	b.WriteString("lockfileVersion: '9.0'\n\npackages:\n")
	for i := range benchPackages {
		fmt.Fprintf(&b, "  pkg-%d@1.0.%d:\n    resolution: {integrity: sha512-%064d}\n    engines: {node: '>=14'}\n\n", i, i, i)
	}
	return []byte(b.String())
}

func benchYarnLock() []byte {
	var b strings.Builder
	for i := range benchPackages {
		fmt.Fprintf(&b, "pkg-%d@^1.0.0:\n  version \"1.0.%d\"\n  resolved \"https://registry.yarnpkg.com/pkg-%d/-/pkg-%d-1.0.%d.tgz#%040d\"\n  integrity sha512-%064d\n\n", i, i, i, i, i, i, i)
	}
	return []byte(b.String())
}

func benchCargoLock() []byte {
	var b strings.Builder
	b.WriteString("version = 3\n\n")
	for i := range benchPackages {
		fmt.Fprintf(&b, "[[package]]\nname = \"crate-%d\"\nversion = \"1.0.%d\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\nchecksum = \"%064d\"\n\n", i, i, i)
	}
	return []byte(b.String())
}

func BenchmarkParseLargeLocks(b *testing.B) {
	for _, bc := range []struct {
		file string
		data []byte
	}{
		{"package-lock.json", benchPackageLock()},
		{"pnpm-lock.yaml", benchPNPMLock()},
		{"yarn.lock", benchYarnLock()},
		{"Cargo.lock", benchCargoLock()},
	} {
		b.Run(bc.file, func(b *testing.B) {
			b.SetBytes(int64(len(bc.data)))
			b.ReportAllocs()
			for b.Loop() {
				deps, err := parseFile(bc.file, bc.data)
				if err != nil || len(deps) != benchPackages {
					b.Fatalf("%d dependencies, %v; want %d", len(deps), err, benchPackages)
				}
			}
		})
	}
}
