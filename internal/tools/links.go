package tools

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"
)

// maxLinkTitle is the longest attachment title, in characters, the reference accepts.
const maxLinkTitle = 120

// attachURL links a URL to the issue. Only http(s) URLs to an allowed host pass, so an agent
// cannot use the issue to publish a link to wherever it chose, and neither the URL nor its
// title may carry a credential.
func attachURL(ctx context.Context, h *Host, a args) (any, *toolError) {
	raw := strings.TrimSpace(a.str("url"))
	u, terr := checkLinkURL(raw)
	if terr != nil {
		return nil, terr
	}
	host := strings.ToLower(u.Hostname())
	if !slices.ContainsFunc(h.opts.AllowedHosts, func(allowed string) bool { return strings.EqualFold(allowed, host) }) {
		e := fail(CodeHostNotAllowed, "%s is not in workspaces.attachments.allowed_hosts; nothing was attached", host)
		e.Details = map[string]any{"host": host, "allowed_hosts": h.opts.AllowedHosts}
		return nil, e
	}
	title, terr := titleArg(a)
	if terr != nil {
		return nil, terr
	}
	if terr := h.refuseSecrets(ctx, h.prefix+"attach_url", "url", raw); terr != nil {
		return nil, terr
	}
	if terr := h.refuseSecrets(ctx, h.prefix+"attach_url", "title", title); terr != nil {
		return nil, terr
	}
	link, err := h.opts.Tracker.AttachURL(ctx, h.opts.Issue.ID, raw, title)
	if err != nil {
		return nil, trackerFailure("attaching the URL", err)
	}
	return map[string]any{"id": link.ID, "url": raw, "title": title}, nil
}

// checkLinkURL accepts an absolute http or https URL with a host and without user
// information, which would put a credential in the tracker.
func checkLinkURL(raw string) (*url.URL, *toolError) {
	if raw == "" {
		return nil, fail(CodeInvalidURL, "url must not be blank")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fail(CodeInvalidURL, "url does not parse: %v", err)
	}
	if scheme := strings.ToLower(u.Scheme); scheme != "http" && scheme != "https" {
		e := fail(CodeInvalidURL, "url must start with http:// or https://, got scheme %q", u.Scheme)
		e.Details = map[string]any{"scheme": u.Scheme}
		return nil, e
	}
	if u.Hostname() == "" {
		return nil, fail(CodeInvalidURL, "url has no host")
	}
	if u.User != nil {
		return nil, fail(CodeInvalidURL, "url must not carry a user name or password")
	}
	return u, nil
}

// titleArg is the normalised title: whitespace runs collapsed, at most maxLinkTitle characters.
func titleArg(a args) (string, *toolError) {
	title := strings.Join(strings.Fields(a.str("title")), " ")
	if n := utf8.RuneCountInString(title); n > maxLinkTitle {
		e := fail(CodeTitleTooLong, "title is %d characters; at most %d are allowed", n, maxLinkTitle)
		e.Details = map[string]any{"length": n, "max_length": maxLinkTitle}
		return "", e
	}
	return title, nil
}
