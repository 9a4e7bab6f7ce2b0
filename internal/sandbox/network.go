package sandbox

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// builtinDomains are the package registries and code hosts a developer agent routinely needs.
// api.github.com and api.linear.app are deliberately absent: agents reach those only through
// Symphony's scoped tools, which hold the tokens.
var builtinDomains = []string{
	"bitbucket.org",
	"codeload.github.com",
	"crates.io",
	"files.pythonhosted.org",
	"github.com",
	"gist.githubusercontent.com",
	"gitlab.com",
	"hex.pm",
	"index.crates.io",
	"index.rubygems.org",
	"npm.pkg.github.com",
	"objects.githubusercontent.com",
	"packagist.org",
	"plugins.gradle.org",
	"proxy.golang.org",
	"pypi.org",
	"raw.githubusercontent.com",
	"registry.npmjs.org",
	"registry.yarnpkg.com",
	"repo.hex.pm",
	"repo.maven.apache.org",
	"repo.packagist.org",
	"rubygems.org",
	"services.gradle.org",
	"static.crates.io",
	"sum.golang.org",
}

// runtimeDomains are the model endpoints each runtime must reach when its whole process runs
// inside an outer sandbox.
var runtimeDomains = map[string][]string{
	RuntimeCodex:  {"api.openai.com", "auth.openai.com", "chatgpt.com"},
	RuntimeClaude: {"api.anthropic.com"},
}

// BuiltinDomains returns a copy of the built-in developer allowlist.
func BuiltinDomains() []string { return slices.Clone(builtinDomains) }

var domainPattern = regexp.MustCompile(`^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:[0-9]{1,5})?$`)

// normalizeDomains lowercases, trims and de-duplicates entries; anything that is not a host
// name, optional "*." wildcard and optional ":port" is rejected rather than passed to a
// sandbox that might read it differently.
func normalizeDomains(field string, domains []string) ([]string, error) {
	out := make([]string, 0, len(domains))
	for i, raw := range domains {
		d := strings.ToLower(strings.TrimSpace(raw))
		if d == "" {
			continue
		}
		if !domainPattern.MatchString(d) {
			return nil, errf(CodeInvalidDomain, field, "entry %d %q is not a domain name (optionally *.-prefixed, optionally :port)", i, raw)
		}
		if _, port, ok := strings.Cut(d, ":"); ok {
			if n, _ := strconv.Atoi(port); n < 1 || n > 65535 {
				return nil, errf(CodeInvalidDomain, field, "entry %d %q has port %s; ports run from 1 to 65535", i, raw, port)
			}
		}
		out = append(out, d)
	}
	return dedupe(out), nil
}

// effectiveDomains is builtin + allowed - denied; a denied entry always wins.
func effectiveDomains(mode string, allowed, denied []string) []string {
	if mode != NetworkAllowlist {
		return nil
	}
	all := dedupe(append(BuiltinDomains(), allowed...))
	return slices.DeleteFunc(all, func(d string) bool { return slices.Contains(denied, d) })
}

// checkDomainPorts refuses a "host:port" allowed or denied entry where the enforcing layer
// cannot honour the port. srt matches host and port; Codex's managed profile matches host
// names only (TestSecurityMatrix measures it), so "host:443" there would silently open every
// port of host, or deny none.
func (p *Policy) checkDomainPorts(n Network) error {
	if p.Outer == OuterSRT || p.NetworkMode != NetworkAllowlist {
		return nil
	}
	layer := "Codex's managed permission profile matches host names only"
	if p.Runtime != RuntimeCodex {
		layer = "the " + p.Runtime + " settings Symphony renders carry no port-aware network rules"
	}
	for _, list := range []struct {
		key     string
		entries []string
	}{{"allowed_domains", n.AllowedDomains}, {"denied_domains", n.DeniedDomains}} {
		for i, raw := range list.entries {
			host, port, ok := strings.Cut(strings.TrimSpace(raw), ":")
			if !ok {
				continue
			}
			return errf(CodePortNotEnforced, fmt.Sprintf("agent.permissions.network.%s[%d]", list.key, i),
				"%q names port %s, but %s: it would apply to every port of %s. List the bare host, or set agent.permissions.outer_sandbox.runtime: srt, which enforces ports", raw, port, layer, host)
		}
	}
	return nil
}
