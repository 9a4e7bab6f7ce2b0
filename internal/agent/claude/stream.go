package claude

import (
	"encoding/json"
	"errors"
)

// line is one stream-json line of `claude -p --output-format stream-json --verbose`, with the
// fields Symphony reads. Which fields are set depends on Type.
type line struct {
	Type      string `json:"type"`
	Subtype   string `json:"subtype"`
	SessionID string `json:"session_id"`

	// system/init
	MCPServers []mcpServerStatus `json:"mcp_servers"`
	Model      string            `json:"model"`

	// assistant and user
	Message *message `json:"message"`

	// rate_limit_event
	RateLimitInfo *rateLimitInfo `json:"rate_limit_info"`

	// result
	IsError        bool       `json:"is_error"`
	APIErrorStatus *int       `json:"api_error_status"`
	Result         string     `json:"result"`
	NumTurns       int        `json:"num_turns"`
	Usage          *wireUsage `json:"usage"`
	// TotalCostUSD is what Claude Code says the invocation cost; each turn is one invocation.
	TotalCostUSD *float64 `json:"total_cost_usd"`
	Errors       []string `json:"errors"`
}

type mcpServerStatus struct {
	Name   string `json:"name"`
	Status string `json:"status"`
}

type message struct {
	ID      string  `json:"id"`
	Content []block `json:"content"`
}

// block is a content block: text, tool_use (Name, ID, Input) or tool_result (ToolUseID,
// Content as a string or a list of text blocks, IsError).
type block struct {
	Type      string          `json:"type"`
	Text      string          `json:"text"`
	ID        string          `json:"id"`
	Name      string          `json:"name"`
	Input     json.RawMessage `json:"input"`
	ToolUseID string          `json:"tool_use_id"`
	Content   json.RawMessage `json:"content"`
	IsError   bool            `json:"is_error"`
}

type rateLimitInfo struct {
	Status        string   `json:"status"`
	ResetsAt      *int64   `json:"resetsAt"`
	RateLimitType string   `json:"rateLimitType"`
	Utilization   *float64 `json:"utilization"`
}

// wireUsage is the usage block of a result line: the turn's totals over every model request.
type wireUsage struct {
	InputTokens              int64 `json:"input_tokens"`
	CacheCreationInputTokens int64 `json:"cache_creation_input_tokens"`
	CacheReadInputTokens     int64 `json:"cache_read_input_tokens"`
	OutputTokens             int64 `json:"output_tokens"`
}

var errNoType = errors.New(`stream-json line has no "type"`)

// decodeLine is the transport's decoder for stream-json lines.
func decodeLine(raw []byte) (line, error) {
	var l line
	if err := json.Unmarshal(raw, &l); err != nil {
		return line{}, err
	}
	if l.Type == "" {
		return line{}, errNoType
	}
	return l, nil
}

// toolResultText is the text of a tool_result block: a string, or the text chunks of a list
// joined by newlines.
func toolResultText(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var chunks []block
	if json.Unmarshal(raw, &chunks) != nil {
		return ""
	}
	out := ""
	for i, c := range chunks {
		if i > 0 {
			out += "\n"
		}
		out += c.Text
	}
	return out
}
