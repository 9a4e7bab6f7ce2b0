package config

import "fmt"

// Feature is a configured capability that this build does not run yet. Symphony refuses to
// start while one is enabled rather than silently ignoring it; `config check` lists them as
// warnings so an operator can see what their file asks for.
type Feature struct {
	Key    string // the setting that enables it
	Reason string
}

func (f Feature) String() string { return fmt.Sprintf("%s: %s", f.Key, f.Reason) }

// Unimplemented lists the enabled features this build cannot run yet.
func (c *Config) Unimplemented() []Feature {
	var out []Feature
	add := func(enabled bool, key, reason string) {
		if enabled {
			out = append(out, Feature{Key: key, Reason: reason})
		}
	}
	add(len(c.Workers.SSHHosts) > 0, "workers.ssh_hosts", "SSH workers are not implemented yet")
	return out
}
