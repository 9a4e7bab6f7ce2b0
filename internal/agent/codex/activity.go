package codex

import (
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

// captureSlabBytes is the size of the slabs activity bytes are copied into. A busy turn
// completes thousands of commands; copying each into its own allocation made the allocator
// and the collector a large share of ingest. A slab stays alive while any activity copied
// into it does, so a consumer holding one activity holds at most this much.
const captureSlabBytes = 32 << 10

// captureArena copies the bytes activities keep out of the read buffers they arrive in, so
// that an activity waiting to be recorded does not keep a whole read buffer alive. Only the
// protocol goroutine uses it.
type captureArena struct{ slab []byte }

// copy returns one new slice holding a followed by b.
func (a *captureArena) copy(p, q []byte) []byte {
	n := len(p) + len(q)
	if n > captureSlabBytes/4 {
		return append(append(make([]byte, 0, n), p...), q...)
	}
	if cap(a.slab)-len(a.slab) < n {
		a.slab = make([]byte, 0, captureSlabBytes)
	}
	start := len(a.slab)
	a.slab = append(append(a.slab, p...), q...)
	return a.slab[start:len(a.slab):len(a.slab)]
}

// itemActivity keeps what a completed commandExecution or fileChange item needs for its
// activity record: bounded copies, decoded later by Describe on the consumer's goroutine.
// item runs from the item's start to the end of params; command output, which can be
// megabytes, is never scanned here.
func (s *Session) itemActivity(typ, status string, params, item []byte) *agent.Activity {
	switch typ {
	case "commandExecution":
		h := item[:min(len(item), activityHeadBytes)]
		t := params[max(len(params)-len(item), len(params)-activityTailBytes):]
		kept := s.captures.copy(h, t)
		head, tail := kept[:len(h):len(h)], kept[len(h):]
		return &agent.Activity{Kind: agent.ActivityCommand, Describe: func() agent.ActivityDetails {
			return commandDetails(status, head, tail)
		}}
	case "fileChange":
		kept := s.captures.copy(item[:min(len(item), fileChangeBytes)], nil)
		return &agent.Activity{Kind: agent.ActivityFileChange, Describe: func() agent.ActivityDetails {
			return agent.ActivityDetails{Status: status, Paths: changedPaths(kept)}
		}}
	}
	return nil
}

// commandDetails reads a command item from the bytes kept for it. head runs from the item's
// start; tail is the end of params, where the item's trailing scalars sit before the scalars
// of params itself.
func commandDetails(status string, head, tail []byte) agent.ActivityDetails {
	m := members(head, "command", "cwd")
	return agent.ActivityDetails{Command: stringValue(m[0]), Cwd: stringValue(m[1]), Status: status,
		Output: agent.OutputPreview(valueTail(head, "aggregatedOutput")), ExitCode: tailExitCode(tail)}
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
