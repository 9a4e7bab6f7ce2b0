package server

import (
	"errors"
	"io"
	"strings"
	"testing"
)

func TestReadStateEvents(t *testing.T) {
	for _, tc := range []struct {
		name, stream string
		want         []int
		err          string
	}{
		{name: "two states and heartbeats", stream: ": heartbeat\n\nevent: state\ndata: {\"max_agents\":1}\n\n: heartbeat\n\nevent: state\ndata: {\"max_agents\":2}\n\n",
			want: []int{1, 2}, err: io.ErrUnexpectedEOF.Error()},
		{name: "data split over lines", stream: "event: state\ndata: {\"max_agents\":\ndata: 3}\n\n", want: []int{3}, err: io.ErrUnexpectedEOF.Error()},
		{name: "other events skipped", stream: "event: transcript\ndata: {\"max_agents\":9}\n\nevent: state\ndata:{\"max_agents\":4}\n\n", want: []int{4}, err: io.ErrUnexpectedEOF.Error()},
		{name: "broken document", stream: "event: state\ndata: {\"max_agents\":\n\n", err: "decoding a state event of /api/v1/events"},
		{name: "unfinished event dropped", stream: "event: state\ndata: {\"max_agents\":5}\n", err: io.ErrUnexpectedEOF.Error()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []int
			err := readStateEvents(strings.NewReader(tc.stream), func(st State) { got = append(got, st.MaxAgents) })
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("error %v, want one containing %q", err, tc.err)
			}
			if tc.err == io.ErrUnexpectedEOF.Error() && !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Errorf("error %v does not wrap io.ErrUnexpectedEOF", err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("states %v, want %v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("states %v, want %v", got, tc.want)
				}
			}
		})
	}
}
