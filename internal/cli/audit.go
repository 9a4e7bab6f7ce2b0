package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/symphony-go/symphony/internal/audit"
	"github.com/symphony-go/symphony/internal/store"
)

func newAuditCmd(g *Globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "Verify the tamper-evident audit log or read an issue's events from it",
		Long: "The audit log keeps one NDJSON file per UTC day under <state-root>/audit, each record\n" +
			"hash-chained to the one before it across days, with the chain's head checkpointed in\n" +
			"the run store. With " + audit.SigningKeyEnv + " set, the service also signs its checkpoints\n" +
			"and every day's last record with an ed25519 key. `audit verify` proves the log was not\n" +
			"edited; `audit show` prints what was done on an issue's behalf; `audit keygen` makes a\n" +
			"signing key pair.",
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			return usageErr(errors.New("audit needs a subcommand: verify, show or keygen"))
		},
	}
	cmd.AddCommand(newAuditVerifyCmd(g), newAuditShowCmd(g), newAuditKeygenCmd())
	return cmd
}

// dayRange holds --from/--to as given and checks them.
type dayRange struct{ from, to string }

func (d *dayRange) bind(cmd *cobra.Command) {
	cmd.Flags().StringVar(&d.from, "from", "", "first UTC day to read, YYYY-MM-DD (default: the first day)")
	cmd.Flags().StringVar(&d.to, "to", "", "last UTC day to read, YYYY-MM-DD (default: the last day)")
}

func (d *dayRange) check() error {
	for _, f := range [...]struct{ flag, value string }{{"--from", d.from}, {"--to", d.to}} {
		if f.value == "" {
			continue
		}
		if _, err := audit.ParseDay(f.value); err != nil {
			return usageErr(fmt.Errorf("%s: %w", f.flag, err))
		}
	}
	if d.from != "" && d.to != "" && d.from > d.to {
		return usageErr(fmt.Errorf("--from %s is after --to %s", d.from, d.to))
	}
	return nil
}

// freshState reports a state root holding neither a run store nor an audit log: no service
// has run with it yet, which is an empty history rather than an error.
func freshState(root string) bool {
	for _, p := range []string{store.Path(root), audit.Dir(root)} {
		if _, err := os.Lstat(p); err == nil {
			return false
		}
	}
	return true
}

// noAuditYet is what audit commands print on a fresh state root.
func noAuditYet(w io.Writer, root string) {
	fmt.Fprintf(w, "no audit records yet under %s\n", root)
}

// openStoreForReading opens the run store read-only; a missing store yields nil, nil.
func openStoreForReading(ctx context.Context, root string) (*store.Store, error) {
	st, err := store.Open(ctx, store.Options{StateRoot: root, ReadOnly: true})
	if errors.Is(err, store.ErrNoStore) {
		return nil, nil
	}
	return st, err
}

func newAuditVerifyCmd(g *Globals) *cobra.Command {
	var days dayRange
	var keys verifyKeys
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "Walk the audit chain and report the first broken record",
		Long: "verify recomputes every record's hash, follows the chain across day files and\n" +
			"compares its end with the checkpoint in the run store. It prints the first broken\n" +
			"record (file, line, sequence and what is wrong). A torn final line left by a crash\n" +
			"is reported as a warning; the next service start moves it aside and records that.\n\n" +
			"With --key (or --key-file) it also checks every signed checkpoint against the public\n" +
			"key: a log rewritten and re-hashed by someone without the private key, a removed or\n" +
			"foreign signature, or signed records cut off all fail. Records after the last signed\n" +
			"checkpoint are counted, since no signature covers them yet.\n\n" +
			"Exit status: 0 intact, 1 broken, 2 usage error.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := days.check(); err != nil {
				return err
			}
			pubs, err := keys.parse()
			if err != nil {
				return err
			}
			root := g.StateRoot()
			if freshState(root) && !asJSON {
				noAuditYet(cmd.OutOrStdout(), root)
				return nil
			}
			st, err := openStoreForReading(cmd.Context(), root)
			if err != nil {
				return failure(err)
			}
			opts := audit.VerifyOptions{Dir: audit.Dir(root), From: days.from, To: days.to, Keys: pubs}
			if st != nil {
				defer st.Close()
				opts.Head = st
			} else if len(pubs) > 0 {
				return failure(fmt.Errorf("cannot check signatures: they are kept in the run store, and there is no %s under %s", store.FileName, root))
			}
			rep, err := audit.Verify(cmd.Context(), opts)
			if err != nil {
				return failure(err)
			}
			if asJSON {
				if err := writeJSON(cmd.OutOrStdout(), rep); err != nil {
					return failure(err)
				}
			} else {
				printVerifyReport(cmd.OutOrStdout(), root, rep, st != nil)
			}
			if !rep.Intact() {
				return &ExitError{Code: ExitFailure, Err: fmt.Errorf("audit chain broken at %s", breakPlace(rep.Break))}
			}
			return nil
		},
	}
	days.bind(cmd)
	keys.bind(cmd)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the report as JSON")
	return cmd
}

func printVerifyReport(w io.Writer, root string, rep audit.Report, haveStore bool) {
	if rep.Break != nil {
		b := rep.Break
		fmt.Fprintf(w, "BROKEN: %s, sequence %d: %s\n  %s\n", breakPlace(b), b.Seq, b.Problem, b.Detail)
		fmt.Fprintf(w, "checked %d records in %d files before the break (%s)\n", rep.Records, rep.Files, audit.Dir(root))
		return
	}
	if rep.Records == 0 {
		fmt.Fprintf(w, "intact: no audit records in %s for the selected days\n", audit.Dir(root))
	} else {
		fmt.Fprintf(w, "intact: %d records in %d files, sequences %d-%d (%s)\n", rep.Records, rep.Files, rep.FirstSeq, rep.LastSeq, audit.Dir(root))
	}
	switch {
	case rep.CheckpointChecked && rep.CheckpointSeq > 0:
		fmt.Fprintf(w, "checkpoint: the run store's head (sequence %d) is present and matches\n", rep.CheckpointSeq)
	case !haveStore:
		fmt.Fprintf(w, "warning: no run store under %s, so removal of the newest records cannot be detected\n", root)
	case !rep.CheckpointChecked:
		fmt.Fprintln(w, "checkpoint: not checked, because --to stops before the newest day")
	}
	for _, gap := range rep.Gaps {
		fmt.Fprintf(w, "warning: sequences %d-%d were missing when the service restarted; the operator resumed past them, recorded at %s line %d (%s)\n",
			gap.FirstMissing, gap.LastMissing, gap.File, gap.Line, gap.At.Format(time.RFC3339))
	}
	if t := rep.Torn; t != nil {
		fmt.Fprintf(w, "warning: %s line %d is a torn final line (%d bytes) left by a crash; the next service start moves it aside and records the repair\n", t.File, t.Line, t.Bytes)
	}
	printSignatureReport(w, rep.Signatures, haveStore)
}

// breakPlace names where a break is: a day file's line, or the run store for a problem with
// its signed checkpoints that no line shows.
func breakPlace(b *audit.Break) string {
	if b.Line == 0 {
		return b.File
	}
	return fmt.Sprintf("%s line %d", b.File, b.Line)
}

func newAuditShowCmd(g *Globals) *cobra.Command {
	var days dayRange
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "show ISSUE",
		Short: "Print an issue's audit events in order",
		Long: "show prints every audit record whose issue ID or identifier is ISSUE, in chain order.\n" +
			"It does not verify the chain; run `symphony audit verify` for that.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := days.check(); err != nil {
				return err
			}
			root := g.StateRoot()
			if freshState(root) && !asJSON {
				noAuditYet(cmd.OutOrStdout(), root)
				return nil
			}
			recs, err := audit.Query(audit.QueryOptions{Dir: audit.Dir(root), Issue: args[0], From: days.from, To: days.to})
			if err != nil {
				return failure(err)
			}
			if asJSON {
				if recs == nil {
					recs = []audit.Record{}
				}
				if err := writeJSON(cmd.OutOrStdout(), recs); err != nil {
					return failure(err)
				}
				return nil
			}
			if len(recs) == 0 {
				fmt.Fprintf(cmd.ErrOrStderr(), "no audit events for %s\n", args[0])
				return nil
			}
			for _, r := range recs {
				if err := printAuditRecord(cmd.OutOrStdout(), r); err != nil {
					return failure(err)
				}
			}
			return nil
		},
	}
	days.bind(cmd)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the records as a JSON array")
	return cmd
}

func printAuditRecord(w io.Writer, r audit.Record) error {
	details := ""
	if len(r.Details) > 0 {
		b, err := json.Marshal(r.Details)
		if err != nil {
			return err
		}
		details = " " + string(b)
	}
	run := ""
	if r.RunID != "" {
		run = " run=" + r.RunID
	}
	issue := r.IssueIdentifier
	if issue == "" {
		issue = r.IssueID
	}
	_, err := fmt.Fprintf(w, "%s #%d %s %s%s%s\n", r.Time.Format("2006-01-02T15:04:05.000Z"), r.Seq, issue, r.EventType, run, details)
	return err
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
