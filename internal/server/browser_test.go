package server

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/symphony-go/symphony/internal/orchestrator"
	"github.com/symphony-go/symphony/internal/testenv"
)

// liveWait is how soon a change must show on an open page (issue 21); uiWait bounds the
// answer to a click, generous because the machine running the tests may be busy.
const (
	liveWait = 2 * time.Second
	uiWait   = 5 * time.Second
)

// xssTitle is a tracker-supplied title that must reach the operator as text.
const xssTitle = "<script>alert(1)</script>"

// chromiumPath finds Debian's chromium: $SYMPHONY_CHROMIUM_BIN, else chromium on PATH.
func chromiumPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("SYMPHONY_CHROMIUM_BIN"); p != "" {
		return testenv.File(t, "chromium (SYMPHONY_CHROMIUM_BIN)", p)
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	testenv.Missing(t, "chromium (apt-get install chromium)")
	return ""
}

// browser starts a headless Chromium for the test and returns a context for one tab in it.
// The browser runs in its own process group, which is killed when the test ends, whatever way
// it ends (chromedp also kills what still uses the profile directory).
func browser(t *testing.T) context.Context {
	t.Helper()
	var mu sync.Mutex
	var cmd *exec.Cmd
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ModifyCmdFunc(func(c *exec.Cmd) {
			if c.SysProcAttr == nil {
				c.SysProcAttr = &syscall.SysProcAttr{}
			}
			c.SysProcAttr.Setpgid = true
			mu.Lock()
			cmd = c
			mu.Unlock()
		}),
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 800),
	}
	ctx, cancelTimeout := context.WithTimeout(context.Background(), 90*time.Second)
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	tab, cancelTab := chromedp.NewContext(alloc)
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc()
		cancelTimeout()
		mu.Lock()
		defer mu.Unlock()
		if cmd != nil && cmd.Process != nil {
			// The group may be gone already; nothing is left to kill then.
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		}
	})
	if err := chromedp.Do(tab); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	return tab
}

// stoppingOrchestrator is the scripted service whose Stop marks the row as stopping and
// publishes, as the real loop does.
type stoppingOrchestrator struct{ *scripted }

func (o stoppingOrchestrator) StopIssue(id string) error {
	if err := o.record("stop " + id); err != nil {
		return err
	}
	o.publish(func(s *orchestrator.Snapshot) {
		s.Running = slices.Clone(s.Running)
		for i := range s.Running {
			if s.Running[i].Identifier == id {
				s.Running[i].StopRequested = orchestrator.StopReason("operator")
			}
		}
	})
	return nil
}

// browserEnv serves the example service with a hostile title on ENG-2 on a real listener.
func browserEnv(t *testing.T) (*scripted, string) {
	t.Helper()
	snap := exampleSnapshot()
	snap.Running = slices.Clone(snap.Running)
	snap.Running[1].Title = xssTitle
	orch := newScripted(snap)
	orch.trans = exampleTranscripts()
	srv, err := New(Options{Orchestrator: stoppingOrchestrator{orch}, Runs: &fixedRuns{runs: exampleRuns()}, AuditDir: t.TempDir(),
		Token: testToken, Host: "127.0.0.1", PublishInterval: 100 * time.Millisecond, PageRefresh: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return orch, ts.URL
}

// textOf reads the text of sel in one script step, so a section swapped in meanwhile cannot
// pull the node out from under the read.
func textOf(t *testing.T, tab context.Context, sel string) string {
	t.Helper()
	got, found, err := textNow(tab, sel)
	if err != nil || !found {
		t.Fatalf("text of %s: found %v, %v", sel, found, err)
	}
	return got
}

func textNow(tab context.Context, sel string) (text string, found bool, err error) {
	quoted, _ := json.Marshal(sel)
	res, err := chromedp.Run(tab, chromedp.Evaluate[*string](`(() => { const e = document.querySelector(`+string(quoted)+`); return e ? e.innerText : null })()`))
	if err != nil || res == nil {
		return "", false, err
	}
	return *res, true, nil
}

func drive(t *testing.T, tab context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(tab, steps...); err != nil {
		t.Fatal(err)
	}
}

// waitVisible waits at most within for sel to be visible.
func waitVisible(t *testing.T, tab context.Context, sel string, within time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(tab, within)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(sel))); err != nil {
		html, _ := chromedp.Run(tab, chromedp.OuterHTML(chromedp.CSS("main")))
		t.Fatalf("%s did not show within %s: %v\n%s", sel, within, err, html)
	}
}

// waitText waits at most within for the text of sel to contain want.
func waitText(t *testing.T, tab context.Context, sel, want string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		got, _, err := textNow(tab, sel)
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		if strings.Contains(got, want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s says %q, not %q, after %s", sel, got, want, within)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func apiState(t *testing.T, base string) State {
	t.Helper()
	resp, err := http.Get(base + "/api/v1/state")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st State
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		t.Fatal(err)
	}
	return st
}

// TestDashboardInChromium loads / in real headless Chromium and works it as an operator does.
func TestDashboardInChromium(t *testing.T) {
	orch, base := browserEnv(t)
	tab := browser(t)
	var dialogs []string
	var dialogMu sync.Mutex
	opened := chromedp.Events(tab, cdppage.JavascriptDialogOpening)
	go func() {
		for ev, err := range opened {
			if err != nil {
				return
			}
			dialogMu.Lock()
			dialogs = append(dialogs, ev.Message)
			dialogMu.Unlock()
			_, _ = chromedp.Call(tab, cdppage.HandleJavaScriptDialog, cdppage.HandleJavaScriptDialogParams{Accept: false})
		}
	}()
	drive(t, tab, chromedp.Navigate(base+"/#token="+testToken))
	waitVisible(t, tab, `tr[data-issue="ENG-1"]`, 5*time.Second)
	waitVisible(t, tab, `#live-status.live`, 5*time.Second)

	t.Run("the token leaves the address bar and never shows", func(t *testing.T) {
		href, err := chromedp.Run(tab, chromedp.Location())
		if err != nil {
			t.Fatal(err)
		}
		html, err := chromedp.Run(tab, chromedp.OuterHTML(chromedp.CSS("html")))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(href, testToken) || strings.Contains(html, testToken) {
			t.Errorf("the token is visible: location %s", href)
		}
		stored, err := chromedp.Run(tab, chromedp.Evaluate[string](`sessionStorage.getItem("symphony-control-token")`))
		if err != nil || stored != testToken {
			t.Errorf("session storage holds %q (%v), want the token", stored, err)
		}
		if hidden, err := chromedp.Run(tab, chromedp.Evaluate[bool](`document.getElementById("unlock").hidden`)); err != nil || !hidden {
			t.Errorf("the unlock form shows although the tab has the token (%v)", err)
		}
	})

	t.Run("a hostile title renders as text", func(t *testing.T) {
		if got := textOf(t, tab, `tr[data-issue="ENG-2"] .title`); got != xssTitle {
			t.Errorf("title cell %q, want the literal %q", got, xssTitle)
		}
		dialogMu.Lock()
		defer dialogMu.Unlock()
		if len(dialogs) > 0 {
			t.Errorf("the page opened dialogs %q", dialogs)
		}
	})

	t.Run("rows update from the event stream without a reload", func(t *testing.T) {
		if _, err := chromedp.Run(tab, chromedp.Evaluate[string](`window.loadedOnce = "yes"`)); err != nil {
			t.Fatal(err)
		}
		changedAt := time.Now()
		orch.publish(func(s *orchestrator.Snapshot) {
			s.Running = slices.Clone(s.Running)
			s.Running[0].Turns = 9
			s.Running = append(s.Running, orchestrator.RunningRow{IssueID: "id-8", Identifier: "ENG-8", Title: "New work", RepoKey: "web",
				State: "In Progress", StartedAt: epoch, LastEvent: "session_started", LastMessage: "session started"})
		})
		waitVisible(t, tab, `#running tr[data-issue="ENG-8"]`, liveWait)
		t.Logf("a new running row showed %s after the change", time.Since(changedAt).Round(time.Millisecond))
		if got := textOf(t, tab, `tr[data-issue="ENG-1"] td.num`); got != "9" {
			t.Errorf("ENG-1 turn %q after the update, want 9", got)
		}
		if marker, err := chromedp.Run(tab, chromedp.Evaluate[string](`window.loadedOnce || "reloaded"`)); err != nil || marker != "yes" {
			t.Errorf("the page reloaded (marker %q, %v)", marker, err)
		}
	})

	t.Run("pause needs a confirm and then holds dispatch", func(t *testing.T) {
		pause := `#pause-state button[data-action="pause"]`
		drive(t, tab, chromedp.SendKeys(chromedp.CSS(`#pause-reason`), "incident 42"), chromedp.Click(chromedp.CSS(pause)))
		if got := textOf(t, tab, pause); got != "Confirm pause" {
			t.Errorf("after one click the button says %q, want Confirm pause", got)
		}
		if st := apiState(t, base); st.Pause.Paused {
			t.Fatal("one click paused dispatch; the confirm step was skipped")
		}
		drive(t, tab, chromedp.Click(chromedp.CSS(pause)))
		waitVisible(t, tab, `#pause-state .pause-reason`, uiWait)
		if got := textOf(t, tab, `#pause-state .pause-reason`); got != "incident 42" {
			t.Errorf("the page shows pause reason %q", got)
		}
		waitVisible(t, tab, `#dispatch li[data-kind="manual"]`, uiWait)
		if got := textOf(t, tab, `#dispatch li[data-kind="manual"]`); !strings.Contains(got, "paused by operator: incident 42") {
			t.Errorf("the dispatch card says %q", got)
		}
		if st := apiState(t, base); !st.Pause.Paused || st.Pause.Reason != "incident 42" {
			t.Errorf("API pause %+v, want paused for incident 42", st.Pause)
		}
	})

	t.Run("stop on a row stops that issue", func(t *testing.T) {
		stop := `tr[data-issue="ENG-2"] button[data-action="stop"]`
		drive(t, tab, chromedp.Click(chromedp.CSS(stop)))
		if slices.Contains(orch.Calls(), "stop ENG-2") {
			t.Fatal("one click stopped the issue; the confirm step was skipped")
		}
		// An update while the operator confirms leaves the armed section alone and
		// refreshes the others.
		turns := textOf(t, tab, `tr[data-issue="ENG-1"] td.num`)
		orch.publish(func(s *orchestrator.Snapshot) {
			s.Running = slices.Clone(s.Running)
			s.Running[0].Turns = 10
			s.DailyTokens = 200000
		})
		waitText(t, tab, `#metrics .budget p`, "200,000 used", liveWait)
		if got := textOf(t, tab, stop); got != "Confirm stop ENG-2" {
			t.Errorf("the armed button says %q after an update", got)
		}
		if got := textOf(t, tab, `tr[data-issue="ENG-1"] td.num`); got != turns {
			t.Errorf("the section with an armed button was replaced (ENG-1 turn %q, was %q)", got, turns)
		}
		drive(t, tab, chromedp.Click(chromedp.CSS(stop)))
		waitVisible(t, tab, `tr[data-issue="ENG-2"] .badge`, uiWait)
		if got := textOf(t, tab, `#control-message`); got != "Stop requested for ENG-2." {
			t.Errorf("control message %q", got)
		}
		if calls := orch.Calls(); !slices.Contains(calls, "stop ENG-2") || slices.Contains(calls, "stop ENG-1") {
			t.Errorf("orchestrator calls %q, want a stop of ENG-2 only", calls)
		}
	})

	t.Run("release on a held row releases that issue", func(t *testing.T) {
		release := `tr[data-issue="ENG-7"] button[data-action="unstop"]`
		drive(t, tab, chromedp.Click(chromedp.CSS(release)), chromedp.Click(chromedp.CSS(release)))
		waitText(t, tab, `#control-message`, "ENG-7 released.", uiWait)
		if !slices.Contains(orch.Calls(), "unstop ENG-7") {
			t.Errorf("orchestrator calls %q, want an unstop of ENG-7", orch.Calls())
		}
	})

	t.Run("an armed button disarms itself", func(t *testing.T) {
		resume := `#pause-state button[data-action="resume"]`
		drive(t, tab, chromedp.Click(chromedp.CSS(resume)))
		if got := textOf(t, tab, resume); got != "Confirm resume" {
			t.Fatalf("after one click the button says %q", got)
		}
		waitText(t, tab, resume, "Resume dispatch", 7*time.Second)
		if slices.Contains(orch.Calls(), "resume") {
			t.Error("an unconfirmed resume reached the service")
		}
	})

	t.Run("the issue page follows the transcript", func(t *testing.T) {
		drive(t, tab, chromedp.Navigate(base+"/issues/ENG-1"))
		waitVisible(t, tab, `#transcript li`, 5*time.Second)
		waitVisible(t, tab, `#live-status.live`, 5*time.Second)
		orch.mu.Lock()
		tr := orch.trans["id-1"]
		tr.Events = append(slices.Clone(tr.Events), orchestrator.TranscriptEvent{At: epoch, Kind: "tool_call_failed", Message: "exit 2: go vet ./..."})
		orch.trans["id-1"] = tr
		orch.mu.Unlock()
		orch.publish(func(s *orchestrator.Snapshot) {
			s.Running = slices.Clone(s.Running)
			s.Running[0].LastMessage = "exit 2: go vet ./..."
		})
		waitText(t, tab, `#transcript li:last-child`, "exit 2: go vet ./...", liveWait)
		drive(t, tab, chromedp.Navigate(base+"/"))
		waitVisible(t, tab, `tr[data-issue="ENG-1"]`, 5*time.Second)
	})

	t.Run("a screenshot at 1280x800 is not blank", func(t *testing.T) {
		if _, err := chromedp.Run(tab, chromedp.Evaluate[any](`window.scrollTo(0, 0)`)); err != nil {
			t.Fatal(err)
		}
		drive(t, tab, chromedp.EmulateViewport(1280, 800))
		shot, err := chromedp.Run(tab, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(t.ArtifactDir(), "dashboard-1280x800.png")
		if err := os.WriteFile(path, shot, 0o644); err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(shot))
		if err != nil {
			t.Fatal(err)
		}
		if b := img.Bounds(); b.Dx() != 1280 || b.Dy() != 800 {
			t.Errorf("screenshot is %dx%d", b.Dx(), b.Dy())
		}
		if colours, inked := inkOf(img); colours < 8 || inked < 0.02 {
			t.Errorf("screenshot %s looks blank: %d colours, %.1f%% of pixels differ from the corner", path, colours, 100*inked)
		}
		t.Logf("screenshot saved as %s", path)
	})
}

// inkOf counts the distinct colours of img and the share of pixels unlike its top-left one.
func inkOf(img image.Image) (colours int, inked float64) {
	b := img.Bounds()
	bg := img.At(b.Min.X, b.Min.Y)
	seen := map[[4]uint32]bool{}
	differ := 0
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := img.At(x, y)
			r, g, bl, a := c.RGBA()
			seen[[4]uint32{r, g, bl, a}] = true
			if c != bg {
				differ++
			}
		}
	}
	return len(seen), float64(differ) / float64(b.Dx()*b.Dy())
}

// TestDashboardWithoutJavaScript loads / with scripting off: the server-rendered page shows
// the sessions, hides the buttons that need a script and says how it stays fresh.
func TestDashboardWithoutJavaScript(t *testing.T) {
	_, base := browserEnv(t)
	tab := browser(t)
	if _, err := chromedp.Call(tab, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatal(err)
	}
	drive(t, tab, chromedp.Navigate(base+"/"))
	waitVisible(t, tab, `tr[data-issue="ENG-1"]`, 5*time.Second)
	if got := textOf(t, tab, `#live-status`); got != "static page, reloads every 5s" {
		t.Errorf("live status %q", got)
	}
	hidden, err := chromedp.Run(tab, chromedp.Evaluate[bool](`document.querySelector('tr[data-issue="ENG-1"] button').offsetParent === null`))
	if err != nil {
		t.Fatal(err)
	}
	if !hidden {
		t.Error("the Stop button shows although it cannot work without JavaScript")
	}
	if got := textOf(t, tab, `tr[data-issue="ENG-2"] .title`); got != xssTitle {
		t.Errorf("title cell %q", got)
	}
}

// TestDashboardUnlockForm opens / in a tab that has no token: controls ask for it, refuse a
// malformed one, drop a wrong one and work with the right one.
func TestDashboardUnlockForm(t *testing.T) {
	orch, base := browserEnv(t)
	tab := browser(t)
	pause := `#pause-state button[data-action="pause"]`
	drive(t, tab, chromedp.Navigate(base+"/"))
	waitVisible(t, tab, `#unlock`, 5*time.Second)
	drive(t, tab, chromedp.Click(chromedp.CSS(pause)), chromedp.Click(chromedp.CSS(pause)))
	waitText(t, tab, `#control-message`, "Controls are locked", uiWait)

	unlock := func(token string) {
		drive(t, tab, chromedp.SetValue(chromedp.CSS(`#token-input`), token), chromedp.Click(chromedp.CSS(`#unlock button`)))
	}
	unlock("not-a-token")
	waitText(t, tab, `#control-message`, "A control token is 64 lowercase hex characters.", uiWait)

	unlock(strings.Repeat("f", 64))
	waitText(t, tab, `#control-message`, "Controls unlocked for this tab.", uiWait)
	drive(t, tab, chromedp.Click(chromedp.CSS(pause)), chromedp.Click(chromedp.CSS(pause)))
	waitText(t, tab, `#control-message`, "invalid or missing bearer token", uiWait)
	waitVisible(t, tab, `#unlock`, uiWait)
	if slices.Contains(orch.Calls(), "pause "+DefaultPauseReason) {
		t.Fatal("a wrong token paused dispatch")
	}

	unlock(testToken)
	waitText(t, tab, `#control-message`, "Controls unlocked for this tab.", uiWait)
	drive(t, tab, chromedp.Click(chromedp.CSS(pause)), chromedp.Click(chromedp.CSS(pause)))
	waitText(t, tab, `#control-message`, "Dispatch paused: "+DefaultPauseReason, uiWait)
	if st := apiState(t, base); !st.Pause.Paused {
		t.Error("the unlocked pause did not pause dispatch")
	}
}
