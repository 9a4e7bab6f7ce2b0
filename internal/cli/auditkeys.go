package cli

import (
	"bufio"
	"crypto/ed25519"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/symphony-go/symphony/internal/audit"
)

// verifyKeys holds the public key given to `audit verify`. Only a public key is taken on the
// command line; the private key never leaves the service's environment.
type verifyKeys struct {
	key  string
	file string
}

func (k *verifyKeys) bind(cmd *cobra.Command) {
	cmd.Flags().StringVar(&k.key, "key", "", "base64 ed25519 public key the checkpoints must be signed with, as `audit keygen` prints it")
	cmd.Flags().StringVar(&k.file, "key-file", "", "file holding that public key (blank lines and # comments ignored)")
	cmd.MarkFlagsMutuallyExclusive("key", "key-file")
}

// parse returns the given key, if any; a malformed one is a usage error naming where it came
// from.
func (k *verifyKeys) parse() ([]ed25519.PublicKey, error) {
	if k.key != "" {
		pub, err := audit.ParsePublicKey(strings.TrimSpace(k.key))
		if err != nil {
			return nil, usageErr(fmt.Errorf("--key: %w", err))
		}
		return []ed25519.PublicKey{pub}, nil
	}
	if k.file == "" {
		return nil, nil
	}
	f, err := os.Open(k.file)
	if err != nil {
		return nil, usageErr(fmt.Errorf("--key-file: %w", err))
	}
	defer f.Close()
	sc := bufio.NewScanner(io.LimitReader(f, 1<<20))
	var out []ed25519.PublicKey
	for no := 1; sc.Scan(); no++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		if len(out) > 0 {
			return nil, usageErr(fmt.Errorf("--key-file %s line %d: the file must hold one public key", k.file, no))
		}
		pub, err := audit.ParsePublicKey(text)
		if err != nil {
			return nil, usageErr(fmt.Errorf("--key-file %s line %d: %w", k.file, no, err))
		}
		out = append(out, pub)
	}
	if err := sc.Err(); err != nil {
		return nil, usageErr(fmt.Errorf("--key-file %s: %w", k.file, err))
	}
	if len(out) == 0 {
		return nil, usageErr(fmt.Errorf("--key-file %s holds no public key", k.file))
	}
	return out, nil
}

func printSignatureReport(w io.Writer, sr audit.SignatureReport, haveStore bool) {
	switch {
	case !haveStore:
		return
	case !sr.Checked && sr.Stored == 0:
		fmt.Fprintf(w, "signatures: none, the chain is unkeyed; a service started with %s signs its checkpoints\n", audit.SigningKeyEnv)
		return
	case !sr.Checked:
		fmt.Fprintf(w, "signatures: the chain is signed (%d signed checkpoints), signatures not checked: pass --key\n", sr.Stored)
		return
	}
	fmt.Fprintf(w, "signatures: %d verified with the given key; they cover every record through sequence %d\n", sr.Verified, sr.SignedThrough)
	if sr.UnsignedTail > 0 {
		fmt.Fprintf(w, "warning: %d records after the last signed checkpoint (sequence %d) are not covered by a signature yet; until the next checkpoint signs them they could be rewritten undetected\n", sr.UnsignedTail, sr.SignedThrough)
	}
	for _, a := range sr.Adopted {
		fmt.Fprintf(w, "warning: sequences %d-%d were unsigned when a keyed service resumed the log (recorded at %s line %d, %s): signing started there, the service had crashed, or signatures were removed; the signatures vouch for them only as they stood then\n",
			a.FirstSeq, a.LastSeq, a.File, a.Line, a.At.Format(time.RFC3339))
	}
	fmt.Fprintf(w, "note: no offline check can tell this state from an older, validly signed copy of the whole state root; make sure sequence %d is as recent as you expect\n", sr.SignedThrough)
}

func newAuditKeygenCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "keygen",
		Short: "Print a new key pair for signing the audit log's checkpoints",
		Long: "keygen prints a new ed25519 private key seed for " + audit.SigningKeyEnv + " and its public\n" +
			"key for `audit verify --key`. It writes nothing to disk.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			seed, pub, err := audit.GenerateSigningKey()
			if err != nil {
				return failure(err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s=%s\npublic key: %s\n\n"+
				"Give the service the private key (the first line) only through its environment or your\n"+
				"secrets manager, never in a file under the state root, and keep no other copy beside\n"+
				"the state. Store the public key apart from the state root and verify with:\n"+
				"  symphony audit verify --key %s\n", audit.SigningKeyEnv, seed, pub, pub)
			return nil
		},
	}
}
