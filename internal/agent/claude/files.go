package claude

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/symphony-go/symphony/internal/agent"
)

// privateDir is the session's own directory (0700): settings.json and mcp_config.json (0600,
// the latter holding the MCP session token) and each turn's prompt.
type privateDir struct {
	path string
}

func (d privateDir) settings() string  { return filepath.Join(d.path, "settings.json") }
func (d privateDir) mcpConfig() string { return filepath.Join(d.path, "mcp_config.json") }

// newPrivateDir creates the directory under root, refusing a root inside the workspace: the
// agent could read the token and prompts there.
func newPrivateDir(root, workspace string) (privateDir, error) {
	if root == "" {
		root = os.TempDir()
	}
	realRoot, err := filepath.EvalSymlinks(root)
	if err != nil {
		return privateDir{}, agent.Errorf(agent.CodeSettingsWrite, "temp root %q: %w", root, err)
	}
	if rel, err := filepath.Rel(workspace, realRoot); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return privateDir{}, agent.Errorf(agent.CodeSettingsWrite, "temp root %q is inside the workspace %q", root, workspace)
	}
	path, err := os.MkdirTemp(realRoot, "symphony-claude-")
	if err != nil {
		return privateDir{}, agent.Errorf(agent.CodeSettingsWrite, "create the session directory: %w", err)
	}
	return privateDir{path: path}, nil
}

// writeJSON writes v to a new 0600 file; an existing file is an error, never overwritten.
func writeJSON(path string, v any) error {
	data, err := encodeJSON(path, v)
	if err != nil {
		return err
	}
	if err := writeNew(path, data); err != nil {
		return agent.Errorf(agent.CodeSettingsWrite, "%w", err)
	}
	return nil
}

// encodeJSON is the content of the JSON file path.
func encodeJSON(path string, v any) ([]byte, error) {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return nil, agent.Errorf(agent.CodeSettingsWrite, "encode %s: %w", filepath.Base(path), err)
	}
	return data, nil
}

func writeNew(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		_ = f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Close()
}

// writePrompt writes a turn's prompt to a fresh 0700 directory inside the private directory
// as a 0600 file, and returns the file's path and the directory to remove after the turn.
func (d privateDir) writePrompt(prompt string) (file, dir string, err error) {
	dir, err = os.MkdirTemp(d.path, "prompt-")
	if err != nil {
		return "", "", agent.Errorf(agent.CodeSettingsWrite, "create the prompt directory: %w", err)
	}
	file = filepath.Join(dir, "prompt")
	if err := writeNew(file, []byte(prompt)); err != nil {
		_ = os.RemoveAll(dir)
		return "", "", agent.Errorf(agent.CodeSettingsWrite, "write the prompt: %w", err)
	}
	return file, dir, nil
}
