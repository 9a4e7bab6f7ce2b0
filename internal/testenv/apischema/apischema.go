// Package apischema checks JSON a test fake sends or receives against a hand-written table of
// the provider's published API description: each object lists the keys the description
// gives it (only those the fake uses), each key's JSON type and nullability, which keys the
// description requires and which of them the client code reads. A key the table does not
// name, a value of the wrong JSON type, a null where none is allowed, and a required key the
// client reads but the answer lacks are each reported with their JSON path. The tables live
// beside each fake (githubtest, jiratest); this package holds only the checking.
package apischema

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Kind is a JSON type as an OpenAPI description names it.
type Kind int

// The JSON types. Any accepts every value, as a description does for a property without a
// type (Jira's Atlassian Document Format bodies).
const (
	Any Kind = iota
	String
	Integer
	Number
	Boolean
	Object
	Array
)

func (k Kind) String() string {
	return [...]string{"any", "string", "integer", "number", "boolean", "object", "array"}[k]
}

// Schema is one node of a table.
type Schema struct {
	// Name is the description's name for an object (its components/schemas key), used in
	// messages; inline objects carry their parent's name and key.
	Name     string
	Kind     Kind
	Nullable bool
	// Props are an object's keys; a key the answer carries that is missing here is reported.
	Props map[string]*Schema
	// Required are the keys the description marks required.
	Required []string
	// Reads are the keys the client code reads; a required one the answer lacks is reported.
	Reads []string
	// Values types the values of a free-form map (additionalProperties), whose keys are open.
	Values *Schema
	// Items types an array's elements.
	Items *Schema
	// OneOf lists alternatives; a value must match one.
	OneOf []*Schema
}

// Props maps an object's keys to their schemas.
type Props map[string]*Schema

// Scalar schemas.
var (
	Str   = &Schema{Kind: String}
	Int   = &Schema{Kind: Integer}
	Num   = &Schema{Kind: Number}
	Bool  = &Schema{Kind: Boolean}
	Value = &Schema{Kind: Any}
)

// Obj is the object the description calls name.
func Obj(name string, props Props) *Schema {
	return &Schema{Name: name, Kind: Object, Props: props}
}

// Require returns a copy of s whose required keys are keys.
func (s *Schema) Require(keys ...string) *Schema {
	c := *s
	c.Required = keys
	return &c
}

// Read returns a copy of s noting that the client code reads keys.
func (s *Schema) Read(keys ...string) *Schema {
	c := *s
	c.Reads = keys
	return &c
}

// Null returns a copy of s that also accepts null.
func Null(s *Schema) *Schema {
	c := *s
	c.Nullable = true
	return &c
}

// ArrayOf is an array of items.
func ArrayOf(items *Schema) *Schema { return &Schema{Kind: Array, Items: items} }

// MapOf is a free-form object whose values are all values.
func MapOf(name string, values *Schema) *Schema {
	return &Schema{Name: name, Kind: Object, Values: values}
}

// OneOf is a value matching one of alternatives.
func OneOf(alternatives ...*Schema) *Schema { return &Schema{Kind: Any, OneOf: alternatives} }

// Decode parses a JSON document keeping numbers exact, so integers and fractions differ.
func Decode(data []byte) (any, error) {
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, fmt.Errorf("apischema: more than one JSON value")
	}
	return v, nil
}

// Check reports every way v (as Decode returns it) departs from s, one line per problem
// naming its JSON path (path is the root's, usually "$").
func Check(path string, v any, s *Schema) []string {
	if v == nil {
		if s.Nullable || (s.Kind == Any && s.OneOf == nil) {
			return nil
		}
		return []string{fmt.Sprintf("%s: null where the description allows none (%s)", path, s.Kind)}
	}
	if len(s.OneOf) > 0 {
		return checkOneOf(path, v, s)
	}
	switch s.Kind {
	case Any:
		return nil
	case String:
		if _, ok := v.(string); ok {
			return nil
		}
	case Integer:
		if n, ok := v.(json.Number); ok {
			if _, err := n.Int64(); err == nil {
				return nil
			}
		}
	case Number:
		if _, ok := v.(json.Number); ok {
			return nil
		}
	case Boolean:
		if _, ok := v.(bool); ok {
			return nil
		}
	case Array:
		if items, ok := v.([]any); ok {
			var problems []string
			for i, item := range items {
				problems = append(problems, Check(fmt.Sprintf("%s[%d]", path, i), item, s.Items)...)
			}
			return problems
		}
	case Object:
		if obj, ok := v.(map[string]any); ok {
			return checkObject(path, obj, s)
		}
	}
	return []string{fmt.Sprintf("%s: %s %s where the description has %s", path, jsonKind(v), brief(v), s.Kind)}
}

func checkObject(path string, obj map[string]any, s *Schema) []string {
	var problems []string
	for _, key := range sortedKeys(obj) {
		child := path + "." + key
		if s.Values != nil {
			problems = append(problems, Check(child, obj[key], s.Values)...)
			continue
		}
		prop, ok := s.Props[key]
		if !ok {
			problems = append(problems, fmt.Sprintf("%s: %s has no key %q in the description", child, describe(s), key))
			continue
		}
		problems = append(problems, Check(child, obj[key], prop)...)
	}
	for _, key := range s.Required {
		if _, present := obj[key]; !present && slices.Contains(s.Reads, key) {
			problems = append(problems, fmt.Sprintf("%s: lacks %q, which %s requires and the client reads", path, key, describe(s)))
		}
	}
	return problems
}

func checkOneOf(path string, v any, s *Schema) []string {
	var closest []string
	for _, alt := range s.OneOf {
		problems := Check(path, v, alt)
		if len(problems) == 0 {
			return nil
		}
		if alt.Kind.String() == jsonKind(v) || (alt.Kind == Integer && jsonKind(v) == "number") {
			closest = problems
		}
	}
	if closest != nil {
		return closest
	}
	kinds := make([]string, 0, len(s.OneOf))
	for _, alt := range s.OneOf {
		kinds = append(kinds, alt.Kind.String())
	}
	return []string{fmt.Sprintf("%s: %s %s matches none of %s", path, jsonKind(v), brief(v), strings.Join(kinds, ", "))}
}

func describe(s *Schema) string {
	if s.Name != "" {
		return s.Name
	}
	return "the value"
}

func jsonKind(v any) string {
	switch v.(type) {
	case string:
		return "string"
	case json.Number:
		return "number"
	case bool:
		return "boolean"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return "null"
}

// brief quotes a scalar so a message shows the offending value; containers are left out.
func brief(v any) string {
	switch x := v.(type) {
	case string:
		if len(x) > 40 {
			x = x[:40] + "…"
		}
		return fmt.Sprintf("%q", x)
	case json.Number, bool:
		return fmt.Sprint(x)
	}
	return ""
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
