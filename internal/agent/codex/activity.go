package codex

import (
	"bytes"
	"strconv"

	"github.com/symphony-go/symphony/internal/agent"
)

// Bounds of what a completed item keeps for its activity: the start of a command item
// (command, cwd and the start of the output) and the end of params (the exit code and timings
// Codex writes after the output).
const (
	activityHeadBytes = 1024 + agent.OutputJSONBytes
	activityTailBytes = 512
	fileChangeBytes   = 64 << 10
)

// keepItem copies what an activity keeps of a completed item out of the read buffer, which
// is reused. item runs from the item's start to the end of params; head is its start and tail
// its end, where the exit code sits. An item that is not much longer than both is kept whole
// in one copy. The copies are made by append, which unlike make does not zero the memory
// before it is written.
func keepItem(item []byte) (head, tail []byte) {
	if len(item) <= activityHeadBytes+activityTailBytes {
		kept := bytes.Clone(item)
		return kept, kept[max(0, len(kept)-activityTailBytes):]
	}
	kept := append(item[:activityHeadBytes:activityHeadBytes], item[len(item)-activityTailBytes:]...)
	return kept[:activityHeadBytes:activityHeadBytes], kept[activityHeadBytes:]
}

// itemActivity keeps what a completed commandExecution or fileChange item needs for its
// activity record: bounded copies, decoded later by Describe on the consumer's goroutine.
// item runs from the item's start to the end of params; command output, which can be
// megabytes, is never scanned here.
func itemActivity(typ, status string, item []byte) agent.Activity {
	switch typ {
	case "commandExecution":
		head, tail := keepItem(item)
		return &commandActivity{status: status, head: head, tail: tail}
	case "fileChange":
		return &fileChangeActivity{status: status, item: bytes.Clone(item[:min(len(item), fileChangeBytes)])}
	}
	return nil
}

// commandActivity is a completed command item: head is the item's start (command, cwd, the
// start of the output) and tail the end of params, where the exit code sits.
type commandActivity struct {
	status     string
	head, tail []byte
}

func (*commandActivity) ActivityKind() agent.ActivityKind { return agent.ActivityCommand }

func (a *commandActivity) Describe() agent.ActivityDetails {
	m := members(a.head, "command", "cwd")
	return agent.ActivityDetails{Command: stringValue(m[0]), Cwd: stringValue(m[1]), Status: a.status,
		Output: agent.OutputPreview(valueTail(a.head, "aggregatedOutput")), ExitCode: tailExitCode(a.tail)}
}

// fileChangeActivity is a completed fileChange item, as much of it as fileChangeBytes holds.
type fileChangeActivity struct {
	status string
	item   []byte
}

func (*fileChangeActivity) ActivityKind() agent.ActivityKind { return agent.ActivityFileChange }

func (a *fileChangeActivity) Describe() agent.ActivityDetails {
	return agent.ActivityDetails{Status: a.status, Paths: changedPaths(a.item)}
}

// tailExitCode finds exitCode among the scalar members that end the item inside tail, walking
// backwards over params' own trailing scalars first; nil when absent, null, or out of reach.
func tailExitCode(tail []byte) *int {
	end := lastNonSpace(tail, len(tail)-1)
	itemEnd, ok := backScalars(tail, -1, end, maxTrailingMembers, func([]byte, []byte) bool { return true })
	if !ok {
		return nil
	}
	var raw []byte
	backScalars(tail, -1, itemEnd, 8, func(key, val []byte) bool {
		if string(key) == "exitCode" {
			raw = val
			return false
		}
		return true
	})
	code, err := strconv.Atoi(string(raw))
	if err != nil {
		return nil
	}
	return &code
}

// changedPaths lists the paths of a fileChange item's changes, as many as the kept bytes hold.
func changedPaths(item []byte) []string {
	changes := members(item, "changes")[0]
	var paths []string
	if len(changes) == 0 {
		changes = valueTail(item, "changes")
	}
	for i := 1; i < len(changes); {
		end, err := skipValue(changes, skipSpace(changes, i))
		if err != nil {
			break
		}
		if p := stringValue(members(changes[skipSpace(changes, i):end], "path")[0]); p != "" {
			paths = append(paths, p)
		}
		i = skipSpace(changes, end)
		if i >= len(changes) || changes[i] != ',' {
			break
		}
		i++
	}
	return paths
}
