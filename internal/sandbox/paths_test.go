package sandbox

import "testing"

func TestWithin(t *testing.T) {
	cases := []struct {
		p, root string
		want    bool
	}{
		{"/a/b", "/a", true},
		{"/a", "/a", true},
		{"/a/b/c", "/a/b", true},
		{"/anything", "/", true},
		{"/", "/", true},
		{"/ab", "/a", false},
		{"/a", "/a/b", false},
		{"/a.b", "/a", false},
		{"", "/a", false},
	}
	for _, c := range cases {
		if got := within(c.p, c.root); got != c.want {
			t.Errorf("within(%q, %q) = %v, want %v", c.p, c.root, got, c.want)
		}
	}
}
