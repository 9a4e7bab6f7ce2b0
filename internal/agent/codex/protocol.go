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
	Turn struct {
		ID     string `json:"id"`
		Status string `json:"status"`
		Error  *struct {
			Message string `json:"message"`
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
