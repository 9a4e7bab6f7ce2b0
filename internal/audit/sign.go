package audit

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
)

// SigningKeyEnv names the environment variable holding the base64 ed25519 private key seed
// that keys the log's checkpoints. The key lives only in the environment (or a secrets
// manager feeding it), never in the state root, so a thief with the state root cannot sign.
const SigningKeyEnv = "SYMPHONY_AUDIT_SIGNING_KEY"

// SignedHeadStore keeps, beside the head, one signed checkpoint per day; *store.Store
// implements it. A keyed log needs it.
type SignedHeadStore interface {
	HeadStore
	// SetSignedAuditHead moves the head and keeps signature as day's signed checkpoint in one
	// step; a day's signature only moves forward.
	SetSignedAuditHead(ctx context.Context, seq uint64, hash, day, signature string) error
	// AuditSignatures returns every day's signed checkpoint, oldest day first.
	AuditSignatures(ctx context.Context) ([]string, error)
}

// SigningKeyFromEnv reads SigningKeyEnv through lookup. An unset or empty variable means an
// unkeyed log (nil key); a malformed one is an error that names the variable but never
// repeats its value.
func SigningKeyFromEnv(lookup func(string) (string, bool)) (ed25519.PrivateKey, error) {
	v, ok := lookup(SigningKeyEnv)
	if !ok || v == "" {
		return nil, nil
	}
	seed, err := base64.StdEncoding.DecodeString(v)
	if err != nil || len(seed) != ed25519.SeedSize {
		return nil, fmt.Errorf("audit: %s must hold a base64 (standard encoding) ed25519 private key seed of %d bytes, as `symphony audit keygen` prints it; the value set is not one", SigningKeyEnv, ed25519.SeedSize)
	}
	return ed25519.NewKeyFromSeed(seed), nil
}

// GenerateSigningKey makes a new key pair and returns the private seed and the public key,
// both base64 (standard encoding).
func GenerateSigningKey() (seed, public string, err error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return "", "", fmt.Errorf("audit: generate signing key: %w", err)
	}
	return base64.StdEncoding.EncodeToString(priv.Seed()), EncodePublicKey(pub), nil
}

// EncodePublicKey is the text form verifiers pass to `audit verify --key`.
func EncodePublicKey(pub ed25519.PublicKey) string { return base64.StdEncoding.EncodeToString(pub) }

// ParsePublicKey reads a public key in the form EncodePublicKey writes.
func ParsePublicKey(s string) (ed25519.PublicKey, error) {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(b) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("audit: %q is not a base64 ed25519 public key of %d bytes", s, ed25519.PublicKeySize)
	}
	return ed25519.PublicKey(b), nil
}

// signedCheckpoint is a signature over one chain position, stored as JSON in the run store.
// Key names the signer for diagnostics only; verification always uses the verifier's keys.
type signedCheckpoint struct {
	Day       string `json:"day"`
	Seq       uint64 `json:"seq"`
	Hash      string `json:"record_hash"`
	Key       string `json:"key"`
	Signature string `json:"signature"`
}

// checkpointMessage is what is signed: the position in a form no other Symphony signature
// shares.
func checkpointMessage(seq uint64, day, hash string) []byte {
	var b bytes.Buffer
	b.WriteString("symphony audit checkpoint v1\nseq=")
	b.WriteString(strconv.FormatUint(seq, 10))
	b.WriteString("\nday=")
	b.WriteString(day)
	b.WriteString("\nrecord_hash=")
	b.WriteString(hash)
	return b.Bytes()
}

func signCheckpoint(key ed25519.PrivateKey, pos position) (string, error) {
	sig := ed25519.Sign(key, checkpointMessage(pos.seq, pos.day, pos.hash))
	b, err := json.Marshal(signedCheckpoint{Day: pos.day, Seq: pos.seq, Hash: pos.hash,
		Key:       EncodePublicKey(key.Public().(ed25519.PublicKey)),
		Signature: base64.StdEncoding.EncodeToString(sig)})
	return string(b), err
}

func parseSignedCheckpoint(text string) (signedCheckpoint, error) {
	var c signedCheckpoint
	dec := json.NewDecoder(bytes.NewReader([]byte(text)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return c, fmt.Errorf("unreadable signed checkpoint: %v", err)
	}
	if dec.More() {
		return c, errors.New("unreadable signed checkpoint: extra data after it")
	}
	if c.Seq == 0 || c.Day == "" || len(c.Hash) != 64 {
		return c, errors.New("signed checkpoint lacks its sequence, day or record hash")
	}
	return c, nil
}

// errOtherKey marks a checkpoint signed by a key the verifier was not given.
var errOtherKey = errors.New("signed by another key")

// verify checks the signature under any of keys. A signature that fails while naming a key
// outside keys is reported as errOtherKey, since that is the likelier story to tell.
func (c signedCheckpoint) verify(keys []ed25519.PublicKey) error {
	sig, err := base64.StdEncoding.DecodeString(c.Signature)
	if err != nil || len(sig) != ed25519.SignatureSize {
		return errors.New("the signature is not a base64 ed25519 signature")
	}
	msg := checkpointMessage(c.Seq, c.Day, c.Hash)
	named := false
	for _, k := range keys {
		if ed25519.Verify(k, msg, sig) {
			return nil
		}
		named = named || EncodePublicKey(k) == c.Key
	}
	if !named {
		return fmt.Errorf("%w (%s)", errOtherKey, c.Key)
	}
	return errors.New("the signature does not match the position it claims (forged or edited)")
}

// loadSignatures reads the store's signed checkpoints; a store that cannot keep them has none.
func loadSignatures(ctx context.Context, head HeadStore) ([]string, error) {
	sh, ok := head.(SignedHeadStore)
	if !ok {
		return nil, nil
	}
	rows, err := sh.AuditSignatures(ctx)
	if err != nil {
		return nil, fmt.Errorf("audit: read signed checkpoints: %w", err)
	}
	return rows, nil
}
