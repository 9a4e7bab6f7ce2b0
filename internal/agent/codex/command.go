package codex

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/sandbox"
)

// A login shell is not used by default: Debian's /etc/profile resets PATH for login shells,
// which hides node_modules/.bin/codex and every user-local install the operator's PATH found.
// The command's program is resolved on the PATH Symphony was started with instead, and run
// by absolute path; a shell (non-login) is kept only when the command needs parsing.

// launchCommand is agent.command made ready to run: its program resolved, the --config
// overrides appended. argv is set when the command is plain words that need no shell; shell
// is the same command as one shell-quoted line, for a shell or a launch wrapper.
type launchCommand struct {
	argv  []string
	shell string
}

func (s *Session) launchCommand() (launchCommand, error) {
	command := strings.TrimSpace(s.opts.Command)
	program, rest := command, ""
	if i := strings.IndexAny(command, " \t\n"); i >= 0 {
		program, rest = command[:i], strings.TrimSpace(command[i+1:])
	}
	// A program written with quotes or expansions is left to the shell as written.
	shellProgram := program
	if s.opts.Remote == nil && !s.opts.LoginShell && isPlainWord(program) && !strings.ContainsAny(program, "/=") && !shellWords[program] {
		path := envValue(s.opts.Env, "PATH")
		resolved, ok := findProgram(program, path)
		if !ok {
			return launchCommand{}, agent.Errorf(agent.CodeCodexNotFound,
				"agent.command %q: program %q was not found on PATH %q", command, program, path)
		}
		program, shellProgram = resolved, shellQuote(resolved)
	}
	overrides := append([]string{toolOutputTokenLimitFlag, sandbox.CodexShellEnvExclude()}, s.opts.ConfigOverrides...)
	// The overrides carry kilobytes of sandbox tables: the line is written in one buffer.
	size := len(shellProgram) + 1 + len(rest)
	for _, ov := range overrides {
		size += len(" --config ''") + len(ov)
	}
	var shell strings.Builder
	shell.Grow(size)
	shell.WriteString(shellProgram)
	if rest != "" {
		shell.WriteString(" ")
		shell.WriteString(rest)
	}
	for _, ov := range overrides {
		shell.WriteString(" --config ")
		writeShellQuoted(&shell, ov)
	}
	lc := launchCommand{shell: shell.String()}
	words := strings.Fields(rest)
	if !s.opts.LoginShell && isPlainWord(program) && !strings.Contains(program, "=") && !shellWords[program] && allPlainWords(words) {
		lc.argv = append([]string{program}, words...)
		for _, ov := range overrides {
			lc.argv = append(lc.argv, "--config", ov)
		}
	}
	return lc, nil
}

// argv is what is executed: the launch wrapper's argv around the shell command, the plain
// argv, or the command under `bash -c` (`bash -lc` when agent.login_shell asks for it).
func (s *Session) argv() ([]string, error) {
	lc, err := s.launchCommand()
	if err != nil {
		return nil, err
	}
	switch {
	case s.opts.LaunchWrapper != nil:
		argv, err := s.opts.LaunchWrapper(lc.shell)
		if err != nil {
			return nil, &agent.Error{Code: agent.CodeInvalidOptions, Message: "launch wrapper", Err: err}
		}
		if len(argv) == 0 {
			return nil, agent.Errorf(agent.CodeInvalidOptions, "launch wrapper returned an empty command")
		}
		return argv, nil
	case lc.argv != nil:
		return lc.argv, nil
	}
	return []string{"bash", s.shellFlag(), lc.shell}, nil
}

// shellFlag is how bash is asked to run the command.
func (s *Session) shellFlag() string {
	if s.opts.LoginShell {
		return "-lc"
	}
	return "-c"
}

// findProgram looks name up on path the way exec.LookPath does on Symphony's own PATH, so
// the agent's PATH (copied from Symphony's) decides. Relative PATH entries are skipped: they
// would resolve against the workspace, which the agent controls.
func findProgram(name, path string) (string, bool) {
	for _, dir := range filepath.SplitList(path) {
		if !filepath.IsAbs(dir) {
			continue
		}
		candidate := filepath.Join(dir, name)
		if fi, err := os.Stat(candidate); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
			return candidate, true
		}
	}
	return "", false
}

func envValue(env []string, name string) string {
	for i := len(env) - 1; i >= 0; i-- {
		if v, ok := strings.CutPrefix(env[i], name+"="); ok {
			return v
		}
	}
	return ""
}

func allPlainWords(words []string) bool {
	for _, w := range words {
		if !isPlainWord(w) {
			return false
		}
	}
	return true
}

// isPlainWord reports whether a shell would pass w through unchanged: no quotes, expansions,
// globs, redirections or separators.
func isPlainWord(w string) bool {
	if w == "" {
		return false
	}
	for _, r := range w {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		case strings.ContainsRune("-_./+,:@%=", r):
		default:
			return false
		}
	}
	return true
}

func shellQuote(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	writeShellQuoted(&b, s)
	return b.String()
}

// writeShellQuoted writes shellQuote(s) to b.
func writeShellQuoted(b *strings.Builder, s string) {
	b.WriteByte('\'')
	for {
		i := strings.IndexByte(s, '\'')
		if i < 0 {
			break
		}
		b.WriteString(s[:i])
		b.WriteString(`'\''`)
		s = s[i+1:]
	}
	b.WriteString(s)
	b.WriteByte('\'')
}

// shellWords are bash builtins and keywords a command can start with; such a command is run
// by bash as written, and the programs it names are found on the PATH bash inherits.
var shellWords = func() map[string]bool {
	words := map[string]bool{}
	for _, w := range strings.Fields(`! { } [[ ]] . : alias bg bind break builtin caller case cd command
		compgen complete continue coproc declare dirs disown do done echo elif else enable esac eval
		exec exit export false fc fg fi for function getopts hash help history if in jobs kill let
		local logout mapfile popd printf pushd pwd read readarray readonly return select set shift
		shopt source suspend test then time times trap true type typeset ulimit umask unalias unset
		until wait while`) {
		words[w] = true
	}
	return words
}()
