package audit

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"os"
	"path/filepath"
	"strconv"
)

// Problems Verify reports, as stable codes.
const (
	ProblemUnreadable    = "unreadable_record"
	ProblemSchema        = "unknown_schema"
	ProblemHashMismatch  = "hash_mismatch"
	ProblemSequenceGap   = "sequence_gap"
	ProblemOutOfOrder    = "out_of_order"
	ProblemPreviousHash  = "previous_hash_mismatch"
	ProblemInserted      = "inserted_record"
	ProblemTornMidChain  = "torn_line"
	ProblemTruncated     = "truncated"
	ProblemCheckpointBad = "checkpoint_mismatch"
)

// VerifyOptions selects what Verify walks.
type VerifyOptions struct {
	Dir string
	// From and To bound the day files walked (YYYY-MM-DD, inclusive); empty means unbounded.
	// With From set, the chain is anchored on the last record before From without re-checking
	// the earlier files.
	From, To string
	// Head is the store holding the checkpoint. Without it, removal of the newest records
	// cannot be detected; Report.CheckpointChecked says whether it was used.
	Head HeadStore
	// Keys are the public keys the log's checkpoints may be signed with. With keys, every
	// stored signature is checked and the chain must be signed; without, signatures are only
	// counted (Report.Signatures).
	Keys []ed25519.PublicKey
}

// Break is the first place the chain is broken.
type Break struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Seq     uint64 `json:"seq"`
	Problem string `json:"problem"`
	Detail  string `json:"detail"`
}

func (b *Break) String() string {
	return fmt.Sprintf("%s line %d (sequence %d): %s: %s", b.File, b.Line, b.Seq, b.Problem, b.Detail)
}

// TornTail is a final line a crash cut short; the next Open moves it aside and records that.
type TornTail struct {
	File   string `json:"file"`
	Line   int    `json:"line"`
	Offset int64  `json:"offset"`
	Bytes  int    `json:"bytes"`
}

// Report is what Verify found.
type Report struct {
	Files             int       `json:"files"`
	Records           int       `json:"records"`
	Bytes             int64     `json:"bytes"`
	FirstSeq          uint64    `json:"first_seq"`
	LastSeq           uint64    `json:"last_seq"`
	CheckpointSeq     uint64    `json:"checkpoint_seq"`
	CheckpointChecked bool      `json:"checkpoint_checked"`
	Break             *Break    `json:"break,omitempty"`
	Torn              *TornTail `json:"torn_tail,omitempty"`
	// Gaps lists sequences lost before a restart that the operator chose to resume past.
	Gaps []Gap `json:"acknowledged_gaps,omitempty"`
	// Signatures is what the keyed checkpoints say; see SignatureReport.
	Signatures SignatureReport `json:"signatures"`
}

// Intact reports whether no break was found. A torn tail alone is a crash, not tampering.
func (r *Report) Intact() bool { return r.Break == nil }

// location is where a verified record sits, kept for the last few records so an inserted
// record can be named precisely when its successor turns out to link past it.
type location struct {
	file string
	line int
	seq  uint64
	hash string
}

const recentRecords = 64

// chainFields are the parts of a record the chain check needs.
type chainFields struct {
	Schema       int
	Seq          uint64
	PreviousHash string
	RecordHash   string
}

// chainFieldsOf reads schema, seq and previous_hash from the hashed part of a stored line by
// position, without decoding the details: the canonical encoding starts with schema and seq
// and ends with previous_hash. The hash has already vouched for these bytes, so a line laid
// out differently was not written by the log.
func chainFieldsOf(body []byte) (chainFields, error) {
	var f chainFields
	rest, ok := bytes.CutPrefix(body, []byte(`{"schema":`))
	if !ok {
		return f, errors.New("it does not start with the schema field")
	}
	schema, rest, ok := bytes.Cut(rest, []byte(`,"seq":`))
	if !ok {
		return f, errors.New("seq does not follow schema")
	}
	seq, _, ok := bytes.Cut(rest, []byte(","))
	if !ok {
		return f, errors.New("nothing follows seq")
	}
	n, err := strconv.Atoi(string(schema))
	if err != nil {
		return f, fmt.Errorf("schema %q is not a number", schema)
	}
	if f.Seq, err = strconv.ParseUint(string(seq), 10, 64); err != nil {
		return f, fmt.Errorf("seq %q is not a number", seq)
	}
	f.Schema = n
	const prevField = `,"previous_hash":"`
	if len(body) < len(prevField)+64+1 || !bytes.HasSuffix(body[:len(body)-65], []byte(prevField)) || body[len(body)-1] != '"' {
		return f, errors.New("previous_hash is not the field before record_hash")
	}
	f.PreviousHash = string(body[len(body)-65 : len(body)-1])
	return f, nil
}

// verifier carries the chain state across files.
type verifier struct {
	hasher     hash.Hash
	sum        [sha256.Size]byte
	report     Report
	expectSeq  uint64
	expectPrev string
	recent     []location
	ckSeq      uint64
	ckHash     string
	ckSeen     bool
	// ckFile, ckDay and ckLine locate the checkpointed record once seen.
	ckFile, ckDay string
	ckLine        int
	// sig is nil unless keys were given.
	sig *signatureCheck
	// fileLastSeq is the last sequence of the file being walked.
	fileLastSeq uint64
}

// Verify walks the chain over the selected day files and reports the first break. Its error is
// for problems reading the files or the checkpoint, never for what it found in them.
func Verify(ctx context.Context, opts VerifyOptions) (Report, error) {
	if opts.Dir == "" {
		return Report{}, fmt.Errorf("audit: VerifyOptions.Dir is empty")
	}
	days, err := listDays(opts.Dir)
	if err != nil {
		return Report{}, err
	}
	inRange, before, err := selectDays(days, opts.From, opts.To)
	if err != nil {
		return Report{}, err
	}
	v := &verifier{expectSeq: 1, expectPrev: GenesisHash, hasher: sha256.New()}
	if len(before) > 0 {
		if err := v.anchor(before); err != nil {
			return Report{}, err
		}
	}
	reachesNewest := len(days) == 0 || (len(inRange) > 0 && inRange[len(inRange)-1] == days[len(days)-1])
	if opts.Head != nil && reachesNewest {
		if v.ckSeq, v.ckHash, err = opts.Head.AuditHead(ctx); err != nil {
			return Report{}, fmt.Errorf("audit: read checkpoint: %w", err)
		}
		v.report.CheckpointSeq = v.ckSeq
		v.report.CheckpointChecked = true
	}
	if opts.Head != nil {
		rows, err := loadSignatures(ctx, opts.Head)
		if err != nil {
			return Report{}, err
		}
		v.loadSignatureCheck(rows, opts.Keys)
		if v.report.Break != nil {
			return v.report, nil
		}
	} else if len(opts.Keys) > 0 {
		return Report{}, errors.New("audit: signatures are kept in the run store, and there is none to check them against")
	}
	// A crash can leave the newest day file created but empty, so a torn tail belongs to the
	// last file that has any bytes.
	tailFile := lastNonEmpty(days)
	lastFile, lastLine := "", 0
	for _, df := range inRange {
		if err := ctx.Err(); err != nil {
			return Report{}, err
		}
		newestFile := reachesNewest && df.Path == tailFile
		v.report.Files++
		v.fileLastSeq = 0
		n, err := eachLine(df.Path, func(ln line) error {
			lastFile, lastLine = filepath.Base(df.Path), ln.No
			return v.check(filepath.Base(df.Path), df.Day, ln, newestFile)
		})
		v.report.Bytes += n
		if err != nil {
			return Report{}, err
		}
		if v.report.Break != nil {
			return v.report, nil
		}
		if lastFile != filepath.Base(df.Path) {
			lastFile, lastLine = filepath.Base(df.Path), 0
		}
		if v.sig != nil {
			v.endSignedFile(lastFile, df.Day, lastLine, v.fileLastSeq, df.Day != days[len(days)-1].Day)
		}
	}
	v.checkTruncation(lastFile, lastLine)
	if v.sig != nil {
		lastDay := ""
		if len(inRange) > 0 {
			lastDay = inRange[len(inRange)-1].Day
		}
		v.finishSignatures(lastFile, lastDay, lastLine, reachesNewest)
	}
	return v.report, nil
}

// selectDays splits days into those inside [from, to] and those before from.
func selectDays(days []dayFile, from, to string) (inRange, before []dayFile, err error) {
	if from != "" {
		if from, err = ParseDay(from); err != nil {
			return nil, nil, err
		}
	}
	if to != "" {
		if to, err = ParseDay(to); err != nil {
			return nil, nil, err
		}
	}
	if from != "" && to != "" && from > to {
		return nil, nil, fmt.Errorf("audit: from date %s is after to date %s", from, to)
	}
	for _, d := range days {
		switch {
		case from != "" && d.Day < from:
			before = append(before, d)
		case to != "" && d.Day > to:
		default:
			inRange = append(inRange, d)
		}
	}
	return inRange, before, nil
}

// anchor takes the last complete record before the range as the chain's starting point.
func (v *verifier) anchor(before []dayFile) error {
	for i := len(before) - 1; i >= 0; i-- {
		var last []byte
		if _, err := eachLine(before[i].Path, func(ln line) error {
			if !ln.Torn {
				last = append(last[:0], ln.Data...)
			}
			return nil
		}); err != nil {
			return err
		}
		if last == nil {
			continue
		}
		rec, err := decodeLine(last)
		if err != nil {
			return fmt.Errorf("audit: cannot anchor on the last record of %s: %v; verify without --from", before[i].Path, err)
		}
		v.expectSeq, v.expectPrev = rec.Seq+1, rec.RecordHash
		return nil
	}
	return nil
}

func (v *verifier) fail(file string, no int, seq uint64, problem, format string, args ...any) error {
	v.report.Break = &Break{File: file, Line: no, Seq: seq, Problem: problem, Detail: fmt.Sprintf(format, args...)}
	return errStop
}

func (v *verifier) check(file, day string, ln line, newestFile bool) error {
	if ln.Torn {
		if newestFile {
			v.report.Torn = &TornTail{File: file, Line: ln.No, Offset: ln.Offset, Bytes: len(ln.Data)}
			return errStop
		}
		return v.fail(file, ln.No, v.expectSeq, ProblemTornMidChain, "the file ends in a line cut short, but later day files continue the chain")
	}
	// The hash covers the line's exact bytes, so any edit, added field or reformatting shows
	// here without decoding the details.
	body, claimed, ok := unseal(ln.Data)
	if !ok {
		return v.fail(file, ln.No, v.expectSeq, ProblemUnreadable, "the line does not end with a record_hash field")
	}
	v.hasher.Reset()
	v.hasher.Write(body)
	v.hasher.Write([]byte{'}'})
	if hex.EncodeToString(v.hasher.Sum(v.sum[:0])) != string(claimed) {
		return v.fail(file, ln.No, v.expectSeq, ProblemHashMismatch, "record_hash does not match the record's contents (edited after writing)")
	}
	rec, err := chainFieldsOf(body)
	if err != nil {
		return v.fail(file, ln.No, v.expectSeq, ProblemUnreadable, "not a valid audit record: %v", err)
	}
	if rec.Schema != SchemaVersion {
		return v.fail(file, ln.No, rec.Seq, ProblemSchema, "schema version %d is not one this build knows (%d)", rec.Schema, SchemaVersion)
	}
	rec.RecordHash = string(claimed)
	if rec.PreviousHash != v.expectPrev {
		return v.linkProblem(file, ln.No, &rec)
	}
	if rec.Seq != v.expectSeq && !v.acceptGap(file, ln, rec) {
		return v.fail(file, ln.No, rec.Seq, ProblemOutOfOrder, "links to sequence %d but is numbered %d", v.expectSeq-1, rec.Seq)
	}
	if v.ckSeq == rec.Seq {
		if v.ckHash != rec.RecordHash {
			return v.fail(file, ln.No, rec.Seq, ProblemCheckpointBad, "the store's checkpoint for this sequence has hash %s, the record has %s (the chain was rewritten from here or earlier)", short(v.ckHash), short(rec.RecordHash))
		}
		v.ckSeen = true
		v.ckFile, v.ckDay, v.ckLine = file, day, ln.No
	}
	if v.sig != nil {
		if err := v.checkSigned(file, day, ln, body, &rec); err != nil {
			return err
		}
	}
	if v.report.Records == 0 {
		v.report.FirstSeq = rec.Seq
	}
	v.report.Records++
	v.report.LastSeq = rec.Seq
	v.fileLastSeq = rec.Seq
	v.expectSeq, v.expectPrev = rec.Seq+1, rec.RecordHash
	v.recent = append(v.recent, location{file: file, line: ln.No, seq: rec.Seq, hash: rec.RecordHash})
	if len(v.recent) > recentRecords {
		v.recent = v.recent[1:]
	}
	return nil
}

// linkProblem explains a previous_hash that does not point at the record before it.
func (v *verifier) linkProblem(file string, no int, rec *chainFields) error {
	for i := len(v.recent) - 2; i >= 0; i-- {
		if v.recent[i].hash == rec.PreviousHash {
			first := v.recent[i+1]
			return v.fail(first.file, first.line, first.seq, ProblemInserted,
				"%s line %d (sequence %d) links to sequence %d, so the %d record(s) from here to it were inserted",
				file, no, rec.Seq, v.recent[i].seq, len(v.recent)-1-i)
		}
	}
	switch {
	case rec.Seq > v.expectSeq:
		where := ""
		if no == 1 {
			where = "; a whole day file may have been deleted"
		}
		return v.fail(file, no, rec.Seq, ProblemSequenceGap, "expected sequence %d, found %d: %d record(s) are missing here (deleted or moved)%s",
			v.expectSeq, rec.Seq, rec.Seq-v.expectSeq, where)
	case rec.Seq < v.expectSeq:
		return v.fail(file, no, rec.Seq, ProblemOutOfOrder, "expected sequence %d, found %d: records were reordered or duplicated", v.expectSeq, rec.Seq)
	case len(v.recent) > 0:
		// The successor still holds the predecessor's original hash, so the predecessor is
		// the record that was rewritten.
		prev := v.recent[len(v.recent)-1]
		return v.fail(prev.file, prev.line, prev.seq, ProblemPreviousHash,
			"this record verifies on its own, but %s line %d (sequence %d) recorded a different hash for it: it was edited and re-hashed",
			file, no, rec.Seq)
	default:
		return v.fail(file, no, rec.Seq, ProblemPreviousHash, "previous_hash does not match the hash of sequence %d before it", rec.Seq-1)
	}
}

// checkTruncation compares where the chain ends with the store's checkpoint.
func (v *verifier) checkTruncation(lastFile string, lastLine int) {
	if v.report.Break != nil || v.ckSeen || v.ckSeq == 0 || v.ckSeq < v.expectSeq {
		return
	}
	if lastFile == "" {
		lastFile = "(no audit files)"
	}
	end := v.expectSeq - 1
	v.report.Break = &Break{File: lastFile, Line: lastLine + 1, Seq: v.expectSeq, Problem: ProblemTruncated,
		Detail: fmt.Sprintf("the store's checkpoint says the chain reaches sequence %d (hash %s) but the log ends at sequence %d: the newest records or day files were removed", v.ckSeq, short(v.ckHash), end)}
}

func short(hash string) string {
	if len(hash) > 12 {
		return hash[:12]
	}
	return hash
}

func lastNonEmpty(days []dayFile) string {
	for i := len(days) - 1; i >= 0; i-- {
		if fi, err := os.Stat(days[i].Path); err == nil && fi.Size() > 0 {
			return days[i].Path
		}
	}
	return ""
}
