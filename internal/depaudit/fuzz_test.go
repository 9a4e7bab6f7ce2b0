package depaudit

import (
	"path"
	"testing"
)

// fuzzParser checks that a parser never panics on hostile input and that whatever it
// returns is a well-formed dependency of the file it read.
func fuzzParser(f *testing.F, file string, p parser) {
	for _, c := range parserCases {
		if path.Base(c.file) == path.Base(file) {
			f.Add([]byte(c.content))
		}
	}
	for _, c := range formatCases {
		if c.file == file {
			f.Add([]byte(c.base))
			f.Add([]byte(c.add))
		}
	}
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		deps, err := p(".", file, data)
		if err != nil {
			return
		}
		for _, d := range deps {
			if d.File != file {
				t.Fatalf("dependency %q names file %q, want %q", d.Package, d.File, file)
			}
			switch d.Source.Kind {
			case KindRegistry, KindGit, KindPath:
			default:
				t.Fatalf("dependency %q has source kind %q", d.Package, d.Source.Kind)
			}
			if d.Line < 0 {
				t.Fatalf("dependency %q has line %d", d.Package, d.Line)
			}
		}
	})
}

func FuzzGoMod(f *testing.F)        { fuzzParser(f, "go.mod", parseGoMod) }
func FuzzGoSum(f *testing.F)        { fuzzParser(f, "go.sum", parseGoSum) }
func FuzzPackageJSON(f *testing.F)  { fuzzParser(f, "package.json", parsePackageJSON) }
func FuzzPackageLock(f *testing.F)  { fuzzParser(f, "package-lock.json", parsePackageLock) }
func FuzzPNPMLock(f *testing.F)     { fuzzParser(f, "pnpm-lock.yaml", parsePNPMLock) }
func FuzzYarnLock(f *testing.F)     { fuzzParser(f, "yarn.lock", parseYarnLock) }
func FuzzCargoToml(f *testing.F)    { fuzzParser(f, "Cargo.toml", parseCargoToml) }
func FuzzCargoLock(f *testing.F)    { fuzzParser(f, "Cargo.lock", parseCargoLock) }
func FuzzRequirements(f *testing.F) { fuzzParser(f, "requirements.txt", parseRequirements) }
func FuzzPyproject(f *testing.F)    { fuzzParser(f, "pyproject.toml", parsePyproject) }
func FuzzPoetryLock(f *testing.F)   { fuzzParser(f, "poetry.lock", parsePoetryLock) }
func FuzzUVLock(f *testing.F)       { fuzzParser(f, "uv.lock", parseUVLock) }
func FuzzGemfileLock(f *testing.F)  { fuzzParser(f, "Gemfile.lock", parseGemfileLock) }
func FuzzNPMRC(f *testing.F)        { fuzzParser(f, ".npmrc", parseNPMRC) }
func FuzzYarnRC(f *testing.F)       { fuzzParser(f, ".yarnrc.yml", parseYarnRC) }
func FuzzCargoConfig(f *testing.F)  { fuzzParser(f, ".cargo/config.toml", parseCargoConfig) }
func FuzzPipConf(f *testing.F)      { fuzzParser(f, "pip.conf", parsePipConf) }
