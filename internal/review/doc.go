// Package review is the pre-push reviewer (SPEC §5.4.16): after the executor agent commits, a
// second agent session reads the committed diff and answers approve, request_changes or block
// with findings that must quote the code they are about. A self-check turn makes the reviewer
// quote or retract each finding, findings whose quote is not at the file and lines given are
// dropped, and a small phase machine turns the outcome into what the executor is told next.
package review
