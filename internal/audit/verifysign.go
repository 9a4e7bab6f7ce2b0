package audit

import (
	"bytes"
	"crypto/ed25519"
	"errors"
)

// Problems Verify reports when it is given public keys.
const (
	ProblemSignatureMismatch   = "signature_mismatch"
	ProblemBadSignature        = "bad_signature"
	ProblemWrongKey            = "wrong_key"
	ProblemMissingSignature    = "missing_signature"
	ProblemSignedRecordMissing = "signed_record_missing"
)

// storeLocation names the run store in a Break about a signed checkpoint that has no line.
const storeLocation = "run store (audit_signatures)"

// SignatureReport says what Verify learned about the log's signed checkpoints.
type SignatureReport struct {
	// Stored is how many signed checkpoints the run store keeps; zero means an unkeyed log.
	Stored int `json:"stored"`
	// Checked says whether they were verified, which needs VerifyOptions.Keys.
	Checked bool `json:"checked"`
	// Verified counts the signatures checked in the walked range.
	Verified int `json:"verified"`
	// SignedThrough is the newest sequence a verified signature covers; the chain covers
	// everything before it.
	SignedThrough uint64 `json:"signed_through_seq"`
	// UnsignedTail counts the walked records after SignedThrough, which no signature covers.
	UnsignedTail uint64 `json:"unsigned_tail_records"`
	// Adopted lists stretches that were unsigned when a keyed service resumed the log.
	Adopted []AdoptedStretch `json:"adopted_unsigned,omitempty"`
}

// signatureCheck carries the keyed part of a verification across files.
type signatureCheck struct {
	keys  []ed25519.PublicKey
	bySeq map[uint64]signedCheckpoint
	byDay map[string]signedCheckpoint
	// fileSigned says whether the current file's signed checkpoint was found in it.
	fileSigned bool
	// unsignedEnds are days whose last record has no signature, forgiven only if a later
	// adoption record names them: a keyed log signs every day end from its first record on,
	// and a log that became keyed later names what came before in an adoption record, so an
	// unexplained unsigned day end is a removed signature.
	unsignedEnds []unsignedEnd
	// signedMissing are signed records absent from their day file, forgiven only if a later
	// acknowledged gap names them.
	signedMissing []unsignedEnd
}

// unsignedEnd locates a day file's end whose signature is missing or points past it.
type unsignedEnd struct {
	file      string
	line      int
	seq       uint64
	signedSeq uint64
}

// adoptionMarker finds candidate adoption records without decoding every record.
var adoptionMarker = []byte(`"event_type":"` + EventUnsignedAdopted + `"`)

// loadSignatureCheck parses the stored signed checkpoints; with keys it prepares to check
// them and reports a malformed one as a break.
func (v *verifier) loadSignatureCheck(rows []string, keys []ed25519.PublicKey) {
	v.report.Signatures.Stored = len(rows)
	if len(keys) == 0 {
		return
	}
	v.report.Signatures.Checked = true
	s := &signatureCheck{keys: keys, bySeq: map[uint64]signedCheckpoint{}, byDay: map[string]signedCheckpoint{}}
	for _, row := range rows {
		c, err := parseSignedCheckpoint(row)
		if err != nil {
			v.fail(storeLocation, 0, c.Seq, ProblemBadSignature, "%v", err)
			return
		}
		s.bySeq[c.Seq], s.byDay[c.Day] = c, c
	}
	v.sig = s
}

// checkSigned verifies the signature over rec if it has one, and notes adoption records.
func (v *verifier) checkSigned(file, day string, ln line, body []byte, rec *chainFields) error {
	s := v.sig
	if bytes.Contains(body, adoptionMarker) {
		if a, ok := adoption(file, ln); ok {
			v.report.Signatures.Adopted = append(v.report.Signatures.Adopted, a)
		}
	}
	c, ok := s.bySeq[rec.Seq]
	if !ok {
		return nil
	}
	switch {
	case c.Day != day:
		return v.fail(file, ln.No, rec.Seq, ProblemSignatureMismatch, "the signed checkpoint puts sequence %d in the day file of %s, but it is in %s: records were moved between files", rec.Seq, c.Day, file)
	case c.Hash != rec.RecordHash:
		return v.fail(file, ln.No, rec.Seq, ProblemSignatureMismatch, "the record's hash is %s but its signed checkpoint says %s: this record or one before it was rewritten and the chain re-hashed", short(rec.RecordHash), short(c.Hash))
	}
	if err := c.verify(s.keys); err != nil {
		if errors.Is(err, errOtherKey) {
			return v.fail(file, ln.No, rec.Seq, ProblemWrongKey, "the checkpoint over this record is %v, not by a key given to verify", err)
		}
		return v.fail(file, ln.No, rec.Seq, ProblemBadSignature, "the checkpoint over this record does not verify: %v", err)
	}
	s.fileSigned = true
	v.report.Signatures.Verified++
	v.report.Signatures.SignedThrough = max(v.report.Signatures.SignedThrough, rec.Seq)
	return nil
}

// endSignedFile notes what finishSignatures must judge about a walked day file: a signed
// record missing from it, or a day that is over but does not end on a signed record.
func (v *verifier) endSignedFile(file, day string, lastLine int, lastSeq uint64, dayOver bool) {
	s := v.sig
	c, signed := s.byDay[day]
	if signed && !s.fileSigned {
		s.signedMissing = append(s.signedMissing, unsignedEnd{file: file, line: lastLine + 1, seq: lastSeq, signedSeq: c.Seq})
	}
	s.fileSigned = false
	if !dayOver || lastSeq == 0 || (signed && c.Seq == lastSeq) {
		return
	}
	s.unsignedEnds = append(s.unsignedEnds, unsignedEnd{file: file, line: lastLine, seq: lastSeq, signedSeq: c.Seq})
}

// finishSignatures runs the checks that need the whole walk: signed checkpoints for days with
// no file, unsigned day ends no adoption explains, an unsigned head, and what is left
// uncovered at the end.
func (v *verifier) finishSignatures(lastFile, lastDay string, lastLine int, reachesNewest bool) {
	s, sr := v.sig, &v.report.Signatures
	if v.report.Break != nil {
		return
	}
	if reachesNewest {
		var gone *signedCheckpoint
		for _, c := range s.byDay {
			if c.Day > lastDay && !v.acknowledged(c.Seq) && (gone == nil || c.Day < gone.Day) {
				gone = &c
			}
		}
		if gone != nil {
			v.fail(lastFile, lastLine+1, gone.Seq, ProblemSignedRecordMissing, "the run store holds a signature over sequence %d in the day file of %s, which is gone: signed records were removed", gone.Seq, gone.Day)
			return
		}
	}
	if len(s.bySeq) == 0 && v.report.Records > 0 {
		v.fail(storeLocation, 0, v.report.FirstSeq, ProblemMissingSignature, "no record of this log is signed: it was written without %s, or every signature was removed", SigningKeyEnv)
		return
	}
	for _, m := range s.signedMissing {
		if !v.acknowledged(m.signedSeq) {
			v.fail(m.file, m.line, m.signedSeq, ProblemSignedRecordMissing, "sequence %d of this day was signed but is not in the file: signed records were removed", m.signedSeq)
			return
		}
	}
	for _, end := range s.unsignedEnds {
		// A day whose signed records were acknowledged as lost ends unsigned: the store keeps
		// the newest signature per day, and it points into the gap.
		if !adopted(sr.Adopted, end.seq) && !v.acknowledged(end.signedSeq) {
			v.fail(end.file, end.line, end.seq, ProblemMissingSignature, "the day's last record is not signed and no adoption record names it: its signature was removed, or the service ran without %s", SigningKeyEnv)
			return
		}
	}
	if v.report.CheckpointChecked && v.ckSeen {
		if c, ok := s.byDay[v.ckDay]; !ok || c.Seq < v.ckSeq {
			v.fail(v.ckFile, v.ckLine, v.ckSeq, ProblemMissingSignature, "the run store's checkpoint at this record is not signed (newest signature covers sequence %d): the checkpoint was edited, or the service ran without %s", sr.SignedThrough, SigningKeyEnv)
			return
		}
	}
	if v.report.LastSeq > sr.SignedThrough {
		sr.UnsignedTail = v.report.LastSeq - sr.SignedThrough
	}
}

// acknowledged reports whether seq lies in a gap the operator resumed past.
func (v *verifier) acknowledged(seq uint64) bool {
	for _, g := range v.report.Gaps {
		if g.FirstMissing <= seq && seq <= g.LastMissing {
			return true
		}
	}
	return false
}

func adopted(stretches []AdoptedStretch, seq uint64) bool {
	for _, a := range stretches {
		if a.FirstSeq <= seq && seq <= a.LastSeq {
			return true
		}
	}
	return false
}
