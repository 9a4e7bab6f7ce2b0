package bench

import (
	"bufio"
	"strings"
	"time"
)

// dispatchMessage is the service's log message for each issue it dispatches.
const dispatchMessage = " msg=dispatching "

// firstDispatch finds the time of the service's first dispatch in its text log on stderr
// (slog's time= field, millisecond precision), so the start-up before the first poll can be
// told apart from the starting of the agents. ok is false when the log holds none.
func firstDispatch(log string) (at time.Time, ok bool) {
	sc := bufio.NewScanner(strings.NewReader(log))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if !strings.Contains(line, dispatchMessage) {
			continue
		}
		field, _, _ := strings.Cut(line, " ")
		value, found := strings.CutPrefix(field, "time=")
		if !found {
			continue
		}
		if t, err := time.Parse(time.RFC3339Nano, value); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}
