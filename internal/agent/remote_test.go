package agent

import (
	"context"
	"encoding/json"
	"testing"
)

type echoTools struct{ called []string }

func (e *echoTools) Specs() []ToolSpec {
	return []ToolSpec{{Name: "github_push_branch"}, {Name: "github_fetch_origin"}, {Name: "linear_get_issue"}}
}

func (e *echoTools) Call(_ context.Context, name string, _ json.RawMessage) ToolResult {
	e.called = append(e.called, name)
	return ToolResult{Success: true, Text: "ok " + name}
}

func TestRemoteToolsRefusePushAndFetchOnly(t *testing.T) {
	inner := &echoTools{}
	tools := RemoteTools(inner, "w1:2222")
	if len(tools.Specs()) != 3 {
		t.Fatalf("Specs = %v, want the same tools advertised", tools.Specs())
	}
	for _, name := range []string{"github_push_branch", "github.push_branch", "github_fetch_origin", "github.fetch_origin"} {
		res := tools.Call(context.Background(), name, nil)
		var env struct {
			Success bool
			Error   struct{ Code, Message string }
		}
		if err := json.Unmarshal([]byte(res.Text), &env); err != nil || res.Success || env.Success ||
			env.Error.Code != CodeUnsupportedForSSHWorker {
			t.Errorf("%s on a worker host = %+v (%v), want %s", name, res, err, CodeUnsupportedForSSHWorker)
		}
	}
	if res := tools.Call(context.Background(), "linear_get_issue", nil); !res.Success || res.Text != "ok linear_get_issue" {
		t.Fatalf("other tools = %+v, want them served", res)
	}
	if len(inner.called) != 1 {
		t.Fatalf("refused tools reached the registry: %v", inner.called)
	}
	if RemoteTools(nil, "w1") != nil {
		t.Fatal("RemoteTools(nil) is not nil")
	}
}
