// Package depaudit owns the dependency audit gate: before an agent's branch is pushed or turned
// into a pull request, it diffs the dependency manifests and lock files the change touches
// against the merge base and lists every dependency that arrives from a new source (a registry
// host, a git URL or a local path). A source outside the operator's allow-lists holds the push
// until an operator approves exactly that list with `symphony approve-deps`.
//
// The risk it closes is a supply-chain attack through the agent: an `npm install` of a
// typosquat hosted on a look-alike registry, a git dependency on a stranger's fork, a path
// dependency reaching outside the repository. The agent can write any file in its workspace,
// so every manifest is untrusted input: parsers read at most MaxFileBytes, never panic (each
// has a fuzz target) and a file that cannot be read holds the change instead of passing it.
//
// Registry configuration files (.npmrc, .yarnrc.yml, .yarnrc, .cargo/config.toml, pip.conf)
// are audited too: an .npmrc that points the default registry at another host changes where
// every package comes from while the manifests stay the same. Their registry settings are
// listed as dependencies named after the setting.
//
// What counts as new: a dependency is identified by its ecosystem, package name, source kind
// and source location; the version is not part of it. Bumping a dependency's version keeps
// its identity and is never listed; moving it to another registry, adding a package, or
// adding a git or path source is. A new package is listed even when its source was already
// used by other packages, so the report shows every name an operator should read.
//
// How sources are named and matched (Allow):
//   - registry: host plus, where the ecosystem has one, the registry's base path
//     ("registry.npmjs.org", "npm.pkg.github.com", "artifactory.example.com/api/npm/remote").
//     Entries of allow_registries are a host with an optional path prefix, matched on whole
//     path segments, host case-insensitively; a scheme ("https://") in an entry is ignored.
//     When a lock file names no registry, the ecosystem's standard one is assumed: npm
//     registry.npmjs.org (registry.yarnpkg.com is the same registry and is named so), PyPI
//     pypi.org (files.pythonhosted.org serves its files), crates.io, rubygems.org. Go modules
//     have no registry of their own (proxy.golang.org only mirrors what the module path
//     names), so a Go module's source is its module path and "github.com/acme" allows every
//     module under that prefix.
//   - git: the repository URL without scheme, user, ".git", revision or fragment
//     ("github.com/acme/tool"); allow_git_sources entries match the same way as registries.
//   - path: the path relative to the repository root ("libs/util", "../outside");
//     allow_path_sources entries are path prefixes matched on whole segments, and "." allows
//     every path that stays inside the repository.
package depaudit
