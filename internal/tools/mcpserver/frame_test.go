package mcpserver

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

func readAllFrames(input string, limit, bufSize int) (frames []string, tooLarge int, err error) {
	f := &frameReader{r: bufio.NewReaderSize(strings.NewReader(input), bufSize), limit: limit}
	for i := 0; i <= len(input); i++ {
		frame, err := f.next()
		var tl *frameTooLargeError
		switch {
		case errors.As(err, &tl):
			tooLarge++
		case errors.Is(err, io.EOF):
			return frames, tooLarge, nil
		case err != nil:
			return frames, tooLarge, err
		default:
			frames = append(frames, string(frame))
		}
	}
	return frames, tooLarge, errors.New("frame reader did not reach EOF")
}

func TestFrameReader(t *testing.T) {
	tests := []struct {
		name, input  string
		limit        int
		want         []string
		wantTooLarge int
	}{
		{"lines", "a\nb\n", 10, []string{"a", "b"}, 0},
		{"blank lines and crlf skipped", "\n\r\n  \na\r\n\n\nb\r\n", 10, []string{"a", "b"}, 0},
		{"trailing frame at eof", "a\nlast", 10, []string{"a", "last"}, 0},
		{"exactly the limit", "abcd\nabcd", 4, []string{"abcd", "abcd"}, 0},
		{"over the limit then more", "abcde\nok\n", 4, []string{"ok"}, 1},
		{"long line over the buffer", strings.Repeat("x", 100) + "\nok\n" + strings.Repeat("z", 50), 20, []string{"ok"}, 2},
		{"empty", "", 4, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, tooLarge, err := readAllFrames(tt.input, tt.limit, 16)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(got, "|") != strings.Join(tt.want, "|") || tooLarge != tt.wantTooLarge {
				t.Errorf("frames %q (%d too large), want %q (%d)", got, tooLarge, tt.want, tt.wantTooLarge)
			}
		})
	}
}

func FuzzFrameReader(f *testing.F) {
	for _, seed := range []string{"a\nb\n", "\r\n\r\n", `{"id":1}` + "\n" + strings.Repeat("q", 40), ""} {
		f.Add(seed, 8)
	}
	f.Fuzz(func(t *testing.T, input string, limit int) {
		if limit < 1 || limit > 64 {
			limit = 1 + (limit%64+64)%64
		}
		frames, _, err := readAllFrames(input, limit, 16)
		if err != nil {
			t.Fatal(err)
		}
		for _, fr := range frames {
			if len(fr) == 0 || len(fr) > limit || strings.Contains(fr, "\n") {
				t.Fatalf("frame %q breaks the rules (limit %d)", fr, limit)
			}
			if !strings.Contains(input, fr) {
				t.Fatalf("frame %q is not in the input", fr)
			}
		}
		if total := bytes.Count([]byte(input), []byte("\n")); len(frames) > total+1 {
			t.Fatalf("%d frames from %d lines", len(frames), total+1)
		}
	})
}
