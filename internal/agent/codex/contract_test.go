package codex

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/symphony-go/symphony/internal/agent/codex/codexfake"
	"github.com/symphony-go/symphony/internal/testenv"
)

var (
	schemaOnce sync.Once
	schemaDir  string
	schemaErr  error
)

// generatedSchema asks the installed codex binary for its app-server JSON schema, once per
// test binary.
func generatedSchema(t *testing.T) string {
	t.Helper()
	bin := testenv.Codex(t)
	schemaOnce.Do(func() {
		schemaDir, schemaErr = os.MkdirTemp("", "codex-schema-")
		if schemaErr != nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, bin, "app-server", "generate-json-schema", "--experimental", "--out", schemaDir)
		setProcessGroup(cmd)
		killGroupOnCancel(cmd)
		if out, err := cmd.CombinedOutput(); err != nil {
			schemaErr = fmt.Errorf("generate-json-schema: %v\n%s", err, out)
		}
	})
	if schemaErr != nil {
		t.Fatal(schemaErr)
	}
	return schemaDir
}

func cleanupSchemaDir() {
	if schemaDir != "" {
		_ = os.RemoveAll(schemaDir)
	}
}

// contract validates client messages against the generated schema.
type contract struct {
	dir      string
	compiler *jsonschema.Compiler
	compiled map[string]*jsonschema.Schema
	// variants maps a method to its pointer inside ClientRequest.json, and a server request
	// method to the file of its response schema.
	clientRequests map[string]string
	serverReplies  map[string]string
}

func newContract(t *testing.T) *contract {
	t.Helper()
	dir := generatedSchema(t)
	c := &contract{dir: dir, compiler: jsonschema.NewCompiler(), compiled: map[string]*jsonschema.Schema{},
		clientRequests: map[string]string{}, serverReplies: map[string]string{}}
	type variant struct {
		Properties struct {
			Method struct {
				Enum []string `json:"enum"`
			} `json:"method"`
			Params struct {
				Ref string `json:"$ref"`
			} `json:"params"`
		} `json:"properties"`
	}
	read := func(name string) []variant {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		var doc struct{ OneOf []variant }
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatal(err)
		}
		return doc.OneOf
	}
	for i, v := range read("ClientRequest.json") {
		if len(v.Properties.Method.Enum) == 1 {
			c.clientRequests[v.Properties.Method.Enum[0]] = fmt.Sprintf("ClientRequest.json#/oneOf/%d", i)
		}
	}
	for _, v := range read("ServerRequest.json") {
		if len(v.Properties.Method.Enum) == 1 {
			params := strings.TrimPrefix(v.Properties.Params.Ref, "#/definitions/")
			c.serverReplies[v.Properties.Method.Enum[0]] = strings.TrimSuffix(params, "Params") + "Response.json"
		}
	}
	if len(c.clientRequests) < 100 || c.serverReplies["item/tool/call"] != "DynamicToolCallResponse.json" {
		t.Fatalf("unexpected schema layout: %d client requests, tool call reply %q", len(c.clientRequests), c.serverReplies["item/tool/call"])
	}
	return c
}

func (c *contract) schema(t *testing.T, loc string) *jsonschema.Schema {
	t.Helper()
	if s, ok := c.compiled[loc]; ok {
		return s
	}
	s, err := c.compiler.Compile("file://" + filepath.ToSlash(filepath.Join(c.dir, loc)))
	if err != nil {
		t.Fatalf("compile %s: %v", loc, err)
	}
	c.compiled[loc] = s
	return s
}

// checkTranscript validates every line the client wrote (inLog) against the schema; outLog
// (what the server wrote) tells which server request each response answers. It returns how
// many messages were checked, by kind.
func (c *contract) checkTranscript(t *testing.T, inLog, outLog string) map[string]int {
	t.Helper()
	serverMethods := map[string]string{}
	for _, line := range readLogLines(t, outLog) {
		var m struct {
			ID     json.RawMessage `json:"id"`
			Method string          `json:"method"`
		}
		if json.Unmarshal(line, &m) == nil && m.ID != nil && m.Method != "" {
			serverMethods[string(m.ID)] = m.Method
		}
	}
	counts := map[string]int{}
	for _, line := range readLogLines(t, inLog) {
		var m struct {
			ID     json.RawMessage `json:"id"`
			Method string          `json:"method"`
			Result json.RawMessage `json:"result"`
			Error  json.RawMessage `json:"error"`
		}
		if err := json.Unmarshal(line, &m); err != nil {
			t.Errorf("client wrote invalid JSON: %s", line)
			continue
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(line))
		if err != nil {
			t.Fatal(err)
		}
		var loc, label string
		switch {
		case m.Method != "" && m.ID != nil:
			loc, label = c.clientRequests[m.Method], "request "+m.Method
			if loc == "" {
				t.Errorf("client sent %s, which the schema does not define", m.Method)
				continue
			}
		case m.Method != "":
			loc, label = "ClientNotification.json", "notification "+m.Method
		case m.Error != nil:
			loc, label = "JSONRPCError.json", "error reply to "+serverMethods[string(m.ID)]
		default:
			method := serverMethods[string(m.ID)]
			loc, label = c.serverReplies[method], "reply to "+method
			if loc == "" {
				t.Errorf("client answered id %s, which is no known server request", m.ID)
				continue
			}
			if doc, err = jsonschema.UnmarshalJSON(bytes.NewReader(m.Result)); err != nil {
				t.Fatal(err)
			}
		}
		if err := c.schema(t, loc).Validate(doc); err != nil {
			t.Errorf("%s does not match the schema: %v\nmessage: %s", label, err, line)
		}
		counts[strings.Fields(label)[0]]++
	}
	return counts
}

func readLogLines(t *testing.T, path string) [][]byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out [][]byte
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		if len(bytes.TrimSpace(sc.Bytes())) > 0 {
			out = append(out, bytes.Clone(sc.Bytes()))
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestContractServerRequestAnswers checks every kind of answer the client gives to server
// requests, under both approval policies, against the schema of the installed codex.
func TestContractServerRequestAnswers(t *testing.T) {
	c := newContract(t)
	for _, auto := range []bool{false, true} {
		t.Run(fmt.Sprintf("auto_approve_all=%v", auto), func(t *testing.T) {
			rec := &recorder{}
			o := fakeOptions(t, codexfake.FakeServerRequests, rec)
			o.AutoApproveAll, o.Tools = auto, &echoTools{}
			o.ApprovalPolicy = map[string]any{"granular": map[string]any{"sandbox_approval": true, "rules": true, "mcp_elicitations": true}}
			inLog, outLog := filepath.Join(o.StateDir, "in.jsonl"), filepath.Join(o.StateDir, "out.jsonl")
			o.LaunchWrapper = teeWrapper(inLog, outLog)
			s := New(o)
			ctx := context.Background()
			if err := s.Start(ctx); err != nil {
				t.Fatal(err)
			}
			if _, err := s.RunTurn(ctx, "go"); err != nil {
				t.Fatal(err)
			}
			_ = s.Stop(ctx)
			counts := c.checkTranscript(t, inLog, outLog)
			if counts["reply"] != 7 || counts["error"] != 2 || counts["request"] != 4 || counts["notification"] != 1 {
				t.Fatalf("checked %v; want 4 requests, 1 notification, 7 replies, 2 error replies", counts)
			}
		})
	}
}
