package claude

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/symphony-go/symphony/internal/agent"
)

// Claude Code writes each session's transcript to <config dir>/projects/<project>/<session
// id>.jsonl, where the config dir is CLAUDE_CONFIG_DIR or ~/.claude: the user's, not the
// session's private directory, so it outlives the session and keeping a conversation needs no
// copy. A later session continues it with --resume as long as the transcript is there.

var _ agent.ThreadKeeper = (*Session)(nil)

// KeepThread names the Claude session of the last turn; the transcript stays where Claude
// wrote it, so dir is not used.
func (s *Session) KeepThread(string) (agent.KeptThread, error) {
	if s.lastSession == "" {
		return agent.KeptThread{}, errors.New("keep claude session: no turn reported a session id")
	}
	return agent.KeptThread{ThreadID: s.lastSession}, nil
}

// ResumeErr says why Start began a new conversation instead of continuing
// Options.ResumeSession.
func (s *Session) ResumeErr() error { return s.resumeErr }

// findTranscript checks that Claude still has the transcript of session id.
func findTranscript(env []string, id string) error {
	dir := envValue(env, "CLAUDE_CONFIG_DIR")
	if dir == "" {
		home := envValue(env, "HOME")
		if home == "" {
			return errors.New("neither CLAUDE_CONFIG_DIR nor HOME is set, so the transcript cannot be found")
		}
		dir = filepath.Join(home, ".claude")
	}
	if err := checkSessionID(id); err != nil {
		return err
	}
	found, err := filepath.Glob(filepath.Join(dir, "projects", "*", id+".jsonl"))
	if err != nil {
		return err
	}
	if len(found) == 0 {
		return fmt.Errorf("no transcript of claude session %s under %s", id, filepath.Join(dir, "projects"))
	}
	return nil
}

// checkSessionID refuses a session id that is not a plain name of letters, digits, '-' and
// '_' (Claude's are UUIDs): it becomes part of a path, here or on a worker host.
func checkSessionID(id string) error {
	if id == "" || strings.Trim(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") != "" {
		return fmt.Errorf("claude session id %q is not a plain name", id)
	}
	return nil
}
