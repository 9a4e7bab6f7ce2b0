// Package gate is the issue quality gate (SPEC §5.4.14): before an agent is dispatched, a
// small model scores how ready a candidate issue is, and the gate lets it through, asks its
// author for clarification, or skips it with a comment. Issue text reaches the model only
// inside untrusted boundary tags with secrets redacted, scores are cached per issue (in the
// store, so a restart does not re-score unchanged issues), and model calls per poll cycle are
// capped so a large backlog cannot turn into a burst of spend.
package gate
