package github

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	gh "github.com/google/go-github/v93/github"
)

// classify turns whatever a call failed with into an *Error naming op.
func classify(op string, err error) error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		out := *e
		out.Op = op
		return &out
	}
	var resp *gh.ErrorResponse
	if errors.As(err, &resp) && resp.Response != nil {
		return &Error{Code: codeForStatus(resp.Response.StatusCode), Op: op, Status: resp.Response.StatusCode, Message: responseMessage(resp)}
	}
	var accepted *gh.AcceptedError
	if errors.As(err, &accepted) {
		return &Error{Code: CodeUnavailable, Op: op, Status: http.StatusAccepted, Message: "GitHub is still computing the result; ask again later"}
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return &Error{Code: CodeTimeout, Op: op, err: err}
	case errors.Is(err, context.Canceled):
		return &Error{Code: CodeRequestFailed, Op: op, Message: "canceled", err: err}
	case isDecodeError(err):
		return &Error{Code: CodeBadResponse, Op: op, Message: "malformed JSON in the response", err: err}
	}
	return &Error{Code: CodeRequestFailed, Op: op, err: err}
}

func isDecodeError(err error) bool {
	var syntax *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	return errors.As(err, &syntax) || errors.As(err, &typeErr) || errors.Is(err, io.ErrUnexpectedEOF)
}

func codeForStatus(status int) string {
	switch {
	case status == http.StatusUnauthorized:
		return CodeUnauthorized
	case status == http.StatusForbidden:
		return CodeForbidden
	case status == http.StatusNotFound || status == http.StatusGone:
		return CodeNotFound
	case status == http.StatusUnprocessableEntity || status == http.StatusBadRequest || status == http.StatusConflict:
		return CodeValidation
	case status == http.StatusTooManyRequests:
		return CodeRateLimited
	case status >= 500:
		return CodeUnavailable
	}
	return CodeRequestFailed
}

// responseMessage is GitHub's message plus each validation error's detail, e.g.
// "Validation Failed: A pull request already exists for octo:feature.".
func responseMessage(resp *gh.ErrorResponse) string {
	parts := []string{}
	if resp.Message != "" {
		parts = append(parts, resp.Message)
	}
	for _, e := range resp.Errors {
		switch {
		case e.Message != "":
			parts = append(parts, e.Message)
		case e.Field != "" || e.Code != "":
			parts = append(parts, strings.TrimSpace(fmt.Sprintf("%s %s %s", e.Resource, e.Field, e.Code)))
		}
	}
	return strings.Join(parts, ": ")
}

// statusError reads a non-2xx response of a request made without go-github (GraphQL, logs).
func statusError(op string, resp *http.Response) error {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, errorBodyLimit))
	var parsed struct {
		Message string `json:"message"`
	}
	msg := ""
	if json.Unmarshal(body, &parsed) == nil {
		msg = parsed.Message
	}
	return &Error{Code: codeForStatus(resp.StatusCode), Op: op, Status: resp.StatusCode, Message: msg}
}
