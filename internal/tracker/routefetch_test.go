package tracker

import (
	"context"
	"errors"
	"testing"

	"github.com/symphony-go/symphony/internal/issue"
)

func TestRouteFetchHelpers(t *testing.T) {
	one, two := 1, 2
	s := Settings{
		Routes:       []Route{{Key: "ui", Labels: []string{"ui"}}, {Key: "rest", Default: true}},
		ActiveStates: []string{"Todo"},
	}
	issues := []issue.Issue{
		{ID: "b", Identifier: "P-2", Title: "b", State: "Todo", Priority: &two, Labels: []string{"ui"}},
		{ID: "a", Identifier: "P-1", Title: "a", State: "Todo", Priority: &one, Labels: []string{"ui"}},
		{ID: "c", Identifier: "P-3", Title: "c", State: "Todo"},
	}
	var asked [][]string
	fetch := func(_ context.Context, routes []Route, states []string) ([]RouteResult, error) {
		asked = append(asked, states)
		return s.SplitByRoute(issues, routes, ""), nil
	}

	split := s.SplitByRoute(issues, s.Routes, "")
	if len(split) != 2 || len(split[0].Issues) != 2 || len(split[1].Issues) != 3 {
		t.Fatalf("split %+v", split)
	}
	split[0].Issues[0].Labels[0] = "changed"
	if issues[0].Labels[0] != "ui" || split[1].Issues[0].Labels[0] != "ui" {
		t.Fatal("routes share an issue's label slice")
	}

	got, err := s.RouteCandidates(context.Background(), fetch, "ui")
	if err != nil || len(got) != 2 || got[0].Identifier != "P-1" || got[0].RepoKey != "ui" {
		t.Fatalf("route candidates %+v, %v: want both ui issues, best priority first, tagged", got, err)
	}
	if _, err := s.RouteCandidates(context.Background(), fetch, "nope"); err == nil {
		t.Error("an unknown route was fetched")
	}
	cands, err := s.Candidates(context.Background(), fetch)
	if err != nil || len(cands.All()) != 3 {
		t.Fatalf("candidates %+v, %v", cands, err)
	}
	before := len(asked)
	if got, err := s.IssuesByStates(context.Background(), fetch, []string{" ", ""}); err != nil || got != nil || len(asked) != before {
		t.Fatalf("blank states fetched: %v, %v", got, err)
	}
	if got, err := s.IssuesByStates(context.Background(), fetch, []string{"Done"}); err != nil || len(got) != 3 || asked[len(asked)-1][0] != "Done" {
		t.Fatalf("issues by states %v, %v (asked %v)", got, err, asked)
	}
	boom := errors.New("boom")
	failing := func(context.Context, []Route, []string) ([]RouteResult, error) { return nil, boom }
	if _, err := s.Candidates(context.Background(), failing); !errors.Is(err, boom) {
		t.Errorf("candidates error %v", err)
	}
}
