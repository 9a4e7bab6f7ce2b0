package doctor

import (
	"errors"
	"strings"
)

// shellWords splits a command line the way a POSIX shell splits plain words: blanks separate
// words, single quotes keep everything literally, double quotes keep all but \" \\ \$ \`, and
// a backslash outside quotes escapes the next character. Expansions and operators are left
// as text; the checks need only the executable and the --config arguments.
func shellWords(s string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		case c == '\'':
			end := strings.IndexByte(s[i+1:], '\'')
			if end < 0 {
				return nil, errors.New("unterminated single quote")
			}
			cur.WriteString(s[i+1 : i+1+end])
			i += end + 1
			inWord = true
		case c == '"':
			i++
			for ; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' && i+1 < len(s) && strings.IndexByte("\"\\$`", s[i+1]) >= 0 {
					i++
				}
				cur.WriteByte(s[i])
			}
			if i >= len(s) {
				return nil, errors.New("unterminated double quote")
			}
			inWord = true
		case c == '\\' && i+1 < len(s):
			i++
			cur.WriteByte(s[i])
			inWord = true
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}

// configOverrides returns the values of Codex's `-c KEY=VALUE` / `--config KEY=VALUE`
// arguments in words, in order.
func configOverrides(words []string) []string {
	var out []string
	for i := 0; i < len(words); i++ {
		switch w := words[i]; {
		case (w == "-c" || w == "--config") && i+1 < len(words):
			out = append(out, words[i+1])
			i++
		case strings.HasPrefix(w, "--config="):
			out = append(out, strings.TrimPrefix(w, "--config="))
		}
	}
	return out
}

// modelProvider reads which model provider agent.command selects and the environment
// variable that provider takes its key from, as far as the command's --config overrides say.
// Both are empty for Codex's built-in default provider.
func modelProvider(words []string) (provider, envKey string) {
	envKeys := map[string]string{}
	for _, ov := range configOverrides(words) {
		key, value, found := strings.Cut(ov, "=")
		if !found {
			continue
		}
		key, value = strings.TrimSpace(key), strings.TrimSpace(value)
		switch {
		case key == "model_provider":
			provider = tomlString(value)
		case strings.HasPrefix(key, "model_providers."):
			name := strings.TrimPrefix(key, "model_providers.")
			if p, ok := strings.CutSuffix(name, ".env_key"); ok {
				envKeys[p] = tomlString(value)
			} else if v := inlineTableString(value, "env_key"); v != "" {
				envKeys[name] = v
			}
		}
	}
	return provider, envKeys[provider]
}

// tomlString unquotes a TOML basic or literal string; a bare value is returned as is (Codex
// reads an unparsable override value as a plain string).
func tomlString(v string) string {
	if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
		return v[1 : len(v)-1]
	}
	return v
}

// inlineTableString finds `key = "value"` in a TOML inline table such as
// {name="Mock",env_key="MOCK_API_KEY"}.
func inlineTableString(table, key string) string {
	body, ok := strings.CutPrefix(table, "{")
	if !ok {
		return ""
	}
	body = strings.TrimSuffix(body, "}")
	for _, field := range strings.Split(body, ",") {
		k, v, found := strings.Cut(field, "=")
		if found && strings.TrimSpace(k) == key {
			return tomlString(strings.TrimSpace(v))
		}
	}
	return ""
}
