package gate

import (
	"context"
	"strings"
)

// openAI calls the Chat Completions API.
type openAI struct{ httpBase }

type openAIRequest struct {
	Model string `json:"model"`
	// MaxCompletionTokens replaces max_tokens, which newer models reject.
	MaxCompletionTokens int             `json:"max_completion_tokens"`
	ResponseFormat      map[string]any  `json:"response_format"`
	Messages            []openAIMessage `json:"messages"`
}

type openAIMessage struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

type openAIResponse struct {
	Choices []struct {
		Message struct {
			Content string `json:"content"`
		} `json:"message"`
	} `json:"choices"`
	Usage struct {
		PromptTokens     int `json:"prompt_tokens"`
		CompletionTokens int `json:"completion_tokens"`
	} `json:"usage"`
}

func (o *openAI) Score(ctx context.Context, system, user string) (Reply, error) {
	body := openAIRequest{Model: o.model, MaxCompletionTokens: o.maxTokens,
		ResponseFormat: map[string]any{"type": "json_object"},
		Messages:       []openAIMessage{{Role: "system", Content: system}, {Role: "user", Content: user}}}
	headers := map[string]string{"Authorization": "Bearer " + o.key}
	var resp openAIResponse
	if err := o.post(ctx, body, headers, &resp); err != nil {
		return Reply{}, err
	}
	if len(resp.Choices) == 0 || strings.TrimSpace(resp.Choices[0].Message.Content) == "" {
		return Reply{}, errorf(CodeProviderResponseBroken, "openai reply from %s has no choices[0].message.content", o.url)
	}
	return Reply{Text: resp.Choices[0].Message.Content,
		Usage: Usage{InputTokens: resp.Usage.PromptTokens, OutputTokens: resp.Usage.CompletionTokens}}, nil
}
