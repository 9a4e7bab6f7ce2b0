package githubtest

import (
	"net/http"
	"time"
)

// where returns the stored items keep accepts, in stored order; handlers filter the same way
// before paging.
func where[T any](items []*T, keep func(*T) bool) []*T {
	var out []*T
	for _, item := range items {
		if keep(item) {
			out = append(out, item)
		}
	}
	return out
}

// first returns the first stored item match accepts, or nil.
func first[T any](items []*T, match func(*T) bool) *T {
	for _, item := range items {
		if match(item) {
			return item
		}
	}
	return nil
}

// copies returns copies of the stored items keep accepts, so test-facing getters never hand
// out pointers into the server's state.
func copies[T any](items []*T, keep func(*T) bool) []T {
	var out []T
	for _, item := range where(items, keep) {
		out = append(out, *item)
	}
	return out
}

// pageJSON renders the requested page of items (writing the Link header, see page) as the
// JSON array every list endpoint returns.
func pageJSON[T any](s *Server, w http.ResponseWriter, r *http.Request, items []T, render func(T) map[string]any) []any {
	out := []any{}
	for _, item := range page(s, w, r, items) {
		out = append(out, render(item))
	}
	return out
}

// now is the server's clock at GitHub's one-second timestamp resolution.
func (s *Server) now() time.Time { return s.opts.Now().UTC().Truncate(time.Second) }

// stamp fills a zero creation time with now and a zero update time with the creation time, as
// the Add methods do for objects a test leaves undated.
func (s *Server) stamp(created, updated *time.Time) {
	if created.IsZero() {
		*created = s.now()
	}
	if updated.IsZero() {
		*updated = *created
	}
}
