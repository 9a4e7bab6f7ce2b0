// Package prwatch owns a pull request after its agent opened it: the review poller sends the
// issue back for rework when reviewers ask for changes or comment, for a conflict run when
// the branch no longer merges, and on to the merge state once approved; the CI poller reruns
// failed jobs once per head commit, then sends the issue back with the failure, and
// escalates after too many fixes. Each poller is a goroutine driven by the orchestrator's
// Clock; every transition is written to the store as pending before the tracker call and as
// done after it, so a restart finishes it exactly once. The orchestrator dispatches the
// re-activated issue like any other and asks RunContext what to put in its prompt.
package prwatch
