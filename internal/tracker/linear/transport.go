package linear

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/symphony-go/symphony/internal/tracker"
)

// maxBodyBytes bounds how much of a response is read; Linear pages are far smaller.
const maxBodyBytes = 32 << 20

// maxErrorBodyBytes bounds how much of an unexpected body goes into an error message.
const maxErrorBodyBytes = 300

type graphqlRequest struct {
	Query         string         `json:"query"`
	OperationName string         `json:"operationName"`
	Variables     map[string]any `json:"variables"`
}

type graphqlError struct {
	Message    string `json:"message"`
	Extensions struct {
		Code string `json:"code"`
		Type string `json:"type"`
	} `json:"extensions"`
}

type graphqlResponse struct {
	Data   json.RawMessage `json:"data"`
	Errors []graphqlError  `json:"errors"`
}

// do sends one operation and decodes its data into out. Every failure comes back as a
// *tracker.Error with one of the linear_* codes or tracker_rate_limited.
func (c *Client) do(ctx context.Context, operation string, variables map[string]any, out any) error {
	if err := c.checkRateLimit(); err != nil {
		return err
	}
	payload, err := json.Marshal(graphqlRequest{Query: documents[operation], OperationName: operation, Variables: variables})
	if err != nil {
		return tracker.Errorf(tracker.CodeRequest, "%s: encode request: %w", operation, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint, bytes.NewReader(payload))
	if err != nil {
		return tracker.Errorf(tracker.CodeRequest, "%s: build request for %s: %w", operation, c.endpoint, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", c.apiKey)
	resp, err := c.http.Do(req)
	if err != nil {
		return tracker.Errorf(tracker.CodeRequest, "%s: %w", operation, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBodyBytes))
	if err != nil {
		return tracker.Errorf(tracker.CodeRequest, "%s: read response: %w", operation, err)
	}
	c.observeRateLimit(resp.Header)

	var decoded graphqlResponse
	decodeErr := json.Unmarshal(body, &decoded)
	if limited := c.rateLimitError(operation, resp, decoded.Errors); limited != nil {
		return limited
	}
	if resp.StatusCode != http.StatusOK {
		err := tracker.Errorf(tracker.CodeStatus, "%s: HTTP %d%s: %s", operation, resp.StatusCode, statusHint(resp.StatusCode), snippet(body))
		if authRejected(resp.StatusCode, decoded.Errors) {
			err.Err = tracker.ErrAuthRejected
		}
		return err
	}
	if decodeErr != nil {
		return tracker.Errorf(tracker.CodeUnknownPayload, "%s: response is not JSON: %s", operation, snippet(body))
	}
	if len(decoded.Errors) > 0 {
		return graphqlErrors(operation, decoded.Errors)
	}
	if len(decoded.Data) == 0 || string(decoded.Data) == "null" {
		return tracker.Errorf(tracker.CodeUnknownPayload, "%s: response has no data", operation)
	}
	if err := json.Unmarshal(decoded.Data, out); err != nil {
		return tracker.Errorf(tracker.CodeUnknownPayload, "%s: unexpected data shape: %w", operation, err)
	}
	return nil
}

func graphqlErrors(operation string, errs []graphqlError) error {
	msgs := make([]string, 0, len(errs))
	code := tracker.CodeGraphQL
	for _, e := range errs {
		msgs = append(msgs, e.Message)
		switch {
		case strings.HasPrefix(e.Message, "Entity not found: Comment"):
			code = tracker.CodeCommentNotFound
		case strings.HasPrefix(e.Message, "Entity not found: WorkflowState"):
			code = tracker.CodeStateNotFound
		case strings.HasPrefix(e.Message, "Entity not found"):
			code = tracker.CodeIssueNotFound
		}
	}
	err := tracker.Errorf(code, "%s: %s", operation, strings.Join(msgs, "; "))
	if authRejected(http.StatusOK, errs) {
		err.Err = tracker.ErrAuthRejected
	}
	return err
}

// authRejected reports whether Linear refused the API key itself: it answers 401 or 403, or
// a GraphQL error coded AUTHENTICATION_ERROR, whatever the HTTP status.
func authRejected(status int, errs []graphqlError) bool {
	if status == http.StatusUnauthorized || status == http.StatusForbidden {
		return true
	}
	for _, e := range errs {
		if e.Extensions.Code == "AUTHENTICATION_ERROR" {
			return true
		}
	}
	return false
}

func statusHint(status int) string {
	switch status {
	case http.StatusUnauthorized, http.StatusForbidden:
		return " (check issues.linear.api_key)"
	default:
		return ""
	}
}

func snippet(body []byte) string {
	s := strings.Join(strings.Fields(string(body)), " ")
	if len(s) > maxErrorBodyBytes {
		s = s[:maxErrorBodyBytes] + "..."
	}
	if s == "" {
		return "(empty body)"
	}
	return fmt.Sprintf("%q", s)
}
