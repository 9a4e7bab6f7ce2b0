package audit

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// EventUnsignedAdopted is written when a keyed log resumes a chain whose newest records no
// signature covers (signing was just switched on, the service crashed before its next signed
// checkpoint, or signatures were removed). The key's next signature covers those records as
// they stand, so verify names the stretch instead of letting the signature vouch for it
// silently.
const EventUnsignedAdopted = "audit_unsigned_adopted"

// ErrSignatureMismatch reports that the run store's newest signed checkpoint does not verify
// with the service's key or does not match the log.
var ErrSignatureMismatch = errors.New("audit: signed checkpoint does not match")

// unsignedStretch is a run of sequences written before the key signed anything after them.
type unsignedStretch struct {
	first, last, lastSigned uint64
}

// checkSignedHead checks the newest signed checkpoint against the resumed log before the
// service signs anything, so its key never vouches for a chain whose signed part was
// rewritten or signed by another key. It returns the records no signature covers yet.
func (l *Log) checkSignedHead(ctx context.Context) (*unsignedStretch, error) {
	rows, err := loadSignatures(ctx, l.opts.Head)
	if err != nil {
		return nil, err
	}
	var newest signedCheckpoint
	for _, row := range rows {
		c, err := parseSignedCheckpoint(row)
		if err != nil {
			return nil, fmt.Errorf("%w: the run store holds a %v; run `symphony audit verify --key`", ErrSignatureMismatch, err)
		}
		if c.Seq > newest.Seq {
			newest = c
		}
	}
	if newest.Seq > 0 {
		pub := l.opts.SigningKey.Public().(ed25519.PublicKey)
		if err := newest.verify([]ed25519.PublicKey{pub}); err != nil {
			return nil, fmt.Errorf("%w: the newest signed checkpoint (sequence %d, %s) does not verify with the key in %s: %v; run `symphony audit verify --key` with the public key you expect",
				ErrSignatureMismatch, newest.Seq, newest.Day, SigningKeyEnv, err)
		}
		switch {
		case newest.Seq > l.lastSeq && !l.opts.AcknowledgeGap:
			return nil, fmt.Errorf("%w: the log in %s ends at sequence %d but sequence %d was signed, so signed records were removed; run `symphony audit verify --key`",
				ErrBehindCheckpoint, l.opts.Dir, l.lastSeq, newest.Seq)
		case newest.Seq <= l.lastSeq:
			if err := l.checkSignedRecord(newest); err != nil {
				return nil, err
			}
		}
	}
	if l.lastSeq <= newest.Seq {
		return nil, nil
	}
	return &unsignedStretch{first: newest.Seq + 1, last: l.lastSeq, lastSigned: newest.Seq}, nil
}

// checkSignedRecord compares the record a signature covers with the log. The tail found at
// Open is usually that record; otherwise (a crash left unsigned records after it) its day
// file is read once.
func (l *Log) checkSignedRecord(c signedCheckpoint) error {
	hash := l.lastHash
	if c.Seq != l.lastSeq {
		var err error
		if hash, err = recordHashAt(filepath.Join(l.opts.Dir, fileName(c.Day)), c.Seq); err != nil {
			return err
		}
	}
	if hash == "" {
		return fmt.Errorf("%w: sequence %d was signed in the day file of %s, which does not hold it, so signed records were removed; run `symphony audit verify --key`",
			ErrSignatureMismatch, c.Seq, c.Day)
	}
	if hash != c.Hash {
		return fmt.Errorf("%w: sequence %d in %s has hash %s but its signed checkpoint says %s, so the log was rewritten; run `symphony audit verify --key`",
			ErrSignatureMismatch, c.Seq, l.opts.Dir, short(hash), short(c.Hash))
	}
	return nil
}

// recordHashAt returns the hash of the contents of record seq in the day file at path, or ""
// when the file does not hold it.
func recordHashAt(path string, seq uint64) (string, error) {
	found := ""
	_, err := eachLine(path, func(ln line) error {
		body, _, ok := unseal(ln.Data)
		if ln.Torn || !ok {
			return nil
		}
		f, err := chainFieldsOf(body)
		if err != nil || f.Seq != seq {
			return nil
		}
		sum := sha256.Sum256(append(append([]byte(nil), body...), '}'))
		found = hex.EncodeToString(sum[:])
		return errStop
	})
	if errors.Is(err, os.ErrNotExist) {
		return "", nil
	}
	return found, err
}

// recordAdoption appends the record naming the unsigned stretch and syncs, which signs it.
func (l *Log) recordAdoption(ctx context.Context, s unsignedStretch) error {
	_, err := l.Append(ctx, Event{Type: EventUnsignedAdopted, Details: map[string]any{
		"first_unsigned_seq": s.first,
		"last_unsigned_seq":  s.last,
		"last_signed_seq":    s.lastSigned,
		"key":                EncodePublicKey(l.opts.SigningKey.Public().(ed25519.PublicKey)),
	}})
	if err != nil {
		return err
	}
	return l.Sync(ctx)
}

// AdoptedStretch is a run of records that were not signed when a keyed service resumed the
// log, and that its later signatures cover only as they stood then.
type AdoptedStretch struct {
	FirstSeq uint64    `json:"first_seq"`
	LastSeq  uint64    `json:"last_seq"`
	File     string    `json:"file"`
	Line     int       `json:"line"`
	At       time.Time `json:"adopted_at"`
}

// adoption reads an adoption record; ok is false for any other record.
func adoption(file string, ln line) (AdoptedStretch, bool) {
	rec, err := decodeLine(ln.Data)
	if err != nil || rec.EventType != EventUnsignedAdopted {
		return AdoptedStretch{}, false
	}
	first, last := detailUint(rec.Details, "first_unsigned_seq"), detailUint(rec.Details, "last_unsigned_seq")
	if first == 0 || last < first || last >= rec.Seq {
		return AdoptedStretch{}, false
	}
	return AdoptedStretch{FirstSeq: first, LastSeq: last, File: file, Line: ln.No, At: rec.Time}, true
}
