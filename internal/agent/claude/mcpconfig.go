package claude

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"

	"github.com/symphony-go/symphony/internal/config"
)

// symphonyMCPName is the name Claude knows Symphony's own server by; its tools reach the model
// as mcp__symphony__<tool>.
const symphonyMCPName = "symphony"

// ownServer is how Claude reaches Symphony's MCP server for one session: the shim command
// with the session token in its env. The token lands only in mcp_config.json (0600 in the
// private directory, which the sandbox denies to agent commands).
type ownServer struct {
	executable string
	args       []string
	token      string
	tokenEnv   string
}

// mcpServers renders the mcpServers map of the session's mcp_config.json: the operator's
// servers agent.mcp.inherit (allowlist) carries over from ~/.claude.json, the servers
// declared for the claude runtime (a declared server replaces an inherited one), and
// Symphony's own server, which nothing replaces.
func mcpServers(own *ownServer, m config.MCP, home string) (map[string]any, error) {
	servers := map[string]any{}
	if m.Inherit == "allowlist" {
		inherited, err := inheritedServers(m.AllowedServers, filepath.Join(home, ".claude.json"))
		if err != nil {
			return nil, err
		}
		maps.Copy(servers, inherited)
	}
	for _, name := range slices.Sorted(maps.Keys(m.Servers)) {
		s := m.Servers[name]
		if !slices.Contains(s.Runtimes, RuntimeName) || name == symphonyMCPName {
			continue
		}
		entry := map[string]any{}
		if s.Transport == "http" || s.Transport == "sse" {
			entry["type"], entry["url"] = s.Transport, s.URL
			if len(s.Headers) > 0 {
				entry["headers"] = s.Headers
			}
		} else {
			entry["command"] = s.Command
			if len(s.Args) > 0 {
				entry["args"] = s.Args
			}
			if len(s.Env) > 0 {
				entry["env"] = s.Env
			}
		}
		servers[name] = entry
	}
	if own != nil {
		servers[symphonyMCPName] = map[string]any{
			"command": own.executable, "args": own.args, "env": map[string]string{own.tokenEnv: own.token},
		}
	}
	return servers, nil
}

// inheritedServers reads the top-level mcpServers of the operator's ~/.claude.json and keeps
// the allowed ones, each of which must exist there.
func inheritedServers(allowed []string, file string) (map[string]any, error) {
	data, err := os.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		data = []byte("{}")
	} else if err != nil {
		return nil, fmt.Errorf("agent.mcp.inherit: read %s: %w", file, err)
	}
	var doc struct {
		MCPServers map[string]any `json:"mcpServers"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("agent.mcp.inherit: %s: %w", file, err)
	}
	out := map[string]any{}
	var missing []string
	for _, name := range allowed {
		s, ok := doc.MCPServers[name]
		if !ok || name == symphonyMCPName {
			missing = append(missing, name)
			continue
		}
		out[name] = s
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("agent.mcp.allowed_servers: %q not found among the mcpServers of %s", missing, file)
	}
	return out, nil
}
