package codex

import "encoding/json"

// Wire shapes of the app-server messages the adapter reads. Only the fields the adapter
// uses are declared; everything else passes through untouched in event payloads.

type rpcError struct {
	Code    int64  `json:"code"`
	Message string `json:"message"`
}

type threadStartResult struct {
	Thread struct {
		ID string `json:"id"`
	} `json:"thread"`
}

type turnStartResult struct {
	Turn struct {
		ID string `json:"id"`
	} `json:"turn"`
}

type turnCompletedParams struct {
	ThreadID string `json:"threadId"`
	Turn     struct {
		ID     string `json:"id"`
		Status string `json:"status"`
		Error  *struct {
			Message string `json:"message"`
		} `json:"error"`
	} `json:"turn"`
}

type tokenBreakdown struct {
	TotalTokens           int64 `json:"totalTokens"`
	InputTokens           int64 `json:"inputTokens"`
	CachedInputTokens     int64 `json:"cachedInputTokens"`
	CacheWriteInputTokens int64 `json:"cacheWriteInputTokens"`
	OutputTokens          int64 `json:"outputTokens"`
}

type tokenUsageParams struct {
	ThreadID   string `json:"threadId"`
	TurnID     string `json:"turnId"`
	TokenUsage *struct {
		Total *tokenBreakdown `json:"total"`
	} `json:"tokenUsage"`
}

type rateLimitsParams struct {
	RateLimits json.RawMessage `json:"rateLimits"`
}

type itemParams struct {
	ThreadID string `json:"threadId"`
	TurnID   string `json:"turnId"`
	Item     struct {
		Type      string          `json:"type"`
		ID        string          `json:"id"`
		Status    string          `json:"status"`
		Command   string          `json:"command"`
		Cwd       string          `json:"cwd"`
		Tool      string          `json:"tool"`
		Arguments json.RawMessage `json:"arguments"`
		Success   *bool           `json:"success"`
		Text      string          `json:"text"`
	} `json:"item"`
}

type errorParams struct {
	Error struct {
		Message string `json:"message"`
	} `json:"error"`
	WillRetry bool `json:"willRetry"`
}

type toolCallParams struct {
	ThreadID  string          `json:"threadId"`
	TurnID    string          `json:"turnId"`
	CallID    string          `json:"callId"`
	Tool      string          `json:"tool"`
	Arguments json.RawMessage `json:"arguments"`
}

type approvalParams struct {
	Command string `json:"command"`
	Reason  string `json:"reason"`
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
