package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/user"
	"time"

	"github.com/spf13/cobra"

	"github.com/symphony-go/symphony/internal/audit"
	"github.com/symphony-go/symphony/internal/depaudit"
	"github.com/symphony-go/symphony/internal/secretscan"
	"github.com/symphony-go/symphony/internal/store"
)

func newApproveDepsCmd(g *Globals) *cobra.Command {
	return &cobra.Command{
		Use:   "approve-deps ISSUE",
		Short: "Approve the new dependency sources held for an issue's push or pull request",
		Long: "Before an agent's branch is pushed or opened as a pull request, the dependency audit lists\n" +
			"every dependency the change adds from a new source and holds the change when one lies\n" +
			"outside dependency_audit's allow-lists. approve-deps ISSUE (identifier or id) prints the\n" +
			"held list and approves exactly that list for that issue: the agent's next push or pull\n" +
			"request with the same new sources goes through; any other source is held again.\n\n" +
			"The approval is recorded in the audit log (dependency_approved). While the service runs\n" +
			"it holds the log, so the service records the approval when it next reviews the change.\n\n" +
			"Exit status: 0 approved, 1 unknown issue or nothing held, 2 usage error.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return approveDeps(cmd.Context(), g, args[0], cmd.OutOrStdout())
		},
	}
}

func approveDeps(ctx context.Context, g *Globals, issue string, out io.Writer) error {
	root := g.StateRoot()
	if _, err := os.Stat(store.Path(root)); errors.Is(err, os.ErrNotExist) {
		return failure(fmt.Errorf("unknown issue %s: no service has recorded anything under the state root %s", issue, root))
	}
	signingKey, err := audit.SigningKeyFromEnv(os.LookupEnv)
	if err != nil {
		return usageErr(err)
	}
	redactor := secretscan.New(audit.SecretEnvValues(os.Environ())...)
	st, err := store.Open(ctx, store.Options{StateRoot: root, Redactor: redactor})
	if err != nil {
		return failure(fmt.Errorf("open run store: %w", err))
	}
	defer st.Close()
	if _, held, err := depaudit.PendingApproval(ctx, st, issue); err != nil {
		return failure(err)
	} else if !held {
		runs, err := st.Runs(ctx, store.RunFilter{Issue: issue, Limit: 1})
		if err != nil {
			return failure(err)
		}
		if len(runs) == 0 {
			return failure(fmt.Errorf("unknown issue %s: no run or held dependency change is recorded for it under %s", issue, root))
		}
		return failure(fmt.Errorf("%s: nothing to approve, %w", issue, depaudit.ErrNothingHeld))
	}
	// The log is opened before anything changes, so a broken log leaves the approval undone;
	// only a log held by the running service defers the record to it.
	log, err := audit.Open(ctx, audit.Options{Dir: audit.Dir(root), Redactor: redactor, Head: st, SigningKey: signingKey})
	if err != nil && !errors.Is(err, audit.ErrLocked) {
		return failure(fmt.Errorf("open audit log: %w", err))
	}
	if log != nil {
		defer log.Close()
	}
	approval, err := depaudit.Approve(ctx, st, issue, approver(), time.Now())
	if err != nil {
		return failure(err)
	}
	printApproval(out, approval)
	if log == nil {
		fmt.Fprintln(out, "the running service holds the audit log; it records this approval when it next reviews the change")
		return nil
	}
	if _, err := depaudit.AuditApproval(ctx, st, log, approval); err != nil {
		return failure(err)
	}
	fmt.Fprintln(out, "recorded in the audit log as "+depaudit.EventApproved)
	return nil
}

// approver names the operator in the approval record.
func approver() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return os.Getenv("USER")
}

func printApproval(w io.Writer, a depaudit.Approval) {
	name := a.Identifier
	if name == "" {
		name = a.IssueID
	}
	fmt.Fprintf(w, "approved for %s (held %s, digest %.12s):\n", name, a.HeldAt.Format(time.RFC3339), a.Digest)
	for _, line := range (depaudit.Report{Held: a.Held.Held, Problems: a.Problems}).HeldLines() {
		fmt.Fprintln(w, "  "+line)
	}
}
