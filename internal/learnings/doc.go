// Package learnings keeps what reviewers taught the agents (SPEC §5.4.15). When a pull request
// Symphony worked is merged, one reflection call through the issue gate's provider client
// turns the pull request's discussion into at most three repository rules, each with tags and
// a quote as evidence. A reply that does not validate is discarded whole, never half-used.
// Rules are stored per repository with a cap, and each merged pull request is reflected on
// exactly once, across restarts.
//
// Beyond the reference, which only displays them, a repository may opt in to have its rules
// rendered into the agent's prompt: as a bounded block of untrusted text, since the rules
// derive from pull request comments anyone with access could write.
package learnings
