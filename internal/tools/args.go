package tools

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// scopeKeys name another issue. The host decides which issue a call acts on, so a model that
// tries to choose one is refused outright rather than having the key ignored.
var scopeKeys = []string{"issue_id", "issueId", "issue", "issue_identifier", "identifier", "id"}

// kind is a parameter's JSON type.
type kind string

const (
	kindString  kind = "string"
	kindInteger kind = "integer"
	kindBoolean kind = "boolean"
	// kindID is a numeric id given as a JSON integer or a string of digits.
	kindID kind = "id"
)

// param is one argument a tool accepts.
type param struct {
	name        string
	kind        kind
	required    bool
	description string
}

// args are a call's decoded arguments, already checked against the tool's parameters.
type args map[string]any

func (a args) str(name string) string {
	s, _ := a[name].(string)
	return s
}

func (a args) integer(name string, fallback int64) int64 {
	if n, ok := a[name].(int64); ok {
		return n
	}
	return fallback
}

// decodeArgs applies the host's argument rules in order: the arguments are an object (or
// absent), carry no scope key, carry only the tool's parameters, and each has its declared
// type; required parameters are present.
func decodeArgs(raw json.RawMessage, params []param, scope []string) (args, *toolError) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		raw = []byte("{}")
	}
	if raw[0] != '{' {
		return nil, fail(CodeInvalidArguments, "arguments must be a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var fields map[string]json.RawMessage
	if err := dec.Decode(&fields); err != nil {
		return nil, fail(CodeInvalidArguments, "arguments are not valid JSON: %v", err)
	}
	if dec.More() {
		return nil, fail(CodeInvalidArguments, "arguments must be a single JSON object")
	}
	var scoped, unexpected []string
	for key := range fields {
		switch {
		case slices.Contains(scope, key):
			scoped = append(scoped, key)
		case !slices.ContainsFunc(params, func(p param) bool { return p.name == key }):
			unexpected = append(unexpected, key)
		}
	}
	if len(scoped) > 0 {
		sort.Strings(scoped)
		e := fail(CodeScopeArgument, "this tool is scoped to the session (its issue, repository and branch); remove %s", strings.Join(scoped, ", "))
		e.Details = map[string]any{"keys": scoped}
		return nil, e
	}
	if len(unexpected) > 0 {
		sort.Strings(unexpected)
		e := fail(CodeUnexpectedArguments, "unexpected argument(s) %s; this tool accepts %s", strings.Join(unexpected, ", "), paramNames(params))
		e.Details = map[string]any{"keys": unexpected}
		return nil, e
	}
	out := make(args, len(fields))
	for _, p := range params {
		value, present := fields[p.name]
		if !present || bytes.Equal(bytes.TrimSpace(value), []byte("null")) {
			if p.required {
				return nil, fail(CodeInvalidArguments, "argument %s is required", p.name)
			}
			continue
		}
		v, err := decodeValue(value, p.kind)
		if err != nil {
			return nil, fail(CodeInvalidArguments, "argument %s must be %s: %v", p.name, article(p.kind), err)
		}
		out[p.name] = v
	}
	return out, nil
}

func decodeValue(raw json.RawMessage, k kind) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	switch k {
	case kindString:
		if s, ok := v.(string); ok {
			return s, nil
		}
	case kindBoolean:
		if b, ok := v.(bool); ok {
			return b, nil
		}
	case kindID:
		if s, ok := v.(string); ok {
			id, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
			if err != nil || id <= 0 {
				return nil, fmt.Errorf("%q is not a positive whole number", s)
			}
			return id, nil
		}
		if n, ok := v.(json.Number); ok {
			if id, err := n.Int64(); err == nil && id > 0 {
				return id, nil
			}
			return nil, fmt.Errorf("%s is not a positive whole number", n)
		}
	case kindInteger:
		if n, ok := v.(json.Number); ok {
			if i, err := n.Int64(); err == nil {
				return i, nil
			}
			return nil, fmt.Errorf("%s is not a whole number", n)
		}
	}
	return nil, fmt.Errorf("got %s", jsonType(v))
}

func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case json.Number:
		return "a number"
	case []any:
		return "an array"
	default:
		return "an object"
	}
}

func article(k kind) string {
	switch k {
	case kindInteger:
		return "an integer"
	case kindID:
		return "an id (an integer or a string of digits)"
	}
	return "a " + string(k)
}

func paramNames(params []param) string {
	if len(params) == 0 {
		return "no arguments"
	}
	names := make([]string, len(params))
	for i, p := range params {
		names[i] = p.name
	}
	return strings.Join(names, ", ")
}

// inputSchema is the JSON Schema advertised for a tool's arguments.
func inputSchema(params []param) json.RawMessage {
	props := map[string]any{}
	var required []string
	for _, p := range params {
		var typ any = string(p.kind)
		if p.kind == kindID {
			typ = []string{"integer", "string"}
		}
		props[p.name] = map[string]any{"type": typ, "description": p.description}
		if p.required {
			required = append(required, p.name)
		}
	}
	schema := map[string]any{"type": "object", "additionalProperties": false, "properties": props}
	if len(required) > 0 {
		schema["required"] = required
	}
	b, _ := json.Marshal(schema)
	return b
}
