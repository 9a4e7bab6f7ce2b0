package sandbox

import (
	"slices"
	"strconv"
	"strings"
)

// CodexProvider is the model provider a Codex session is configured for, as far as the
// agent's environment and credentials are concerned.
type CodexProvider struct {
	// Name is the model_provider id; "openai" when none is configured.
	Name string
	// EnvKey names the variable Codex reads the provider's API key from; "" when it reads none.
	EnvKey string
	// UsesAuthFile is true when Codex authenticates with the auth.json `codex login` writes.
	UsesAuthFile bool
}

// openAIProvider is Codex's built-in default: auth.json from `codex login`, or OPENAI_API_KEY.
const openAIProvider = "openai"

// CodexProviderOf reads the provider from the session's config.toml text, its `--config
// key=value` overrides and those written into agent.command (overrides win, as they do in
// Codex): model_provider, and the env_key and requires_openai_auth of its
// [model_providers.<name>] table. The command is part of the signature because Codex honours
// its overrides too, and a caller that forgot them misjudged the provider.
func CodexProviderOf(configTOML string, overrides []string, command string) CodexProvider {
	values := tomlStringValues(configTOML)
	for _, ov := range append(slices.Clone(overrides), CommandConfigOverrides(command)...) {
		if k, v, ok := strings.Cut(ov, "="); ok {
			if key := tomlDottedKey(k); namesProvider(key) {
				setTOMLValue(values, key, v)
			}
		}
	}
	p := CodexProvider{Name: values["model_provider"]}
	if p.Name == "" || p.Name == openAIProvider {
		return CodexProvider{Name: openAIProvider, EnvKey: "OPENAI_API_KEY", UsesAuthFile: true}
	}
	table := "model_providers." + p.Name + "."
	p.EnvKey = values[table+"env_key"]
	p.UsesAuthFile = values[table+"requires_openai_auth"] == "true"
	return p
}

// namesProvider reports whether a value set under key can be one CodexProviderOf reads:
// model_provider, or a model_providers table or a key inside one. Every other value is left
// unparsed, such as the sandbox policy's own overrides, kilobytes of inline tables that never
// name a provider.
func namesProvider(key string) bool {
	return key == "model_provider" || key == "model_providers" || strings.HasPrefix(key, "model_providers.")
}

// tomlStringValues flattens the simple `key = value` lines of a TOML document into dotted
// keys under their [table] headers. It reads only what CodexProviderOf needs: string, bool
// and bare values on one line; arrays and inline tables are kept as written.
func tomlStringValues(doc string) map[string]string {
	values := map[string]string{}
	table := ""
	for _, line := range strings.Split(doc, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
			continue
		case strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]"):
			table = tomlDottedKey(strings.Trim(line, "[]")) + "."
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		setTOMLValue(values, table+tomlDottedKey(k), v)
	}
	return values
}

// setTOMLValue stores a value under key; an inline table {a = "x", b = true} is flattened
// into key.a and key.b, as Codex reads a provider given in one --config argument.
func setTOMLValue(values map[string]string, key, raw string) {
	raw = strings.TrimSpace(raw)
	if !strings.HasPrefix(raw, "{") || !strings.HasSuffix(raw, "}") {
		values[key] = unquoteTOML(raw)
		return
	}
	for _, member := range splitInlineTable(raw[1 : len(raw)-1]) {
		if k, v, ok := strings.Cut(member, "="); ok {
			setTOMLValue(values, key+"."+tomlDottedKey(k), v)
		}
	}
}

// splitInlineTable splits an inline table's body at the commas outside strings and nested
// braces or brackets.
func splitInlineTable(body string) []string {
	var parts []string
	depth, start := 0, 0
	var quote byte
	for i := 0; i < len(body); i++ {
		c := body[i]
		switch {
		case quote != 0:
			if c == '\\' && quote == '"' {
				i++
			} else if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '{' || c == '[':
			depth++
		case c == '}' || c == ']':
			depth--
		case c == ',' && depth == 0:
			parts = append(parts, body[start:i])
			start = i + 1
		}
	}
	return append(parts, body[start:])
}

// tomlDottedKey normalises a dotted key, dropping the quotes around its parts.
func tomlDottedKey(key string) string {
	parts := strings.Split(strings.TrimSpace(key), ".")
	for i, p := range parts {
		parts[i] = unquoteTOML(strings.TrimSpace(p))
	}
	return strings.Join(parts, ".")
}

// unquoteTOML returns a quoted TOML string's contents, or v unchanged when it is not quoted;
// a trailing comment after a quoted string is dropped.
func unquoteTOML(v string) string {
	if len(v) < 2 {
		return v
	}
	switch v[0] {
	case '"':
		if s, err := strconv.QuotedPrefix(v); err == nil {
			if u, err := strconv.Unquote(s); err == nil {
				return u
			}
		}
	case '\'':
		if end := strings.IndexByte(v[1:], '\''); end >= 0 {
			return v[1 : end+1]
		}
	}
	return v
}

// CommandConfigOverrides returns the `--config key=value` (or `-c key=value`) arguments
// written into agent.command, so that a provider selected there is seen too. The command is
// split as a shell splits words; a command that cannot be split has none.
func CommandConfigOverrides(command string) []string {
	words, err := ShellWords(command)
	if err != nil {
		return nil
	}
	var out []string
	for i := 0; i < len(words); i++ {
		w := words[i]
		switch {
		case (w == "--config" || w == "-c") && i+1 < len(words):
			i++
			out = append(out, words[i])
		case strings.HasPrefix(w, "--config="):
			out = append(out, strings.TrimPrefix(w, "--config="))
		}
	}
	return out
}
