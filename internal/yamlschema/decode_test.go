package yamlschema

import (
	"strings"
	"testing"
)

type inner struct {
	Name  string         `yaml:"name"`
	Count int            `yaml:"count"`
	Tags  []string       `yaml:"tags"`
	Cap   *int           `yaml:"cap"`
	Extra map[string]any `yaml:"extra"`
}

type outer struct {
	Inner inner   `yaml:"inner"`
	Items []inner `yaml:"items"`
	Flag  bool    `yaml:"flag"`
}

func (*outer) RemovedKeys() map[string]string { return map[string]string{"old": "use `inner`"} }

func decode(t *testing.T, text string, dst any) []Problem {
	t.Helper()
	node, p := Parse("f.yml", []byte(text), 0, "parse_error")
	if p != nil {
		t.Fatalf("parse: %v", p)
	}
	return Decode("f.yml", node, dst)
}

func TestDecodeOverDefaultsAndNulls(t *testing.T) {
	five := 5
	v := outer{Inner: inner{Name: "default", Count: 3, Cap: &five}}
	problems := decode(t, "inner:\n  count: 7\n  cap: null\n  name:\n  extra: {a: [1, x]}\n", &v)
	if len(problems) != 0 {
		t.Fatal(problems)
	}
	if v.Inner.Name != "default" || v.Inner.Count != 7 || v.Inner.Cap != nil {
		t.Fatalf("got %+v", v.Inner)
	}
	if list, ok := v.Inner.Extra["a"].([]any); !ok || list[0] != int64(1) || list[1] != "x" {
		t.Fatalf("extra = %#v", v.Inner.Extra)
	}
}

func TestAnchorsAliasesAndMergeKeys(t *testing.T) {
	var v outer
	problems := decode(t, "inner: &base\n  name: a\n  count: 1\nitems:\n  - *base\n  - <<: *base\n    count: 2\n", &v)
	if len(problems) != 0 {
		t.Fatal(problems)
	}
	if len(v.Items) != 2 || v.Items[0].Name != "a" || v.Items[1].Name != "a" || v.Items[1].Count != 2 {
		t.Fatalf("items = %+v", v.Items)
	}
}

func TestEveryProblemIsLocated(t *testing.T) {
	var v outer
	problems := decode(t, "old: 1\ninner:\n  nme: x\n  count: many\nitems:\n  - {tags: a}\nflag: 1\n", &v)
	want := []string{
		"f.yml:1:1: old: `old` is no longer accepted; use `inner`",
		"f.yml:3:3: inner.nme: unknown key (did you mean `name`?)",
		"f.yml:4:10: inner.count: must be an integer, got string \"many\"",
		"f.yml:6:12: items[0].tags: must be a list, got string \"a\"",
		"f.yml:7:7: flag: must be true or false, got number 1",
	}
	var got []string
	for _, p := range problems {
		got = append(got, p.String())
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestLocateAndHas(t *testing.T) {
	node, _ := Parse("f.yml", []byte("a:\n  b:\n    - x\n    - {c: 1}\n  n: null\n"), 10, "parse_error")
	cases := []struct {
		path      string
		line, col int
		has       bool
	}{
		{"a.b[1].c", 14, 11, true},
		{"a.b[0]", 13, 7, true},
		{"a.n", 15, 3, true},
		{"a.missing", 11, 1, false},
		{"a.b[5]", 12, 3, false},
	}
	for _, c := range cases {
		line, col := Locate(node, c.path)
		if line != c.line || col != c.col || Has(node, c.path) != c.has {
			t.Errorf("%s: %d:%d has=%v, want %d:%d has=%v", c.path, line, col, Has(node, c.path), c.line, c.col, c.has)
		}
	}
}

func TestParseReportsDuplicateKeysWithLines(t *testing.T) {
	_, p := Parse("f.yml", []byte("a: 1\nb: 2\na: 3\n"), 4, "parse_error")
	if p == nil || p.Line != 7 || !strings.Contains(p.Msg, `"a" already defined`) {
		t.Fatalf("got %+v", p)
	}
}
