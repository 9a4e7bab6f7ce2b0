package tools

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/symphony-go/symphony/internal/gitremote"
	"github.com/symphony-go/symphony/internal/tracker"
)

// TestDocsListEveryToolAndCode keeps docs/tools.md true: every tool the host can advertise,
// each of its arguments and every error code the host returns are documented.
func TestDocsListEveryToolAndCode(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "tools.md"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(doc)
	for _, tl := range append(append(catalog(), humanInputTool()), githubCatalog()...) {
		if !strings.Contains(text, "`"+tl.name+"`") {
			t.Errorf("docs/tools.md does not list the tool %s", tl.name)
		}
		for _, p := range tl.params {
			if !strings.Contains(text, "`"+p.name+"`") {
				t.Errorf("docs/tools.md does not name %s's argument %s", tl.name, p.name)
			}
		}
	}
	for _, code := range []string{CodeInvalidArguments, CodeScopeArgument, CodeUnexpectedArguments, CodeToolScope,
		CodeToolNotFound, CodeStateNotFound, CodeCommentNotOwned, CodeSecretDetected, CodeInvalidBody,
		CodeInvalidCommentID, CodeInvalidURL, CodeHostNotAllowed, CodeTitleTooLong, CodeTracker,
		CodeMissingWorkspace, CodeWorkspaceNotFound, CodePathOutsideWorkspace, CodeFileNotFound, CodeNotRegularFile,
		CodePrivateSensitive, CodePublicSensitive, CodePublicExtension, CodeFileTooLarge, string(tracker.CodeFileUploadStatus),
		EventRefusedAgentAction, CodeGitHub, CodeNoPullRequest, CodePullRequestExists, CodeNoFailedRun,
		CodeDependencyPendingApproval, CodeDependencyAuditFailed, gitremote.CodeOriginMismatch, gitremote.CodeDetachedHead,
		gitremote.CodeBranchChanged, gitremote.CodeProtectedBranch, gitremote.CodePushFailed, gitremote.CodeFetchFailed,
		gitremote.CodeGitFailed, CodeInvalidQuestion} {
		if !strings.Contains(text, "`"+code+"`") {
			t.Errorf("docs/tools.md does not document %s", code)
		}
	}
	for _, key := range githubScopeKeys {
		if !strings.Contains(text, "`"+key+"`") {
			t.Errorf("docs/tools.md does not list the refused scope key %s", key)
		}
	}
}
