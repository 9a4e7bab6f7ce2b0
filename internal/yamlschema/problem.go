package yamlschema

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
)

// Problem is one thing wrong with a document, located as precisely as the input allows.
type Problem struct {
	File string
	Line int // 1-based; 0 when unknown
	Col  int // 1-based; 0 when unknown
	Path string
	Msg  string
}

// String renders "file:line:col: path: message", leaving out the parts that are unknown.
func (p Problem) String() string {
	loc := p.File
	if p.Line > 0 {
		loc += ":" + strconv.Itoa(p.Line)
		if p.Col > 0 {
			loc += ":" + strconv.Itoa(p.Col)
		}
	}
	if p.Path != "" {
		return fmt.Sprintf("%s: %s: %s", loc, p.Path, p.Msg)
	}
	return fmt.Sprintf("%s: %s", loc, p.Msg)
}

var positionPrefix = regexp.MustCompile(`^\[(\d+):(\d+)\]\s*`)

// problemFromParseError turns the YAML parser's error into a located problem with the
// parser's message but without its source excerpt.
func problemFromParseError(err error) *Problem {
	// A syntax error's Error() prints the source around the token, and does so in time and
	// memory that grow with the square of the tokens on that line (a 128 KiB line of commas:
	// 8 GB), so its message and position are read from its fields instead.
	var syntaxErr *yaml.SyntaxError
	if errors.As(err, &syntaxErr) && syntaxErr.Token != nil && syntaxErr.Token.Position != nil {
		return &Problem{Line: syntaxErr.Token.Position.Line, Col: syntaxErr.Token.Position.Column, Msg: syntaxErr.Message}
	}
	p := &Problem{Msg: err.Error()}
	if m := positionPrefix.FindStringSubmatch(p.Msg); m != nil {
		p.Line, _ = strconv.Atoi(m[1])
		p.Col, _ = strconv.Atoi(m[2])
		p.Msg = positionPrefix.ReplaceAllString(p.Msg, "")
	}
	if i := strings.IndexByte(p.Msg, '\n'); i >= 0 {
		p.Msg = p.Msg[:i]
	}
	return p
}

// shiftLines moves every token of a parsed tree down by offset lines. Tokens can be shared
// between nodes, so each position is shifted once.
func shiftLines(root ast.Node, offset int) {
	ast.Walk(lineShifter{offset: offset, done: map[any]bool{}}, root)
}

type lineShifter struct {
	offset int
	done   map[any]bool
}

func (s lineShifter) Visit(n ast.Node) ast.Visitor {
	if tok := n.GetToken(); tok != nil && tok.Position != nil && !s.done[tok.Position] {
		s.done[tok.Position] = true
		tok.Position.Line += s.offset
	}
	return s
}
