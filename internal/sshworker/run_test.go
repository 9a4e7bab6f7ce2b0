package sshworker

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/sshworker/sshdtest"
)

// sshdTransport is a transport through a real test fleet's config.
func sshdTransport(f *sshdtest.Fleet) Transport {
	return Transport{Binary: f.SSH, ConfigFile: f.ConfigFile, ConnectTimeout: 10 * time.Second}
}

func TestRunAgainstARealSSHD(t *testing.T) {
	f := sshdtest.NewFleet(t)
	host := f.AddHost()
	tr := sshdTransport(f)
	h, err := ParseHost(host.Addr())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()

	t.Run("hostile arguments arrive as they were sent", func(t *testing.T) {
		out, err := tr.Run(ctx, h, printArgs(hostileArgs...), nil)
		if err != nil {
			t.Fatal(err)
		}
		got := strings.Split(string(out), "\x00")
		if got = got[:len(got)-1]; !slices.Equal(got, hostileArgs) {
			t.Fatalf("remote argv = %q, want %q", got, hostileArgs)
		}
	})
	t.Run("stdin reaches the remote command", func(t *testing.T) {
		out, err := tr.Run(ctx, h, []string{"cat"}, strings.NewReader("payload\n"))
		if err != nil || string(out) != "payload\n" {
			t.Fatalf("cat over ssh = %q, %v", out, err)
		}
	})
	t.Run("a failing command is not the host's fault", func(t *testing.T) {
		_, err := tr.Run(ctx, h, []string{"sh", "-c", "echo broken >&2; exit 3"}, nil)
		var ce *CommandError
		if !errors.As(err, &ce) || ce.ExitCode != 3 || ce.HostUnavailable || errors.Is(err, ErrWorkerHostUnavailable) ||
			!strings.Contains(err.Error(), "broken") {
			t.Fatalf("err = %#v, want exit 3 naming the stderr line", err)
		}
	})
	t.Run("a command past its deadline is killed and blamed on the host", func(t *testing.T) {
		tctx, cancel := context.WithTimeout(ctx, 3*time.Second)
		defer cancel()
		start := time.Now()
		_, err := tr.Run(tctx, h, []string{"sleep", "60"}, nil)
		if !errors.Is(err, ErrWorkerHostUnavailable) || time.Since(start) > 20*time.Second {
			t.Fatalf("err = %v after %s, want a timeout within the deadline", err, time.Since(start))
		}
	})
}

func TestProbeHostFollowsTheHostUpAndDown(t *testing.T) {
	f := sshdtest.NewFleet(t)
	host := f.AddHost()
	tr := sshdTransport(f)
	ctx := context.Background()
	if err := tr.ProbeHost(ctx, host.Addr()); err != nil {
		t.Fatalf("probe of a live host: %v", err)
	}
	host.Stop()
	err := tr.ProbeHost(ctx, host.Addr())
	if !errors.Is(err, ErrWorkerHostUnavailable) || !strings.Contains(err.Error(), "Connection refused") {
		t.Fatalf("probe of a stopped host: %v, want %s naming the refusal", err, CodeWorkerHostUnavailable)
	}
	host.Start()
	if err := tr.ProbeHost(ctx, host.Addr()); err != nil {
		t.Fatalf("probe after restart: %v", err)
	}
	if err := tr.ProbeHost(ctx, "-oProxyCommand=x"); err == nil || errors.Is(err, ErrWorkerHostUnavailable) {
		t.Fatalf("probe of an option-shaped host = %v, want a parse error", err)
	}
}
