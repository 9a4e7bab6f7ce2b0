package audit

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
)

// line is one line of a day file. Torn marks final bytes with no newline: a write a crash cut
// short, since every record is written with its newline in a single write.
type line struct {
	No     int
	Offset int64
	Data   []byte
	Torn   bool
}

// errStop ends eachLine early without reporting an error.
var errStop = errors.New("stop")

// eachLine calls fn for every line of the file at path. Data is only valid during the call.
func eachLine(path string, fn func(line) error) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, fmt.Errorf("audit: open %s: %w", path, err)
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 1<<20)
	var offset int64
	var long []byte
	no := 0
	for {
		chunk, err := r.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			long = append(long, chunk...)
			continue
		}
		data := chunk
		if long != nil {
			data = append(long, chunk...)
			long = nil
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return offset, fmt.Errorf("audit: read %s: %w", path, err)
		}
		if len(data) > 0 {
			no++
			l := line{No: no, Offset: offset, Data: data}
			if data[len(data)-1] == '\n' {
				l.Data = data[:len(data)-1]
			} else {
				l.Torn = true
			}
			offset += int64(len(data))
			if ferr := fn(l); ferr != nil {
				if errors.Is(ferr, errStop) {
					return offset, nil
				}
				return offset, ferr
			}
		}
		if err != nil {
			return offset, nil
		}
	}
}
