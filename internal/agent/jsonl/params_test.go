package jsonl

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/go-json-experiment/json/jsontext"
	jsonv1 "github.com/go-json-experiment/json/v1"
)

// selfDecoded is a params type that decodes itself, reading as much of its value as reads
// tokens, and then failing with fails.
type selfDecoded struct {
	reads int
	fails error
	Name  string
}

func (p *selfDecoded) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	for range p.reads {
		if _, err := dec.ReadToken(); err != nil {
			return err
		}
	}
	return p.fails
}

// selfDecodedFor hands out params that read reads tokens and fail with fails.
func selfDecodedFor(reads int, fails error) ParamsFor {
	return func(method string) any {
		if method != "self" {
			return nil
		}
		p := &selfDecoded{reads: reads, fails: fails}
		return &p
	}
}

// A params type that decodes itself is trusted with no more than it must do: a type error it
// returns part way leaves the rest of the value to be read (so a syntax error later still
// fails the line), and reading other than one value is an error of the line.
func TestSelfDecodingParams(t *testing.T) {
	typeErr := &jsonv1.UnmarshalTypeError{Value: "number", Type: reflect.TypeFor[string]()}
	good := `{"method":"self","params":{"a":[1,{"b":2}],"c":3},"id":7}`
	cases := []struct {
		name    string
		line    string
		reads   int
		fails   error
		lineErr string
		typeErr bool
	}{
		{name: "whole value read", line: good, reads: 12},
		{name: "type error before the value", line: good, fails: typeErr, typeErr: true},
		{name: "type error deep in the value", line: good, reads: 5, fails: typeErr, typeErr: true},
		{name: "type error with a syntax error after it", line: `{"method":"self","params":{"a":[1,{"b":2}],"c":3,},"id":7}`, reads: 5, fails: typeErr, lineErr: "invalid character"},
		{name: "type error of a scalar", line: `{"method":"self","params":5,"id":7}`, fails: typeErr, typeErr: true},
		{name: "nothing read", line: good, lineErr: "did not read exactly one JSON value"},
		{name: "value left open", line: good, reads: 5, lineErr: "did not read exactly one JSON value"},
		{name: "read past the value", line: good, reads: 13, lineErr: "did not read exactly one JSON value"},
		{name: "type error after reading past the value", line: good, reads: 13, fails: typeErr, lineErr: "did not read exactly one JSON value"},
		{name: "null params", line: `{"method":"self","params":null,"id":7}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, err := DecodeFrame([]byte(c.line), selfDecodedFor(c.reads, c.fails))
			if c.lineErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.lineErr) {
					t.Fatalf("error %v, want one saying %q", err, c.lineErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(f.ID) != "7" {
				t.Fatalf("id %s, want 7: the rest of the line was not read", f.ID)
			}
			if (f.DecodedErr != nil) != c.typeErr || (c.typeErr && !errors.Is(f.DecodedErr, c.fails)) {
				t.Fatalf("params error %v, want a type error: %v", f.DecodedErr, c.typeErr)
			}
		})
	}
}

// namedProbe is decoded with a ParamsDecoder, for the rules a test can state in a line.
type namedProbe struct {
	Name string `json:"name"`
	Key  string `json:"key"`
	List []struct {
		Name string `json:"name"`
	} `json:"list"`
}

func (p *namedProbe) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return DecodeParams(dec, func(d *ParamsDecoder) error {
		return d.Object(p, FieldNames[namedProbe](), func(field string) error {
			switch field {
			case "name":
				return d.String(&p.Name)
			case "key":
				return d.String(&p.Key)
			case "list":
				return Slice(d, &p.List, func(e *struct {
					Name string `json:"name"`
				}) error {
					return d.Object(e, []string{"name"}, func(field string) error {
						if field == "name" {
							return d.String(&e.Name)
						}
						return d.Skip()
					})
				})
			}
			return d.Skip()
		})
	})
}

func TestParamsDecoder(t *testing.T) {
	probeFor := func(string) any { return new(*namedProbe) }
	cases := []struct {
		params    string
		want      namedProbe
		wantField string
	}{
		{params: `{"name":"a","NAME":"b"}`, want: namedProbe{Name: "b"}},
		{params: `{"NAME":"b","Name":"c","name":"a","nAme":null}`, want: namedProbe{Name: "a"}},
		{params: `{"\u212aey":"kelvin","n\u0061me":"escaped"}`, want: namedProbe{Key: "kelvin", Name: "escaped"}},
		{params: `{"name":"\u00e9\ud800\u0000"}`, want: namedProbe{Name: "é\uFFFD\x00"}},
		{params: `{"list":[{"name":"x"},{"nam":"y"}],"list":[null,{"name":"z"}]}`, want: namedProbe{List: []struct {
			Name string `json:"name"`
		}{{Name: "x"}, {Name: "z"}}}},
		{params: `{"name":1,"key":"after"}`, want: namedProbe{Key: "after"}, wantField: "name"},
		{params: `{"list":[{"name":true}]}`, wantField: "list.name"},
		{params: `{"list":"x","name":"after"}`, want: namedProbe{Name: "after"}, wantField: "list"},
	}
	for _, c := range cases {
		f, err := DecodeFrame([]byte(`{"method":"p","params":`+c.params+`}`), probeFor)
		if err != nil {
			t.Fatalf("%s: %v", c.params, err)
		}
		var typeErr *jsonv1.UnmarshalTypeError
		if c.wantField != "" {
			if !errors.As(f.DecodedErr, &typeErr) || typeErr.Field != c.wantField {
				t.Errorf("%s: params error %v, want a type error at %s", c.params, f.DecodedErr, c.wantField)
			}
		} else if f.DecodedErr != nil {
			t.Errorf("%s: %v", c.params, f.DecodedErr)
		}
		got := f.Decoded.(*namedProbe)
		if c.wantField == "" {
			if !reflect.DeepEqual(*got, c.want) {
				t.Errorf("%s: decoded %+v, want %+v", c.params, *got, c.want)
			}
		} else if got.Name != c.want.Name || got.Key != c.want.Key {
			t.Errorf("%s: decoded %+v, want %+v besides the wrong member", c.params, *got, c.want)
		}
	}
}

// Field names Object could not tell apart are refused when the names are taken.
func TestFieldNamesRefusesNamesThatFoldTogether(t *testing.T) {
	type twoKeys struct {
		Key   string `json:"key"`
		Other string `json:"KEY,omitempty"`
	}
	defer func() {
		if recover() == nil {
			t.Fatal("FieldNames took key and KEY")
		}
	}()
	FieldNames[twoKeys]()
}
