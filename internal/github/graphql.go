package github

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// markReadyMutation turns a draft pull request into one ready for review; REST has no way.
const markReadyMutation = `mutation SymphonyMarkReady($id: ID!) {
  markPullRequestReadyForReview(input: {pullRequestId: $id}) {
    pullRequest { isDraft }
  }
}`

// maxGraphQLResponseBytes bounds a GraphQL answer; Symphony's queries return a few kilobytes.
const maxGraphQLResponseBytes = 4 << 20

func (c *Client) markReadyForReview(ctx context.Context, nodeID string) error {
	var out struct {
		MarkPullRequestReadyForReview struct {
			PullRequest struct {
				IsDraft bool `json:"isDraft"`
			} `json:"pullRequest"`
		} `json:"markPullRequestReadyForReview"`
	}
	if err := c.graphQLDo(ctx, markReadyMutation, map[string]any{"id": nodeID}, &out); err != nil {
		return err
	}
	if out.MarkPullRequestReadyForReview.PullRequest.IsDraft {
		return &Error{Code: CodeBadResponse, Message: "pull request is still a draft after markPullRequestReadyForReview"}
	}
	return nil
}

// graphQLDo posts one operation and decodes its data into out; GraphQL errors become an
// *Error whose code follows the first error's type.
func (c *Client) graphQLDo(ctx context.Context, query string, variables map[string]any, out any) error {
	payload, err := json.Marshal(map[string]any{"query": query, "variables": variables})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.graphQL, bytes.NewReader(payload))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		return statusError("", resp)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxGraphQLResponseBytes))
	if err != nil {
		return err
	}
	var envelope struct {
		Data   json.RawMessage `json:"data"`
		Errors []struct {
			Type    string `json:"type"`
			Message string `json:"message"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(body, &envelope); err != nil {
		return err
	}
	if len(envelope.Errors) > 0 {
		first := envelope.Errors[0]
		code := CodeRequestFailed
		switch first.Type {
		case "NOT_FOUND":
			code = CodeNotFound
		case "FORBIDDEN":
			code = CodeForbidden
		case "UNPROCESSABLE":
			code = CodeValidation
		case "RATE_LIMITED":
			code = CodeRateLimited
		}
		messages := make([]string, 0, len(envelope.Errors))
		for _, e := range envelope.Errors {
			messages = append(messages, e.Message)
		}
		return &Error{Code: code, Message: strings.Join(messages, "; ")}
	}
	if len(envelope.Data) == 0 || string(envelope.Data) == "null" {
		return &Error{Code: CodeBadResponse, Message: "GraphQL response without data"}
	}
	if err := json.Unmarshal(envelope.Data, out); err != nil {
		return fmt.Errorf("decode GraphQL data: %w", err)
	}
	return nil
}
