package jiratest

import (
	"encoding/base64"
	"encoding/json"
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

func TestIssueWithoutLabelsHasAnEmptyList(t *testing.T) {
	s := NewServer(t, Options{})
	s.AddIssue(Issue{Summary: "bare"})
	req, _ := http.NewRequest(http.MethodGet, s.URL+"/rest/api/3/issue/ENG-1", nil)
	req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(Email+":"+APIToken)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got struct {
		Fields map[string]json.RawMessage `json:"fields"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
		t.Fatal(err)
	}
	if string(got.Fields["labels"]) != "[]" {
		t.Errorf("labels = %s, want [] as Jira answers", got.Fields["labels"])
	}
}
