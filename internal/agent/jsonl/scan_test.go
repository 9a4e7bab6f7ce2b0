package jsonl

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestScanObjectAgreesWithEncodingJSON(t *testing.T) {
	for _, c := range []string{
		`{}`, ` {"a":1} `, `{"a":-0.5e+7,"b":[true,false,null,{}],"c":"\u00e9\n\"\\\/"}`, "{\"a\":\"\xff\xfe\"}",
		`{"a":01}`, `{"a":1.}`, `{"a":.5}`, `{"a":1e}`, `{"a":-}`, `{"a":+1}`, `{"a":"\x"}`, `{"a":"\u12g4"}`,
		"{\"a\":\"tab\there\"}", `{"a":tru}`, `{"a":nul}`, `{"a":[1,]}`, `{"a":1,}`, `{,}`, `{"a" 1}`, `{"a":1} {}`,
		`{"a":[1 2]}`, `{"a":{"b"}}`, `{"a":1`, `[1]`, `"x"`, ``, `{"a":"unterminated}`, `{"a":[1]]}`, `{'a':1}`,
		`{"a":1true}`, `{"a":"x"` + "\x00" + `}`, `{"a":Infinity}`, `{"a":[` + strings.Repeat("[", scanMaxDepth) + `]}`,
	} {
		members, ok := scanObject([]byte(c), nil)
		valid := json.Valid([]byte(c)) && strings.HasPrefix(strings.TrimLeft(c, " \t\r\n"), "{")
		if ok && !valid {
			t.Errorf("%q: checker accepted what encoding/json refuses", c)
		}
		if !ok && valid && !strings.Contains(c, strings.Repeat("[", scanMaxDepth)) {
			t.Errorf("%q: checker refused a valid object", c)
		}
		if ok && c == `{"a":-0.5e+7,"b":[true,false,null,{}],"c":"\u00e9\n\"\\\/"}` {
			var names []string
			for _, m := range members {
				names = append(names, c[m.nameStart:m.nameEnd]+"="+c[m.valueStart:m.valueEnd])
			}
			if want := []string{"a=-0.5e+7", "b=[true,false,null,{}]", `c="\u00e9\n\"\\\/"`}; !reflect.DeepEqual(names, want) {
				t.Errorf("members %q, want %q", names, want)
			}
		}
	}
}

// The checker never accepts what encoding/json refuses, and accepts every object encoding/json
// accepts unless it nests deeper than the checker follows; the members of an object it
// accepted are found alike without checking again.
func FuzzScanObject(f *testing.F) {
	for _, seed := range []string{`{"a":"x\\\"y]}","b":[{"c":"\\"},-1.5e3,true],"d":{}}`, `{"a":[1,{"b":"c"}]}`, `{"a":1e-5}`, "{\"\xff\":null}", `{"a":"\ud800"}`, `{"a":[}`} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		checked, ok := scanObject(line, nil)
		found, foundOK := appendMembers(line, nil) // on any input, without panicking
		if ok && (!foundOK || !reflect.DeepEqual(found, checked)) {
			t.Fatalf("%q: members %v (%v) of a checked object, the checker found %v", line, found, foundOK, checked)
		}
		valid := json.Valid(line) && bytes.HasPrefix(bytes.TrimLeft(line, " \t\r\n"), []byte("{"))
		if ok && !valid {
			t.Fatalf("%q: checker accepted what encoding/json refuses", line)
		}
		if !ok && valid && bytes.Count(line, []byte("["))+bytes.Count(line, []byte("{")) < scanMaxDepth {
			t.Fatalf("%q: checker refused a valid object", line)
		}
	})
}

// The frames agents write take the plain path, and it decodes them exactly as the general
// decoder does.
func TestPlainFrameMatchesGeneralDecoder(t *testing.T) {
	for _, c := range []struct {
		line  string
		plain bool
	}{
		{`{"method":"probe","params":{"name":"a","n":2,"list":["x"],"raw":{"k":1}},"emittedAtMs":17}`, true},
		{`{"id":3,"method":"probe","params":{"name":7}}`, true},
		{`{"id":"x","result":{"thread":{"id":"t"}}}`, true},
		{`{"id":null,"method":"chatter","params":{"deep":[[{}]]}}`, true},
		{`{"params":{"n":2},"Method":"probe"}`, true},
		{`{"method":"probe","params":null}`, true},
		{`{"id":4,"result":null}`, true},
		{`{"method":"probe","params":{},"params":{"n":2}}`, false},
		{`{"method":"pro\u0062e","params":{"n":2}}`, false},
		{`{"id":1,"error":{"code":-1,"message":"no"}}`, false},
		{`{"method":null}`, false},
		{`{"meth\u006fd":"probe"}`, false},
	} {
		plain, ok := decodePlainFrame([]byte(c.line), probeFor)
		if ok != c.plain {
			t.Errorf("%s: plain path taken %v, want %v", c.line, ok, c.plain)
		}
		if !ok {
			continue
		}
		general, err := decodeAnyFrame([]byte(c.line), probeFor)
		if err != nil {
			t.Fatalf("%s: %v", c.line, err)
		}
		if !sameMessage(plain.Message, general.Message) || (plain.DecodedErr == nil) != (general.DecodedErr == nil) ||
			!reflect.DeepEqual(plain.Decoded, general.Decoded) {
			t.Errorf("%s: plain %+v, general %+v", c.line, plain, general)
		}
	}
}

// A method name is allocated once, then shared by every line that names it.
func TestMethodNamesAreInterned(t *testing.T) {
	line := []byte(`{"method":"interned/probe","params":{}}`)
	first, ok := decodePlainFrame(line, probeFor)
	if !ok {
		t.Fatal("plain path not taken")
	}
	allocs := testing.AllocsPerRun(100, func() {
		f, _ := decodePlainFrame(line, probeFor)
		if f.Method != first.Method {
			t.Fatalf("method %q, want %q", f.Method, first.Method)
		}
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per frame of a known method without params to decode", allocs)
	}
}

// PlainString decodes a JSON string exactly as encoding/json does, or declines.
func FuzzPlainString(f *testing.F) {
	for _, seed := range []string{`"plain"`, `"a\tb\n\"c\"\\\/"`, `"\u00e9\ud83d\ude00"`, `"\ud800"`, "\"\xff\"", `"é"`, `"x\u0000"`, `""`} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, value []byte) {
		var want string
		if json.Unmarshal(value, &want) != nil || !bytes.HasPrefix(value, []byte(`"`)) || !bytes.HasSuffix(value, []byte(`"`)) {
			return
		}
		if got, ok := PlainString(value); ok && got != want {
			t.Fatalf("PlainString(%s) = %q, encoding/json %q", value, got, want)
		}
	})
}
