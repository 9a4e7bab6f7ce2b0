package cli

import (
	"errors"
	"testing"

	"github.com/symphony-go/symphony/internal/config"
	"github.com/symphony-go/symphony/internal/server"
)

func TestDashboardBindFollowsFlagsOverConfig(t *testing.T) {
	port := func(n int) *int { return &n }
	cases := []struct {
		name     string
		g        Globals
		dash     config.Dashboard
		allow    bool
		want     dashboardBind
		wantExit int
	}{
		{"defaults", Globals{}, config.Dashboard{Enabled: true, Host: "127.0.0.1"}, false, dashboardBind{true, "127.0.0.1", 0}, 0},
		{"config port", Globals{}, config.Dashboard{Enabled: true, Host: "127.0.0.1", Port: port(4100)}, false, dashboardBind{true, "127.0.0.1", 4100}, 0},
		{"disabled", Globals{}, config.Dashboard{Enabled: false, Host: "0.0.0.0", Port: port(4100)}, false, dashboardBind{false, "0.0.0.0", 4100}, 0},
		{"--port forces it on", Globals{port: 4200, portSet: true}, config.Dashboard{Enabled: false, Host: "127.0.0.1", Port: port(4100)}, false, dashboardBind{true, "127.0.0.1", 4200}, 0},
		{"--port 0 asks for a free port", Globals{portSet: true}, config.Dashboard{Enabled: true, Host: "127.0.0.1", Port: port(4100)}, false, dashboardBind{true, "127.0.0.1", 0}, 0},
		{"--host overrides", Globals{host: "::1"}, config.Dashboard{Enabled: true, Host: "127.0.0.1"}, false, dashboardBind{true, "::1", 0}, 0},
		{"non-loopback refused", Globals{host: "0.0.0.0"}, config.Dashboard{Enabled: true, Host: "127.0.0.1"}, false, dashboardBind{}, ExitUsage},
		{"non-loopback allowed", Globals{host: "0.0.0.0"}, config.Dashboard{Enabled: true, Host: "127.0.0.1"}, true, dashboardBind{true, "0.0.0.0", 0}, 0},
		{"bad --port", Globals{port: 70000, portSet: true}, config.Dashboard{Enabled: true, Host: "127.0.0.1"}, false, dashboardBind{}, ExitUsage},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.allow {
				t.Setenv(server.AllowRemoteBindEnv, "1")
			} else {
				t.Setenv(server.AllowRemoteBindEnv, "")
			}
			got, err := checkDashboardBind(&c.g, &config.Config{Dashboard: c.dash})
			var ee *ExitError
			switch {
			case c.wantExit != 0:
				if !errors.As(err, &ee) || ee.Code != c.wantExit {
					t.Fatalf("error %v, want exit %d", err, c.wantExit)
				}
			case err != nil:
				t.Fatal(err)
			case got != c.want:
				t.Fatalf("bind %+v, want %+v", got, c.want)
			}
		})
	}
}
