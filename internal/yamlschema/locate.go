package yamlschema

import (
	"strconv"
	"strings"

	"github.com/goccy/go-yaml/ast"
)

// Locate finds the line and column of the value at a dotted key path such as
// "repositories[1].route.team" in a parsed document. When the full path is absent it returns
// the position of the deepest part that exists, so a "missing key" problem points at the
// mapping that should contain it. It returns 0, 0 when nothing matches.
func Locate(root ast.Node, path string) (line, col int) {
	line, col, _ = walk(root, path)
	return line, col
}

// Has reports whether the document spells out the key path, even with a null value.
func Has(root ast.Node, path string) bool {
	_, _, found := walk(root, path)
	return found
}

func walk(root ast.Node, path string) (line, col int, found bool) {
	d := &Decoder{anchors: map[string]ast.Node{}}
	n := d.resolve(root)
	parts := splitPath(path)
	if len(parts) == 0 {
		line, col = position(n)
		return line, col, n != nil
	}
	// A missing key is reported at the key of the deepest mapping entry that exists, which
	// is where the operator would add it.
	for i, part := range parts {
		if n == nil {
			break
		}
		var next, at ast.Node
		if part.index >= 0 {
			if seq, ok := n.(*ast.SequenceNode); ok && part.index < len(seq.Values) {
				next, at = seq.Values[part.index], seq.Values[part.index]
			}
		} else if entries, ok := d.mappingEntries(n, ""); ok {
			for _, e := range entries {
				if k, ok := d.keyOf(e); ok && k == part.key {
					next, at = e.Value, e.Key
				}
			}
		}
		if next == nil {
			break
		}
		line, col = position(at)
		n = d.resolve(next)
		if i == len(parts)-1 {
			found = true
			if !isNull(n) {
				if l, c := position(n); l > 0 {
					line, col = l, c
				}
			}
		}
	}
	return line, col, found
}

// Fill sets the line and column of every problem that lacks them by locating its path.
func Fill(root ast.Node, problems []Problem) {
	for i := range problems {
		if problems[i].Line == 0 && root != nil {
			problems[i].Line, problems[i].Col = Locate(root, problems[i].Path)
		}
	}
}

func position(n ast.Node) (int, int) {
	if n == nil {
		return 0, 0
	}
	if tok := n.GetToken(); tok != nil && tok.Position != nil {
		return tok.Position.Line, tok.Position.Column
	}
	return 0, 0
}

type pathPart struct {
	key   string
	index int
}

func splitPath(path string) []pathPart {
	var parts []pathPart
	for _, seg := range strings.Split(path, ".") {
		if seg == "" {
			continue
		}
		key := seg
		var indexes []int
		for {
			open := strings.LastIndex(key, "[")
			if open < 0 || !strings.HasSuffix(key, "]") {
				break
			}
			i, err := strconv.Atoi(key[open+1 : len(key)-1])
			if err != nil {
				break
			}
			indexes = append([]int{i}, indexes...)
			key = key[:open]
		}
		if key != "" {
			parts = append(parts, pathPart{key: key, index: -1})
		}
		for _, i := range indexes {
			parts = append(parts, pathPart{index: i})
		}
	}
	return parts
}
