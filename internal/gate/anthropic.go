package gate

import (
	"context"
	"strings"
)

// anthropic calls the Messages API.
type anthropic struct{ httpBase }

type anthropicRequest struct {
	Model     string             `json:"model"`
	MaxTokens int                `json:"max_tokens"`
	System    string             `json:"system"`
	Messages  []anthropicMessage `json:"messages"`
}

type anthropicMessage struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

type anthropicResponse struct {
	Content []struct {
		Type string `json:"type"`
		Text string `json:"text"`
	} `json:"content"`
	Usage struct {
		InputTokens  int `json:"input_tokens"`
		OutputTokens int `json:"output_tokens"`
	} `json:"usage"`
}

func (a *anthropic) Score(ctx context.Context, system, user string) (Reply, error) {
	body := anthropicRequest{Model: a.model, MaxTokens: a.maxTokens, System: system,
		Messages: []anthropicMessage{{Role: "user", Content: user}}}
	headers := map[string]string{"x-api-key": a.key, "anthropic-version": anthropicVersion}
	var resp anthropicResponse
	if err := a.post(ctx, body, headers, &resp); err != nil {
		return Reply{}, err
	}
	var text strings.Builder
	for _, block := range resp.Content {
		if block.Type == "" || block.Type == "text" {
			text.WriteString(block.Text)
		}
	}
	if strings.TrimSpace(text.String()) == "" {
		return Reply{}, errorf(CodeProviderResponseBroken, "anthropic reply from %s has no text content", a.url)
	}
	return Reply{Text: text.String(), Usage: Usage{InputTokens: resp.Usage.InputTokens, OutputTokens: resp.Usage.OutputTokens}}, nil
}
