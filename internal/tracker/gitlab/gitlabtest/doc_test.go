package gitlabtest

import (
	"os"
	"regexp"
	"testing"

	"github.com/symphony-go/symphony/internal/testenv/apischema"
)

// TestTrackersDocNamesTheClientVersion keeps docs/trackers.md's claim about what the fake is
// checked against (client-go's types, see server_test.go) at the version go.mod pins.
func TestTrackersDocNamesTheClientVersion(t *testing.T) {
	mod, err := os.ReadFile("../../../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^\s*gitlab\.com/gitlab-org/api/client-go/v2 (v\S+)`).FindSubmatch(mod)
	if m == nil {
		t.Fatal("go.mod does not require gitlab.com/gitlab-org/api/client-go/v2")
	}
	apischema.DocNames(t, "../../../../docs/trackers.md", "`gitlab.com/gitlab-org/api/client-go/v2` "+string(m[1]))
}
