package yamlschema

import (
	"fmt"

	"github.com/goccy/go-yaml/ast"
)

// checkAliases refuses a document whose aliases, expanded, would add more than
// MaxAliasNodes nodes. The parsed tree keeps each alias as one small node; the cost comes
// later, when a decoder copies the anchored value at every use. The count walks the tree
// once, remembering the expanded size of each anchor, so an anchor made of aliases of an
// earlier anchor counts as the product it expands to without being expanded here.
func checkAliases(root ast.Node) *Coded {
	c := &aliasCounter{anchors: map[string]int{}}
	c.size(root)
	if c.over == nil {
		return nil
	}
	line, col := position(c.over)
	return &Coded{Code: CodeAliasBomb, Problem: Problem{Line: line, Col: col, Msg: fmt.Sprintf(
		"aliases expand to more than %d nodes (alias *%s here crosses the limit); anchors that alias other anchors multiply",
		MaxAliasNodes, aliasName(c.over))}}
}

type aliasCounter struct {
	// anchors holds the expanded node count of each anchor's value, by name.
	anchors map[string]int
	// added is the number of nodes all aliases seen so far expand to.
	added int
	// over is the alias that took added past MaxAliasNodes.
	over *ast.AliasNode
}

// size returns the number of nodes n expands to. It stops counting once the budget is
// spent, so the counts stay below MaxAliasNodes plus the document's own size.
func (c *aliasCounter) size(n ast.Node) int {
	if n == nil || c.over != nil {
		return 0
	}
	switch t := n.(type) {
	case *ast.AliasNode:
		s := c.anchors[aliasName(t)]
		c.added += s
		if c.added > MaxAliasNodes {
			c.over = t
		}
		return s
	case *ast.AnchorNode:
		s := c.size(t.Value)
		c.anchors[anchorName(t)] = s
		return s
	}
	total := 1
	for _, child := range children(n) {
		total += c.size(child)
	}
	return total
}

// children lists the nodes directly below n.
func children(n ast.Node) []ast.Node {
	collect := &childCollector{parent: n}
	ast.Walk(collect, n)
	return collect.children
}

type childCollector struct {
	parent   ast.Node
	children []ast.Node
}

// Visit descends from the parent only, recording its children without entering them.
func (c *childCollector) Visit(n ast.Node) ast.Visitor {
	if n == c.parent {
		return c
	}
	if n != nil {
		c.children = append(c.children, n)
	}
	return nil
}
