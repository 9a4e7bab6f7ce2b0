package linear

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/symphony-go/symphony/internal/tracker"
	"github.com/symphony-go/symphony/internal/tracker/linear/lineartest"
)

// TestViewerTellsRejectedKeysFromOutages checks the distinction `symphony doctor` relies on: a
// refused key wraps tracker.ErrAuthRejected (no retry helps), an outage does not.
func TestViewerTellsRejectedKeysFromOutages(t *testing.T) {
	authGraphQLError := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		w.Write([]byte(`{"errors":[{"message":"Authentication required","extensions":{"code":"AUTHENTICATION_ERROR"}}]}`))
	}))
	t.Cleanup(authGraphQLError.Close)

	tests := []struct {
		name     string
		endpoint string
		apiKey   string
		fault    *lineartest.Fault
		wantID   string
		rejected bool
	}{
		{name: "accepted key", apiKey: lineartest.APIKey, wantID: "user-viewer"},
		{name: "wrong key answered 401", apiKey: "lin_api_wrong", rejected: true},
		{name: "AUTHENTICATION_ERROR with another status", endpoint: authGraphQLError.URL, apiKey: lineartest.APIKey, rejected: true},
		{name: "server error", apiKey: lineartest.APIKey, fault: &lineartest.Fault{Status: 503}},
		{name: "other GraphQL error", apiKey: lineartest.APIKey, fault: &lineartest.Fault{GraphQLErrors: []string{"Something broke"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newFake(t)
			if tt.fault != nil {
				srv.Inject(*tt.fault)
			}
			endpoint := srv.URL
			if tt.endpoint != "" {
				endpoint = tt.endpoint
			}
			c, err := New(Options{Endpoint: endpoint, APIKey: tt.apiKey, Settings: settings(tracker.Route{Key: "web", Team: "ENG"})})
			if err != nil {
				t.Fatal(err)
			}
			id, err := c.Viewer(ctx(t))
			if tt.wantID != "" {
				if err != nil || id != tt.wantID {
					t.Fatalf("Viewer = %q, %v; want %q", id, err, tt.wantID)
				}
				return
			}
			if err == nil {
				t.Fatalf("Viewer = %q, want an error", id)
			}
			if got := errors.Is(err, tracker.ErrAuthRejected); got != tt.rejected {
				t.Fatalf("errors.Is(%v, ErrAuthRejected) = %v, want %v", err, got, tt.rejected)
			}
		})
	}
}
