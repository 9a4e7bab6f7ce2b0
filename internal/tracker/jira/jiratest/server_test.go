package jiratest

import (
	"encoding/base64"
	"net/http"
	"strings"
	"testing"
)

func TestSearchRefusesJQLItDoesNotUnderstand(t *testing.T) {
	s := NewServer(t, Options{})
	for body, want := range map[string]int{
		`{"jql":"project = \"ENG\" AND status IN (\"To Do\") ORDER BY created ASC","fields":["summary","status"]}`: http.StatusOK,
		`{"jql":"project = ENG","fields":["summary","status"]}`:                                                    http.StatusBadRequest,
		`{"jql":"project = \"ENG\" AND status IN (\"To Do\") ORDER BY created ASC","fields":["labels"]}`:           http.StatusBadRequest,
	} {
		req, _ := http.NewRequest(http.MethodPost, s.URL+"/rest/api/3/search/jql", strings.NewReader(body))
		req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(Email+":"+APIToken)))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("%s: HTTP %d, want %d", body, resp.StatusCode, want)
		}
	}
}
