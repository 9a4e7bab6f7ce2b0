package gate

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/symphony-go/symphony/internal/issue"
)

// Entry is what the gate remembers about one issue between polls.
type Entry struct {
	// UpdatedAt, Signature and Content describe the issue as it was scored (see Fingerprint).
	UpdatedAt *time.Time `json:"updated_at,omitempty"`
	Signature string     `json:"comment_signature"`
	Content   string     `json:"content_hash"`

	Outcome   Outcome  `json:"outcome"`
	Score     int      `json:"score"`
	Reason    string   `json:"reason"`
	Questions []string `json:"questions,omitempty"`
	// RoundsAsked counts clarification comments posted so far; it survives re-scoring.
	RoundsAsked int `json:"rounds_asked"`
	// Errored marks an on_error: skip entry, which is never fresh so the next poll retries.
	Errored bool `json:"errored,omitempty"`

	// PendingComment is the decision's comment, kept until the tracker accepts it.
	PendingComment string `json:"pending_comment,omitempty"`
	PendingKey     string `json:"pending_key,omitempty"`
	// PostedKeys are the decisions already commented on, so each is posted once.
	PostedKeys []string   `json:"posted_keys,omitempty"`
	PostedAt   *time.Time `json:"posted_at,omitempty"`
}

// Cache stores entries per issue id. Implementations must be safe for concurrent use on
// different ids.
type Cache interface {
	Load(ctx context.Context, issueID string) (Entry, bool, error)
	Save(ctx context.Context, issueID string, e Entry) error
	Delete(ctx context.Context, issueID string) error
}

// selfBumpWindow is how close the tracker's updated_at may be to our own comment for the bump
// to be ours: Linear moves updatedAt when anyone comments, the gate included.
const selfBumpWindow = 300 * time.Second

// Fingerprint is the part of an issue that decides whether a cached score still holds.
type Fingerprint struct {
	UpdatedAt *time.Time
	// Signature is "<count>:<sha256>" over the human comments; Symphony's own are left out so
	// posting a clarification does not invalidate the score that caused it.
	Signature string
	// Content hashes title, description, labels and state, so an edit is caught even inside
	// the self-bump window.
	Content string
}

// FingerprintOf computes the fingerprint of is.
func FingerprintOf(is issue.Issue) Fingerprint {
	humans := humanComments(is.Comments)
	parts := make([]string, 0, len(humans))
	for _, c := range humans {
		parts = append(parts, c.Author+"\n"+stamp(c.CreatedAt)+"\n"+c.Body)
	}
	sig := sha256.Sum256([]byte(strings.Join(parts, "\n---\n")))
	content := sha256.New()
	for _, field := range append([]string{is.Title, is.Description, is.State}, is.Labels...) {
		// Length-prefixed, so moving text between fields changes the hash.
		fmt.Fprintf(content, "%d:%s", len(field), field)
	}
	return Fingerprint{
		UpdatedAt: is.UpdatedAt,
		Signature: strconv.Itoa(len(humans)) + ":" + hex.EncodeToString(sig[:]),
		Content:   hex.EncodeToString(content.Sum(nil)),
	}
}

// Fresh reports whether e still describes an issue with fingerprint fp: the human comments
// and content are unchanged, and updated_at is either the same or within the self-bump window
// of the gate's own last comment.
func (e Entry) Fresh(fp Fingerprint) bool {
	if e.Errored || e.Signature != fp.Signature || e.Content != fp.Content {
		return false
	}
	if sameTime(e.UpdatedAt, fp.UpdatedAt) {
		return true
	}
	if e.PostedAt == nil || fp.UpdatedAt == nil {
		return false
	}
	gap := fp.UpdatedAt.Sub(*e.PostedAt)
	return gap >= -selfBumpWindow && gap <= selfBumpWindow
}

func sameTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.Equal(*b)
}

func (e Entry) posted(key string) bool {
	for _, k := range e.PostedKeys {
		if k == key {
			return true
		}
	}
	return false
}

// MemoryCache keeps entries for the life of the process.
type MemoryCache struct {
	mu      sync.Mutex
	entries map[string]Entry
}

// NewMemoryCache returns an empty MemoryCache.
func NewMemoryCache() *MemoryCache { return &MemoryCache{entries: map[string]Entry{}} }

func (m *MemoryCache) Load(_ context.Context, id string) (Entry, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.entries[id]
	return e, ok, nil
}

func (m *MemoryCache) Save(_ context.Context, id string, e Entry) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.entries[id] = e
	return nil
}

func (m *MemoryCache) Delete(_ context.Context, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.entries, id)
	return nil
}

// KV is the store's key-value API (*store.Store implements it).
type KV interface {
	PutValue(ctx context.Context, namespace, key string, value []byte) error
	Value(ctx context.Context, namespace, key string) ([]byte, bool, error)
	DeleteValue(ctx context.Context, namespace, key string) error
}

// KVNamespace is the store namespace holding gate entries, one per issue id.
const KVNamespace = "issue_gate"

// KVCache persists entries in the store so a restart does not re-score unchanged issues.
type KVCache struct{ kv KV }

// NewKVCache returns a Cache over kv.
func NewKVCache(kv KV) *KVCache { return &KVCache{kv: kv} }

func (c *KVCache) Load(ctx context.Context, id string) (Entry, bool, error) {
	raw, ok, err := c.kv.Value(ctx, KVNamespace, id)
	if err != nil || !ok {
		return Entry{}, false, err
	}
	var e Entry
	if err := json.Unmarshal(raw, &e); err != nil {
		// A corrupt entry only costs one re-score; refusing the issue forever would be worse.
		return Entry{}, false, nil
	}
	return e, true, nil
}

func (c *KVCache) Save(ctx context.Context, id string, e Entry) error {
	raw, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("issue gate: encode cache entry for %s: %w", id, err)
	}
	return c.kv.PutValue(ctx, KVNamespace, id, raw)
}

func (c *KVCache) Delete(ctx context.Context, id string) error {
	return c.kv.DeleteValue(ctx, KVNamespace, id)
}
