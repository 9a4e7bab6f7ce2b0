package yamlschema

import (
	"fmt"

	"github.com/goccy/go-yaml/token"
)

// checkShape walks the tokens of a YAML text and refuses nesting deeper than MaxDepth and
// block mappings with more than MaxMappingKeys keys, before the parser, whose cost grows
// with the square of both, sees them. The tokens are the parser's own, so this check and
// the parser cannot disagree about what is a bracket, a quote or a comment; the tokenizer
// is linear in its input (measured: 100 000 nested brackets, 50 MB), and MaxBytes bounds it.
func checkShape(tokens token.Tokens) *Coded {
	var (
		flowDepth int
		// blocks are the open block collections, outermost first, each known by the column
		// its entries start at; keys counts the keys seen so far in each.
		blocks []blockLevel
	)
	for i, tk := range tokens {
		switch tk.Type {
		case token.DocumentHeaderType:
			flowDepth, blocks = 0, blocks[:0]
			continue
		case token.SequenceStartType, token.MappingStartType:
			flowDepth++
		case token.SequenceEndType, token.MappingEndType:
			flowDepth = max(flowDepth-1, 0)
			continue
		case token.SequenceEntryType, token.MappingKeyType:
			if flowDepth == 0 {
				blocks = enterBlock(blocks, tk.Position.Column)
			}
		case token.MappingValueType:
			if flowDepth > 0 || i == 0 {
				break
			}
			key := tokens[i-1]
			blocks = enterBlock(blocks, key.Position.Column)
			top := &blocks[len(blocks)-1]
			top.keys++
			if top.keys > MaxMappingKeys {
				return &Coded{Code: CodeTooLarge, Problem: Problem{Line: key.Position.Line, Col: key.Position.Column, Msg: fmt.Sprintf(
					"the mapping whose keys start at column %d has more than %d keys", top.column, MaxMappingKeys)}}
			}
		default:
			continue
		}
		if depth := flowDepth + len(blocks); depth > MaxDepth {
			return &Coded{Code: CodeTooDeep, Problem: Problem{Line: tk.Position.Line, Col: tk.Position.Column, Msg: fmt.Sprintf(
				"nesting is deeper than %d levels", MaxDepth)}}
		}
	}
	return nil
}

type blockLevel struct {
	column int
	keys   int
}

// enterBlock closes the block collections a token at column has left (those indented
// deeper) and opens a new one unless the token continues the innermost.
func enterBlock(blocks []blockLevel, column int) []blockLevel {
	for len(blocks) > 0 && blocks[len(blocks)-1].column > column {
		blocks = blocks[:len(blocks)-1]
	}
	if len(blocks) > 0 && blocks[len(blocks)-1].column == column {
		return blocks
	}
	return append(blocks, blockLevel{column: column})
}

// blindNestingCut returns the length of the shortest prefix of data that looks nested more
// than MaxDepth levels when counted blindly, or len(data) when there is none. It counts
// flow brackets without regard to quotes, comments or block scalars, plus the compact block
// entries (`- - - x`, `? ? x`) that open a line. Tokens of a prefix are the tokens the
// whole text starts with (the tokenizer reads forward and never revisits a token), so a
// depth the prefix's tokens show is a depth of the text.
func blindNestingCut(data []byte) int {
	flow, entries, lineStart := 0, 0, true
	for i, b := range data {
		switch {
		case b == '\n':
			entries, lineStart = 0, true
			continue
		case lineStart && b == ' ':
			continue
		case lineStart && (b == '-' || b == '?') && i+1 < len(data) && data[i+1] == ' ':
			entries++
		case b == '[' || b == '{':
			flow++
			lineStart = false
		case b == ']' || b == '}':
			flow = max(flow-1, 0)
			lineStart = false
		default:
			lineStart = false
		}
		if flow+entries > MaxDepth {
			return i + 1
		}
	}
	return len(data)
}
