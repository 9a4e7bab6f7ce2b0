package yamlschema

import (
	"fmt"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/lexer"
	"github.com/goccy/go-yaml/parser"
)

// Parse is the one way YAML text enters Symphony: it checks the text against the limits
// (MaxBytes, MaxDepth, MaxMappingKeys, MaxAliasNodes) before each costly step, then returns
// its first document's body node. An empty document yields a nil node and no problem.
//
// file names the source in problems; lineOffset is added to every reported line so a YAML
// block embedded in a larger file (WORKFLOW.md front matter) reports lines of that file.
// A syntax error carries syntaxCode (symphony_parse_error, workflow_parse_error, ...; empty
// for callers without error codes); a broken limit carries its own code (yaml_too_large,
// yaml_too_deep, yaml_alias_bomb).
func Parse(file string, data []byte, lineOffset int, syntaxCode string) (node ast.Node, problem *Coded) {
	refuse := func(c *Coded) (ast.Node, *Coded) {
		c.File = file
		if c.Line > 0 {
			c.Line += lineOffset
		}
		return nil, c
	}
	// The YAML library panics on some malformed input; that is a parse error, not a crash.
	defer func() {
		if r := recover(); r != nil {
			node, problem = refuse(&Coded{Code: syntaxCode, Problem: Problem{Msg: fmt.Sprintf("YAML cannot be parsed: %v", r)}})
		}
	}()
	if len(data) > MaxBytes {
		return refuse(&Coded{Code: CodeTooLarge, Problem: Problem{Line: 1, Msg: fmt.Sprintf(
			"YAML text is %d bytes, more than the limit of %d", len(data), MaxBytes)}})
	}
	// Tokenizing is linear but not fast (30 000 nested brackets: 0.2 s, over a second under
	// the race detector), so a text that looks too deep when counted blindly is first
	// tokenized only up to that point: when the tokens agree, the refusal costs
	// microseconds. When they do not (the brackets were quoted), the whole text is checked.
	if cut := blindNestingCut(data); cut < len(data) {
		if c := checkShape(lexer.Tokenize(string(data[:cut]))); c != nil {
			return refuse(c)
		}
	}
	tokens := lexer.Tokenize(string(data))
	if c := checkShape(tokens); c != nil {
		return refuse(c)
	}
	parsed, err := parser.Parse(tokens, 0)
	if err != nil {
		return refuse(&Coded{Code: syntaxCode, Problem: *problemFromParseError(err)})
	}
	if len(parsed.Docs) == 0 || parsed.Docs[0] == nil || parsed.Docs[0].Body == nil {
		return nil, nil
	}
	body := parsed.Docs[0].Body
	if c := checkAliases(body); c != nil {
		return refuse(c)
	}
	if lineOffset != 0 {
		shiftLines(body, lineOffset)
	}
	return body, nil
}
