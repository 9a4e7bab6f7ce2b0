// Package yamlschema decodes a YAML document into typed Go structs while collecting every
// problem it finds — unknown keys at any depth, wrong types, removed aliases — each with the
// file, line, column and dotted key path, instead of stopping at the first one.
//
// Decoding writes over whatever the destination already holds, so callers pre-fill defaults
// and the file overrides only what it mentions. An explicit null leaves a non-pointer field at
// its default and sets a pointer field to nil (which is how "null disables this cap" works).
package yamlschema

import (
	"fmt"
	"math"
	"reflect"
	"sort"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
)

// Defaulter is implemented by element types of slices and maps that need defaults before
// their YAML is decoded over them (a repository entry's workflow path, for example).
type Defaulter interface {
	SetDefaults()
}

// Unmarshaler is implemented by types that read their own node (to keep its position, for
// example). It returns a problem message and false when the node is unacceptable.
type Unmarshaler interface {
	DecodeYAML(n ast.Node) (problem string, ok bool)
}

// RemovedKeys is implemented by structs that reject old spellings with migration advice:
// key -> what to use instead.
type RemovedKeys interface {
	RemovedKeys() map[string]string
}

// UnknownKeyAdvice is implemented by structs that want to add advice to every unknown-key
// problem (WORKFLOW.md uses it to point operator settings at symphony.yml).
type UnknownKeyAdvice interface {
	UnknownKeyAdvice() string
}

// Decoder walks one document.
type Decoder struct {
	file     string
	problems []Problem
	anchors  map[string]ast.Node
	// at and atPath are the node most recently entered and its key path, where a panic is
	// reported (they are not restored on the way out: a deferred restore would run before
	// the recovery and lose the node that panicked).
	at     ast.Node
	atPath string
}

// Decode decodes node into dst (a pointer) and returns every problem found. file names the
// source in problems.
func Decode(file string, node ast.Node, dst any) (problems []Problem) {
	d := &Decoder{file: file, anchors: map[string]ast.Node{}}
	v := reflect.ValueOf(dst)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		panic("yamlschema.Decode: dst must be a non-nil pointer")
	}
	if node == nil {
		return nil
	}
	// A panic while decoding (in the YAML library or a type's DecodeYAML) is a bug, but it
	// must cost one load, not the process: it becomes a problem at the node being decoded,
	// and the caller discards the half-written dst as it does for any problem.
	defer func() {
		if r := recover(); r != nil {
			d.add(d.at, d.atPath, "cannot be decoded (an internal error, please report it): %v", r)
			problems = d.problems
		}
	}()
	d.decode(node, v.Elem(), "")
	return d.problems
}

func (d *Decoder) add(n ast.Node, path, format string, args ...any) {
	p := Problem{File: d.file, Path: path, Msg: fmt.Sprintf(format, args...)}
	if n != nil {
		if tok := n.GetToken(); tok != nil && tok.Position != nil {
			p.Line, p.Col = tok.Position.Line, tok.Position.Column
		}
	}
	d.problems = append(d.problems, p)
}

// resolve strips anchors, tags and aliases so callers see the value node itself.
func (d *Decoder) resolve(n ast.Node) ast.Node {
	for depth := 0; depth < 32 && n != nil; depth++ {
		switch t := n.(type) {
		case *ast.AnchorNode:
			d.anchors[anchorName(t)] = t.Value
			n = t.Value
		case *ast.AliasNode:
			target, ok := d.anchors[aliasName(t)]
			if !ok {
				return nil
			}
			n = target
		case *ast.TagNode:
			n = t.Value
		default:
			return n
		}
	}
	return n
}

func anchorName(a *ast.AnchorNode) string {
	if s, ok := a.Name.(*ast.StringNode); ok {
		return s.Value
	}
	if a.Name == nil {
		return ""
	}
	return a.Name.String()
}

func aliasName(a *ast.AliasNode) string {
	if s, ok := a.Value.(*ast.StringNode); ok {
		return s.Value
	}
	if a.Value == nil {
		return ""
	}
	return a.Value.String()
}

func isNull(n ast.Node) bool {
	if n == nil {
		return true
	}
	_, ok := n.(*ast.NullNode)
	return ok
}

func (d *Decoder) decode(raw ast.Node, v reflect.Value, path string) {
	d.at, d.atPath = raw, path
	if al, ok := raw.(*ast.AliasNode); ok {
		if _, known := d.anchors[aliasName(al)]; !known {
			d.add(raw, path, "alias *%s refers to no anchor defined before it", aliasName(al))
			return
		}
	}
	n := d.resolve(raw)
	if isNull(n) {
		if v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface || v.Kind() == reflect.Slice || v.Kind() == reflect.Map {
			v.Set(reflect.Zero(v.Type()))
		}
		return
	}
	if v.CanAddr() {
		if u, ok := v.Addr().Interface().(Unmarshaler); ok {
			if msg, ok := u.DecodeYAML(n); !ok {
				d.add(n, path, "%s, got %s", msg, describe(n))
			}
			return
		}
	}
	switch v.Kind() {
	case reflect.Pointer:
		elem := reflect.New(v.Type().Elem())
		if !v.IsNil() {
			elem.Elem().Set(v.Elem())
		}
		d.decode(n, elem.Elem(), path)
		v.Set(elem)
	case reflect.Struct:
		d.decodeStruct(n, v, path)
	case reflect.Slice:
		d.decodeSlice(n, v, path)
	case reflect.Map:
		d.decodeMap(n, v, path)
	case reflect.Interface:
		out, err := nodeToValue(n)
		if err != nil {
			d.add(n, path, "cannot read value: %v", err)
			return
		}
		v.Set(reflect.ValueOf(normalizeAny(out)))
	case reflect.String:
		s, ok := stringValue(n)
		if !ok {
			d.add(n, path, "must be a string, got %s", describe(n))
			return
		}
		v.SetString(s)
	case reflect.Bool:
		b, ok := n.(*ast.BoolNode)
		if !ok {
			d.add(n, path, "must be true or false, got %s", describe(n))
			return
		}
		v.SetBool(b.Value)
	case reflect.Int, reflect.Int64, reflect.Int32:
		i, ok := intValue(n)
		if !ok {
			d.add(n, path, "must be an integer, got %s", describe(n))
			return
		}
		if v.OverflowInt(i) {
			d.add(n, path, "integer %d is out of range", i)
			return
		}
		v.SetInt(i)
	case reflect.Float64:
		f, ok := floatValue(n)
		if !ok {
			d.add(n, path, "must be a number, got %s", describe(n))
			return
		}
		v.SetFloat(f)
	default:
		panic(fmt.Sprintf("yamlschema: unsupported field kind %s at %s", v.Kind(), path))
	}
}

// mappingEntries returns a mapping's entries, expanding `<<` merge keys so explicit keys
// come after (and therefore override) merged ones. The parser itself rejects a key repeated
// within one mapping.
func (d *Decoder) mappingEntries(n ast.Node, path string) ([]*ast.MappingValueNode, bool) {
	var raw []*ast.MappingValueNode
	switch m := n.(type) {
	case *ast.MappingNode:
		raw = m.Values
	case *ast.MappingValueNode:
		raw = []*ast.MappingValueNode{m}
	default:
		return nil, false
	}
	var fromMerge, explicit []*ast.MappingValueNode
	for _, e := range raw {
		if _, isMerge := e.Key.(*ast.MergeKeyNode); isMerge {
			sub, ok := d.mappingEntries(d.resolve(e.Value), path)
			if !ok {
				d.add(e, path, "merge key << must refer to a mapping")
				continue
			}
			fromMerge = append(fromMerge, sub...)
			continue
		}
		explicit = append(explicit, e)
	}
	return append(fromMerge, explicit...), true
}

func (d *Decoder) keyOf(e *ast.MappingValueNode) (string, bool) {
	k := d.resolve(e.Key)
	if s, ok := stringValue(k); ok {
		return s, true
	}
	if k != nil {
		return k.String(), true
	}
	return "", false
}

// structFields maps each YAML key of t to its field index, and lists the keys in field order.
func structFields(t reflect.Type) (map[string][]int, []string) {
	fields := map[string][]int{}
	var names []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("yaml")
		if tag == "" || tag == "-" || !f.IsExported() {
			continue
		}
		name := strings.Split(tag, ",")[0]
		fields[name] = f.Index
		names = append(names, name)
	}
	return fields, names
}

func (d *Decoder) decodeStruct(n ast.Node, v reflect.Value, path string) {
	entries, ok := d.mappingEntries(n, path)
	if !ok {
		d.add(n, path, "must be a mapping of keys to values, got %s", describe(n))
		return
	}
	fields, names := structFields(v.Type())
	var removed map[string]string
	var advice string
	if v.CanAddr() {
		if r, ok := v.Addr().Interface().(RemovedKeys); ok {
			removed = r.RemovedKeys()
		}
		if a, ok := v.Addr().Interface().(UnknownKeyAdvice); ok {
			advice = a.UnknownKeyAdvice()
		}
	}
	for _, e := range entries {
		key, ok := d.keyOf(e)
		if !ok {
			d.add(e, path, "mapping key must be a string")
			continue
		}
		child := joinPath(path, key)
		f, known := fields[key]
		if !known {
			if use, isRemoved := removed[key]; isRemoved {
				d.add(e.Key, child, "`%s` is no longer accepted; %s", key, use)
				continue
			}
			msg := "unknown key"
			if s := suggest(key, names); s != "" {
				msg += fmt.Sprintf(" (did you mean `%s`?)", s)
			}
			if advice != "" {
				msg += "; " + advice
			}
			d.add(e.Key, child, "%s", msg)
			continue
		}
		d.decode(e.Value, v.FieldByIndex(f), child)
	}
}

func (d *Decoder) decodeSlice(n ast.Node, v reflect.Value, path string) {
	seq, ok := n.(*ast.SequenceNode)
	if !ok {
		d.add(n, path, "must be a list, got %s", describe(n))
		return
	}
	out := reflect.MakeSlice(v.Type(), 0, len(seq.Values))
	for i, item := range seq.Values {
		elem := reflect.New(v.Type().Elem())
		if def, ok := elem.Interface().(Defaulter); ok {
			def.SetDefaults()
		}
		d.decode(item, elem.Elem(), fmt.Sprintf("%s[%d]", path, i))
		out = reflect.Append(out, elem.Elem())
	}
	v.Set(out)
}

func (d *Decoder) decodeMap(n ast.Node, v reflect.Value, path string) {
	entries, ok := d.mappingEntries(n, path)
	if !ok {
		d.add(n, path, "must be a mapping, got %s", describe(n))
		return
	}
	if v.Type().Key().Kind() != reflect.String {
		panic("yamlschema: map keys must be strings")
	}
	out := reflect.MakeMapWithSize(v.Type(), len(entries))
	for _, e := range entries {
		key, ok := d.keyOf(e)
		if !ok {
			d.add(e, path, "mapping key must be a string")
			continue
		}
		elem := reflect.New(v.Type().Elem())
		if def, ok := elem.Interface().(Defaulter); ok {
			def.SetDefaults()
		}
		d.decode(e.Value, elem.Elem(), joinPath(path, key))
		out.SetMapIndex(reflect.ValueOf(key).Convert(v.Type().Key()), elem.Elem())
	}
	v.Set(out)
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func stringValue(n ast.Node) (string, bool) {
	switch t := n.(type) {
	case *ast.StringNode:
		return t.Value, true
	case *ast.LiteralNode:
		return t.Value.Value, true
	}
	return "", false
}

func intValue(n ast.Node) (int64, bool) {
	switch t := n.(type) {
	case *ast.IntegerNode:
		switch x := t.Value.(type) {
		case int64:
			return x, true
		case uint64:
			if x <= math.MaxInt64 {
				return int64(x), true
			}
		case int:
			return int64(x), true
		}
	case *ast.FloatNode:
		if t.Value == math.Trunc(t.Value) && math.Abs(t.Value) < 1<<53 {
			return int64(t.Value), true
		}
	}
	return 0, false
}

// floatValue reads a finite number; .inf and .nan are refused because no setting means them.
func floatValue(n ast.Node) (float64, bool) {
	if t, ok := n.(*ast.FloatNode); ok {
		return t.Value, !math.IsInf(t.Value, 0) && !math.IsNaN(t.Value)
	}
	i, ok := intValue(n)
	return float64(i), ok
}

func describe(n ast.Node) string {
	switch t := n.(type) {
	case *ast.StringNode, *ast.LiteralNode:
		s, _ := stringValue(n)
		if len(s) > 40 {
			s = s[:40] + "…"
		}
		return fmt.Sprintf("string %q", s)
	case *ast.IntegerNode, *ast.FloatNode:
		return "number " + t.String()
	case *ast.BoolNode:
		return "boolean " + t.String()
	case *ast.SequenceNode:
		return "a list"
	case *ast.MappingNode, *ast.MappingValueNode:
		return "a mapping"
	}
	return "a " + strings.ToLower(n.Type().String())
}

// normalizeAny turns decoded YAML into JSON-compatible values (string-keyed maps, int64
// numbers) so pass-through settings can be sent to agents as JSON unchanged.
func normalizeAny(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			t[k] = normalizeAny(x)
		}
		return t
	case map[any]any:
		out := make(map[string]any, len(t))
		for k, x := range t {
			out[fmt.Sprint(k)] = normalizeAny(x)
		}
		return out
	case []any:
		for i, x := range t {
			t[i] = normalizeAny(x)
		}
		return t
	case uint64:
		if t <= math.MaxInt64 {
			return int64(t)
		}
	case int:
		return int64(t)
	}
	return v
}

// suggest returns the known key closest to an unknown one, when it is a plausible typo.
func suggest(key string, known []string) string {
	best, bestDist := "", 3
	sorted := append([]string(nil), known...)
	sort.Strings(sorted)
	for _, k := range sorted {
		if dist := editDistance(key, k); dist < bestDist {
			best, bestDist = k, dist
		}
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// nodeToValue converts a node to plain Go values, turning a library panic into an error.
func nodeToValue(n ast.Node) (out any, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	err = yaml.NodeToValue(n, &out)
	return out, err
}
