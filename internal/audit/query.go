package audit

import (
	"fmt"
	"path/filepath"
)

// QueryOptions selects records for reading back.
type QueryOptions struct {
	Dir string
	// Issue matches a record's issue ID or issue identifier; empty matches every record.
	Issue string
	// From and To bound the day files read (YYYY-MM-DD, inclusive); empty means unbounded.
	From, To string
}

// Query returns the matching records in chain order. It does not verify the chain (Verify
// does); a line it cannot read is an error naming the file and line, and a torn final line is
// skipped because it was never a complete record.
func Query(opts QueryOptions) ([]Record, error) {
	if opts.Dir == "" {
		return nil, fmt.Errorf("audit: QueryOptions.Dir is empty")
	}
	days, err := listDays(opts.Dir)
	if err != nil {
		return nil, err
	}
	inRange, _, err := selectDays(days, opts.From, opts.To)
	if err != nil {
		return nil, err
	}
	var out []Record
	for _, df := range inRange {
		_, err := eachLine(df.Path, func(ln line) error {
			if ln.Torn {
				return nil
			}
			rec, err := decodeLine(ln.Data)
			if err != nil {
				return fmt.Errorf("audit: %s line %d: %v (run `symphony audit verify`)", filepath.Base(df.Path), ln.No, err)
			}
			if opts.Issue == "" || rec.IssueID == opts.Issue || rec.IssueIdentifier == opts.Issue {
				out = append(out, *rec)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}
