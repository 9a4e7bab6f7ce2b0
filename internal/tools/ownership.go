package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
)

// CommentOwnership remembers which comments an issue's runs created, so the agent may edit or
// delete those and no one else's. It must survive a restart: a resumed run still owns what
// its predecessor wrote.
type CommentOwnership interface {
	Owns(ctx context.Context, issueID, commentID string) (bool, error)
	Own(ctx context.Context, issueID, commentID string) error
	// Disown forgets a comment, once it is deleted.
	Disown(ctx context.Context, issueID, commentID string) error
}

// KV is the durable key-value store ownership is kept in; *store.Store implements it.
type KV interface {
	Value(ctx context.Context, namespace, key string) ([]byte, bool, error)
	PutValue(ctx context.Context, namespace, key string, value []byte) error
}

// ownershipNamespace is the run store namespace of comment ownership, keyed by issue id.
const ownershipNamespace = "tools.comments"

// StoredOwnership keeps comment ownership in the run store, one JSON list of comment ids per
// issue. Writes are serialised so two concurrent comments cannot drop each other's id.
type StoredOwnership struct {
	kv KV
	mu sync.Mutex
}

// NewStoredOwnership returns ownership kept in kv.
func NewStoredOwnership(kv KV) *StoredOwnership { return &StoredOwnership{kv: kv} }

// Owns reports whether a run of issueID created commentID.
func (o *StoredOwnership) Owns(ctx context.Context, issueID, commentID string) (bool, error) {
	ids, err := o.load(ctx, issueID)
	return slices.Contains(ids, commentID), err
}

// Own records that a run of issueID created commentID.
func (o *StoredOwnership) Own(ctx context.Context, issueID, commentID string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	ids, err := o.load(ctx, issueID)
	if err != nil || slices.Contains(ids, commentID) {
		return err
	}
	return o.save(ctx, issueID, append(ids, commentID))
}

// Disown forgets that a run of issueID created commentID.
func (o *StoredOwnership) Disown(ctx context.Context, issueID, commentID string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	ids, err := o.load(ctx, issueID)
	if err != nil || !slices.Contains(ids, commentID) {
		return err
	}
	return o.save(ctx, issueID, slices.DeleteFunc(ids, func(id string) bool { return id == commentID }))
}

func (o *StoredOwnership) save(ctx context.Context, issueID string, ids []string) error {
	b, err := json.Marshal(ids)
	if err != nil {
		return err
	}
	return o.kv.PutValue(ctx, ownershipNamespace, issueID, b)
}

func (o *StoredOwnership) load(ctx context.Context, issueID string) ([]string, error) {
	b, ok, err := o.kv.Value(ctx, ownershipNamespace, issueID)
	if err != nil || !ok {
		return nil, err
	}
	var ids []string
	if err := json.Unmarshal(b, &ids); err != nil {
		return nil, fmt.Errorf("comment ownership of issue %s is unreadable: %w", issueID, err)
	}
	return ids, nil
}
