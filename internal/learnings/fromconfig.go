package learnings

import (
	"fmt"

	"github.com/symphony-go/symphony/internal/config"
	"github.com/symphony-go/symphony/internal/gate"
	"github.com/symphony-go/symphony/internal/secretscan"
)

// FromConfig builds the Capturer pull_requests.learnings describes, with the gate's provider
// client asking for MaxReplyTokens; it returns nil when learnings are off. A missing provider
// key is an error, so the service refuses to start rather than failing on every merge.
func FromConfig(l config.Learnings, st Store, scanner *secretscan.Scanner, opts gate.ProviderOptions) (*Capturer, error) {
	if !l.Enabled {
		return nil, nil
	}
	opts.MaxReplyTokens = MaxReplyTokens
	p, err := gate.NewProvider(l.Provider, l.Model, opts)
	if err != nil {
		// The gate's messages name issue_gate; say which setting this provider belongs to.
		return nil, fmt.Errorf("pull_requests.learnings (provider %s): %w", l.Provider, err)
	}
	return NewCapturer(Options{Provider: p, Store: st, MaxPerRun: l.MaxPerRun, MaxTotal: l.MaxTotalPerRepo, Scanner: scanner})
}
