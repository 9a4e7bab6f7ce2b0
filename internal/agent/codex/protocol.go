package codex

import "encoding/json"

// Wire shapes of the app-server messages the adapter reads. Only the fields the adapter
// uses are declared; everything else passes through untouched in event payloads.

// The handshake requests the adapter writes, as types rather than maps: encoding/json then
// needs no map sorting or per-value reflection on every session start. Fields are in name
// order so the bytes are those the maps gave (TestHandshakeBytesMatchGolden).

type initializeParams struct {
	Capabilities clientCapabilities `json:"capabilities"`
	ClientInfo   clientInfo         `json:"clientInfo"`
}

type clientCapabilities struct {
	ExperimentalAPI           bool     `json:"experimentalApi"`
	OptOutNotificationMethods []string `json:"optOutNotificationMethods"`
}

type clientInfo struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// threadStartParams are thread/start's, and thread/resume's with ThreadID. Exactly one of
// Permissions (a managed profile's name) and Sandbox (a legacy mode) is set.
type threadStartParams struct {
	ApprovalPolicy        any           `json:"approvalPolicy"`
	Cwd                   string        `json:"cwd"`
	DeveloperInstructions string        `json:"developerInstructions,omitempty"`
	DynamicTools          []dynamicTool `json:"dynamicTools,omitempty"`
	Permissions           string        `json:"permissions,omitempty"`
	Sandbox               string        `json:"sandbox,omitempty"`
	ThreadID              string        `json:"threadId,omitempty"`
}

type dynamicTool struct {
	Description string          `json:"description"`
	InputSchema json.RawMessage `json:"inputSchema"`
	Name        string          `json:"name"`
	Type        string          `json:"type"`
}

type threadNameParams struct {
	Name     string `json:"name"`
	ThreadID string `json:"threadId"`
}

type threadStartResult struct {
	Thread struct {
		ID string `json:"id"`
	} `json:"thread"`
	Model string `json:"model"`
}

type turnStartResult struct {
	Turn struct {
		ID string `json:"id"`
	} `json:"turn"`
}

type turnCompletedParams struct {
	Turn struct {
		ID     string `json:"id"`
		Status string `json:"status"`
		Error  *struct {
			Message        string          `json:"message"`
			CodexErrorInfo json.RawMessage `json:"codexErrorInfo"`
		} `json:"error"`
	} `json:"turn"`
}

type rateLimitsParams struct {
	RateLimits json.RawMessage `json:"rateLimits"`
}

type errorParams struct {
	Error struct {
		Message string `json:"message"`
	} `json:"error"`
	WillRetry bool `json:"willRetry"`
}

type toolCallParams struct {
	Tool      string          `json:"tool"`
	Arguments json.RawMessage `json:"arguments"`
}

type approvalParams struct {
	Command string `json:"command"`
}

type permissionsParams struct {
	Permissions json.RawMessage `json:"permissions"`
}

type contentItem struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

type toolCallResult struct {
	Success      bool          `json:"success"`
	ContentItems []contentItem `json:"contentItems"`
}

// tokenUsageParams decodes itself (tokenusagedecode.go): a field added here, or to the types
// it holds, must be read there too (TestEveryTokenUsageFieldIsDecoded fails until it is).
type tokenUsageParams struct {
	ThreadID   string     `json:"threadId"`
	TokenUsage tokenUsage `json:"tokenUsage"`
}

// tokenUsage holds the thread's cumulative total; the last turn's increment is not read.
type tokenUsage struct {
	Total tokenTotals `json:"total"`
}

type tokenTotals struct {
	TotalTokens           *int64 `json:"totalTokens"`
	InputTokens           int64  `json:"inputTokens"`
	CachedInputTokens     int64  `json:"cachedInputTokens"`
	CacheWriteInputTokens int64  `json:"cacheWriteInputTokens"`
	OutputTokens          int64  `json:"outputTokens"`
}

// itemCompletedParams decodes itself (itemdecode.go): a field added here, or to the types it
// holds, must be read there too (TestEveryItemCompletedFieldIsDecoded fails until it is).
type itemCompletedParams struct {
	TurnID string        `json:"turnId"`
	Item   completedItem `json:"item"`
}

// completedItem holds the members of a completed item the adapter reads, whatever its type.
type completedItem struct {
	Type             string          `json:"type"`
	Status           string          `json:"status"`
	Text             string          `json:"text"`
	Command          string          `json:"command"`
	Cwd              string          `json:"cwd"`
	AggregatedOutput outputPreview   `json:"aggregatedOutput"`
	ExitCode         *int            `json:"exitCode"`
	Tool             string          `json:"tool"`
	Arguments        json.RawMessage `json:"arguments"`
	Success          *bool           `json:"success"`
	Changes          []fileChange    `json:"changes"`
}

// fileChange is one file a fileChange item changed.
type fileChange struct {
	Path string `json:"path"`
}

// userInputParams is an item/tool/requestUserInput request: the questions Codex asks.
type userInputParams struct {
	TurnID    string              `json:"turnId"`
	Questions []userInputQuestion `json:"questions"`
}

type userInputQuestion struct {
	Header   string `json:"header"`
	Question string `json:"question"`
	Options  []struct {
		Label       string `json:"label"`
		Description string `json:"description"`
	} `json:"options"`
}
