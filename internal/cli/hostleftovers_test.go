package cli

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/sshworker"
)

// A session directory the host's failure kept is removed at the host's next successful
// probe, once; one whose removal meets the host down again stays for the probe after.
func TestSessionsLeftOnAnUnreachableHostAreRemovedWhenItAnswers(t *testing.T) {
	l := newHostLeftovers()
	down := true
	var removed []string
	remote := &agent.Remote{Host: "w1", Run: func(_ context.Context, argv []string, _ io.Reader) ([]byte, error) {
		if down {
			return nil, &sshworker.CommandError{Host: "w1", ExitCode: 255, HostUnavailable: true}
		}
		if strings.Contains(strings.Join(argv, " "), "symphony-session-remove") {
			removed = append(removed, argv[len(argv)-1])
		}
		return nil, nil
	}}
	remote.Unremoved = func(dir string) { l.add("w1", dir) }
	log := slog.New(slog.DiscardHandler)

	if err := remote.RemoveSession("/srv/ws/.symphony/sessions/codex-session-a"); err == nil {
		t.Fatal("removal on a host that is down succeeded")
	}
	l.removeOn("w1", remote, log)
	if len(removed) != 0 || len(l.dirs["w1"]) != 1 {
		t.Fatalf("with the host still down: removed %v, kept %v; want the directory kept", removed, l.dirs["w1"])
	}
	down = false
	l.removeOn("w1", remote, log)
	if !slices.Equal(removed, []string{"/srv/ws/.symphony/sessions/codex-session-a"}) || len(l.dirs["w1"]) != 0 {
		t.Fatalf("with the host back: removed %v, kept %v; want the directory removed once", removed, l.dirs["w1"])
	}
	l.removeOn("w1", remote, log)
	if len(removed) != 1 {
		t.Fatalf("a second probe removed again: %v", removed)
	}
}
