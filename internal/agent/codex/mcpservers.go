package codex

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"

	"github.com/BurntSushi/toml"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/config"
	"github.com/symphony-go/symphony/internal/tools/mcpserver"
)

// sessionMCPServers starts Symphony's MCP server for the session's tools (when withOwn: the
// session has tools and runs outside srt) and renders the session's [mcp_servers.*] tables
// with it and the servers agent.mcp adds.
//
// Under srt the own server stays off: on Linux srt's seccomp filter refuses every Unix
// socket the shim would open (allowUnixSockets is honoured on macOS only) and srt refuses
// loopback TCP to the host, so the only way in would be allowAllUnixSockets, which opens
// every socket on the host (docker.sock, ssh-agent, D-Bus) to agent commands. Measured with
// srt 0.0.78 on Linux: socket() fails with EPERM despite allowUnixSockets naming the socket's
// directory, connect to a host 127.0.0.1 listener is refused even with 127.0.0.1 allowed,
// and with allowAllUnixSockets a socket in an unrelated directory answers. The same tools
// reach the agent as Codex dynamic tools.
func sessionMCPServers(cfg *config.Config, tools agent.ToolRegistry, withOwn bool, shim agent.MCPShim, home string, logger *slog.Logger) (string, *mcpserver.Server, error) {
	operatorFile := operatorCodexConfig(home)
	operator := map[string]any{}
	if cfg.Agent.MCP.Inherit != "none" {
		var err error
		if operator, err = readOperatorMCPServers(operatorFile); err != nil {
			return "", nil, err
		}
	}
	var srv *mcpserver.Server
	var own *ownMCPServer
	if withOwn {
		if shim.Err != nil {
			return "", nil, fmt.Errorf("agent session: locate the symphony binary for mcp-shim: %w", shim.Err)
		}
		var err error
		if srv, err = mcpserver.Start(tools, mcpserver.Options{Version: shim.Version, Logger: logger}); err != nil {
			return "", nil, fmt.Errorf("agent session: %w", err)
		}
		own = ownServerOf(srv, shim.Executable)
	}
	tables, err := codexMCPServersTOML(own, cfg.Agent.MCP, operator, operatorFile)
	if err != nil {
		if srv != nil {
			srv.Close()
		}
		return "", nil, err
	}
	return tables, srv, nil
}

// symphonyMCPName is the name Codex knows Symphony's own server by; its tools appear to the
// model in the mcp__symphony namespace. config check reserves the name.
const symphonyMCPName = "symphony"

// symphonyMCPStartupSec bounds how long Codex waits for the shim to answer initialize; the
// shim only dials a local socket, so this is generous.
const symphonyMCPStartupSec = 20

// ownMCPServer is how Codex reaches Symphony's server for one session: through
// `<executable> mcp-shim ...`, with the session token in the server's env table. The token
// lands in the session's config.toml, which is 0600 inside the 0700 private CODEX_HOME and
// denied to agent commands by the sandbox policy.
type ownMCPServer struct {
	executable string
	args       []string
	token      string
}

func ownServerOf(srv *mcpserver.Server, executable string) *ownMCPServer {
	return &ownMCPServer{executable: executable, args: srv.ShimArgs(), token: srv.Token()}
}

// codexMCPServersTOML renders the [mcp_servers.*] tables of a session's private Codex config:
// Symphony's own server (nil leaves it out), the operator's servers that agent.mcp.inherit
// carries over from their own Codex config (operator, its mcp_servers table, read from
// operatorFile), and the servers declared for the codex runtime under agent.mcp.servers. A
// declared server replaces an inherited one of the same name; none can replace Symphony's.
func codexMCPServersTOML(own *ownMCPServer, m config.MCP, operator map[string]any, operatorFile string) (string, error) {
	servers, err := inheritedMCPServers(m, operator, operatorFile)
	if err != nil {
		return "", err
	}
	for _, name := range slices.Sorted(maps.Keys(m.Servers)) {
		s := m.Servers[name]
		if !slices.Contains(s.Runtimes, "codex") || name == symphonyMCPName {
			continue
		}
		entry := map[string]any{"command": s.Command}
		if len(s.Args) > 0 {
			entry["args"] = s.Args
		}
		if len(s.Env) > 0 {
			entry["env"] = s.Env
		}
		servers[name] = entry
	}
	if own != nil {
		servers[symphonyMCPName] = map[string]any{
			"command":                     own.executable,
			"args":                        own.args,
			"env":                         map[string]string{mcpserver.TokenEnv: own.token},
			"startup_timeout_sec":         symphonyMCPStartupSec,
			"default_tools_approval_mode": "approve",
		}
	}
	if len(servers) == 0 {
		return "", nil
	}
	var buf bytes.Buffer
	if err := toml.NewEncoder(&buf).Encode(map[string]any{"mcp_servers": servers}); err != nil {
		return "", fmt.Errorf("render the session's MCP servers: %w", err)
	}
	return buf.String(), nil
}

// inheritedMCPServers picks the operator's own Codex MCP servers agent.mcp.inherit asks for:
// none, every one but a server named symphony (all), or those named in allowed_servers
// (allowlist), each of which must exist in the operator's config.
func inheritedMCPServers(m config.MCP, operator map[string]any, operatorFile string) (map[string]any, error) {
	out := map[string]any{}
	switch m.Inherit {
	case "all":
		for name, s := range operator {
			if name != symphonyMCPName {
				out[name] = s
			}
		}
	case "allowlist":
		var missing []string
		for _, name := range m.AllowedServers {
			s, ok := operator[name]
			if !ok {
				missing = append(missing, name)
				continue
			}
			out[name] = s
		}
		if len(missing) > 0 {
			return nil, fmt.Errorf("agent.mcp.allowed_servers: %q not found among the mcp_servers of %s", missing, operatorFile)
		}
	}
	return out, nil
}

// operatorCodexConfig is the operator's own Codex config file: $CODEX_HOME/config.toml, else
// ~/.codex/config.toml.
func operatorCodexConfig(home string) string {
	if h := os.Getenv("CODEX_HOME"); h != "" {
		return filepath.Join(h, "config.toml")
	}
	return filepath.Join(home, ".codex", "config.toml")
}

// readOperatorMCPServers reads the mcp_servers table of the operator's Codex config; a
// missing file has none.
func readOperatorMCPServers(file string) (map[string]any, error) {
	data, err := os.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]any{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("agent.mcp.inherit: read %s: %w", file, err)
	}
	var doc struct {
		MCPServers map[string]any `toml:"mcp_servers"`
	}
	if _, err := toml.Decode(string(data), &doc); err != nil {
		return nil, fmt.Errorf("agent.mcp.inherit: %s: %w", file, err)
	}
	if doc.MCPServers == nil {
		return map[string]any{}, nil
	}
	return doc.MCPServers, nil
}
