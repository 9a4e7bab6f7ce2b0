package audit

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"
)

// SchemaVersion is the record layout this build writes.
const SchemaVersion = 1

// GenesisHash is the previous_hash of the first record ever written.
const GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000"

// Event types Symphony records. Other lower_snake_case types are accepted so later features
// can add their own without touching this package.
const (
	EventPromptSent          = "prompt_sent"
	EventToolCall            = "tool_call"
	EventCommandExecuted     = "command_executed"
	EventFileChanged         = "file_changed"
	EventPRAction            = "pr_action"
	EventTrackerStateChanged = "tracker_state_changed"
	EventTrackerComment      = "tracker_comment"
	EventTokenUsage          = "token_usage"
	EventRunStarted          = "run_started"
	EventRunFinished         = "run_finished"
	EventOperatorAction      = "operator_action"
	EventConfigReloaded      = "config_reloaded"
	// EventThreadResume says whether an attempt after a human's reply continued the
	// conversation that asked (details: thread_id, resumed, error).
	EventThreadResume = "thread_resume"
	// EventAgentOutputSummary accounts for a session's streamed output (message, reasoning and
	// command output deltas) over an interval in one record, since no delta is a side effect.
	EventAgentOutputSummary = "agent_output_summary"
	// EventTornLineRepaired is written by the log itself when it finds a line a crash cut short.
	EventTornLineRepaired = "audit_torn_line_repaired"
)

// Record is one line of the audit log. Field order is the canonical encoding's order.
type Record struct {
	Schema          int            `json:"schema"`
	Seq             uint64         `json:"seq"`
	Time            time.Time      `json:"ts"`
	IssueID         string         `json:"issue_id,omitempty"`
	IssueIdentifier string         `json:"issue_identifier,omitempty"`
	RepoKey         string         `json:"repo_key,omitempty"`
	RunID           string         `json:"run_id,omitempty"`
	SessionID       string         `json:"session_id,omitempty"`
	EventType       string         `json:"event_type"`
	Details         map[string]any `json:"details,omitempty"`
	PreviousHash    string         `json:"previous_hash"`
	RecordHash      string         `json:"record_hash,omitempty"`
	// fields are the details, scrubbed, of an event given as Fields, until the record is
	// written; Details is nil meanwhile.
	fields Fields
}

// canonical encodes r the one way the chain hashes and stores it: struct field order, sorted
// map keys, numbers as their original text, no HTML escaping, no trailing newline.
func canonical(r *Record) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte{'\n'}), nil
}

// recordHashField introduces record_hash, the last field of every stored line.
const recordHashField = `,"record_hash":"`

// sealedSuffixLen is the length of `,"record_hash":"<64 hex>"}` at the end of a stored line.
const sealedSuffixLen = len(recordHashField) + 64 + len(`"}`)

// seal sets r.RecordHash to the SHA-256 of r's canonical encoding without record_hash and
// returns the stored line (no newline): that same encoding with record_hash appended last.
func seal(r *Record) ([]byte, error) {
	return appendSealed(nil, r)
}

// appendSealed is seal appending the line to dst, so a batch is sealed into one buffer.
func appendSealed(dst []byte, r *Record) ([]byte, error) {
	r.RecordHash = ""
	start := len(dst)
	dst, ok := appendCanonical(dst, r)
	if !ok {
		if r.fields != nil {
			r.Details, r.fields = r.fields.Map(), nil
		}
		body, err := canonical(r)
		if err != nil {
			return dst[:start], err
		}
		dst = append(dst[:start], body...)
	}
	sum := sha256.Sum256(dst[start:])
	dst = append(dst[:len(dst)-1], recordHashField...)
	hashStart := len(dst)
	dst = hex.AppendEncode(dst, sum[:])
	r.RecordHash = string(dst[hashStart:])
	return append(dst, `"}`...), nil
}

// unseal splits a stored line into the bytes its hash covers (everything before the
// record_hash field; the closing brace is implied) and the hash it claims.
func unseal(line []byte) (body []byte, claimed []byte, ok bool) {
	if len(line) < sealedSuffixLen+1 {
		return nil, nil, false
	}
	cut := len(line) - sealedSuffixLen
	if !bytes.HasPrefix(line[cut:], []byte(recordHashField)) || !bytes.HasSuffix(line, []byte(`"}`)) {
		return nil, nil, false
	}
	return line[:cut], line[cut+len(recordHashField) : len(line)-2], true
}

// decodeLine parses one stored line strictly: unknown fields are refused so that nothing can
// ride along outside the hash, and numbers keep their text so re-encoding is exact.
func decodeLine(line []byte) (*Record, error) {
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	dec.DisallowUnknownFields()
	var r Record
	if err := dec.Decode(&r); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, fmt.Errorf("extra data after the record")
	}
	return &r, nil
}
