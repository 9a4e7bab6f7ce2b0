package codex

import (
	"strconv"

	"github.com/symphony-go/symphony/internal/agent/jsonl"
)

// item/completed is a quarter of the notifications of a busy turn and most of its bytes
// (command output), so its params decode without the JSON engine's reflection when they have
// the shape Codex writes. Anything else (tool arguments, file changes, escaped or repeated
// member names, values of an unexpected type) is left to the engine, which decodes exactly
// as encoding/json does; FuzzItemCompletedDecodesAsEncodingJSON holds the two to the same
// result.

// DecodePlain implements jsonl.PlainDecoder.
func (p *itemCompletedParams) DecodePlain(params []byte) bool {
	var out itemCompletedParams
	var seenTurn, seenItem bool
	ok := jsonl.PlainMembers(params, func(name, value []byte) bool {
		switch {
		case jsonl.NameIs(name, "turnId"):
			if seenTurn {
				return false
			}
			seenTurn = true
			return plainStringField(value, &out.TurnID)
		case jsonl.NameIs(name, "item"):
			if seenItem {
				return false
			}
			seenItem = true
			return string(value) == "null" || out.Item.decodePlain(value)
		}
		return true
	})
	if ok {
		*p = out
	}
	return ok
}

// decodePlain decodes the members of a completed item the adapter reads.
func (it *completedItem) decodePlain(obj []byte) bool {
	var seen uint16
	once := func(bit uint16) bool {
		if seen&bit != 0 {
			return false
		}
		seen |= bit
		return true
	}
	return jsonl.PlainMembers(obj, func(name, value []byte) bool {
		var field *string
		var bit uint16
		switch {
		case jsonl.NameIs(name, "type"):
			field, bit = &it.Type, 1
		case jsonl.NameIs(name, "status"):
			field, bit = &it.Status, 2
		case jsonl.NameIs(name, "text"):
			field, bit = &it.Text, 4
		case jsonl.NameIs(name, "command"):
			field, bit = &it.Command, 8
		case jsonl.NameIs(name, "cwd"):
			field, bit = &it.Cwd, 16
		case jsonl.NameIs(name, "aggregatedOutput"):
			field, bit = &it.AggregatedOutput, 32
		case jsonl.NameIs(name, "tool"):
			field, bit = &it.Tool, 64
		case jsonl.NameIs(name, "exitCode"):
			return once(128) && plainIntPointer(value, &it.ExitCode)
		case jsonl.NameIs(name, "success"):
			return once(256) && plainBoolPointer(value, &it.Success)
		case jsonl.NameIs(name, "arguments"), jsonl.NameIs(name, "changes"):
			return false
		default:
			return true
		}
		return once(bit) && plainStringField(value, field)
	})
}

// plainStringField sets *field from a string value; null leaves it as it is, as encoding/json
// does.
func plainStringField(value []byte, field *string) bool {
	if string(value) == "null" {
		return true
	}
	s, ok := jsonl.PlainString(value)
	if ok {
		*field = s
	}
	return ok
}

// plainIntPointer sets *field from an integer literal, or to nil from null.
func plainIntPointer(value []byte, field **int) bool {
	if string(value) == "null" {
		*field = nil
		return true
	}
	n, err := strconv.ParseInt(string(value), 10, strconv.IntSize)
	if err != nil {
		return false
	}
	v := int(n)
	*field = &v
	return true
}

// plainBoolPointer sets *field from true or false, or to nil from null.
func plainBoolPointer(value []byte, field **bool) bool {
	var v bool
	switch string(value) {
	case "null":
		*field = nil
		return true
	case "true":
		v = true
	case "false":
	default:
		return false
	}
	*field = &v
	return true
}
