package server

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/symphony-go/symphony/internal/orchestrator"
	"github.com/symphony-go/symphony/internal/prompt"
	"github.com/symphony-go/symphony/internal/store"
)

// Orchestrator is what the server reads and steers; *orchestrator.Orchestrator implements it.
type Orchestrator interface {
	Snapshot() *orchestrator.Snapshot
	Published() <-chan struct{}
	Transcript(idOrIdentifier string) (orchestrator.Transcript, bool)
	Pause(reason string) error
	Resume() error
	StopIssue(idOrIdentifier string) error
	Unstop(idOrIdentifier string) error
	RefreshNow() error
	DispatchPR(repoKey string, pr prompt.PullRequest) error
}

// RunStore lists run history; *store.Store implements it.
type RunStore interface {
	Runs(ctx context.Context, f store.RunFilter) ([]store.Run, error)
}

// PRWatchStore lists the pull-request pollers' rows; *store.Store implements it.
type PRWatchStore interface {
	PRWatches(ctx context.Context, poller string) ([]store.PRWatch, error)
}

var (
	_ Orchestrator = (*orchestrator.Orchestrator)(nil)
	_ RunStore     = (*store.Store)(nil)
	_ PRWatchStore = (*store.Store)(nil)
)

// Defaults of the live-stream knobs.
const (
	// DefaultPublishInterval is the least time between two SSE state events
	// (dashboard.snapshot_publish_ms).
	DefaultPublishInterval = 500 * time.Millisecond
	// DefaultHeartbeat is how often an idle SSE stream gets a comment, so proxies and clients
	// can tell a quiet stream from a dead one.
	DefaultHeartbeat = 15 * time.Second
	// DefaultClientBuffer is how many state events may wait for one slow SSE client before
	// it is dropped.
	DefaultClientBuffer = 8
)

// Options configures a Server.
type Options struct {
	Orchestrator Orchestrator
	Runs         RunStore
	// PullRequests, when set, adds what the pull-request pollers watch to the state; the
	// service leaves it nil while they are off.
	PullRequests PRWatchStore
	// AuditDir is the audit log directory (audit.Dir of the state root).
	AuditDir string
	// Token is the control bearer token (EnsureToken) that TCP control requests must carry.
	Token string
	// Host is the host the TCP listener is bound to; browser requests whose Origin names it
	// pass the same-origin rule, like localhost, 127.0.0.1 and ::1.
	Host string
	// AllowedOrigins are more host names browsers may send control requests from
	// (SYMPHONY_DASHBOARD_ALLOWED_ORIGINS).
	AllowedOrigins []string
	// PublishInterval, Heartbeat and ClientBuffer tune the SSE stream; zero means the default.
	PublishInterval time.Duration
	Heartbeat       time.Duration
	ClientBuffer    int
	// PageRefresh is how often the HTML pages reload in a browser without JavaScript
	// (dashboard.refresh_ms); zero means DefaultPageRefresh.
	PageRefresh time.Duration
	// ResolvePR looks up the pull request of a dispatch_pr request; without it that route
	// answers 503.
	ResolvePR PRResolver
	// Metrics, when set, is served at GET /metrics.
	Metrics http.Handler
	// Learnings, when set, is served at GET /api/v1/learnings and on the /learnings page.
	Learnings LearningStore
	Logger    *slog.Logger
	// Now stamps answers that report when they were asked; it defaults to time.Now.
	Now func() time.Time
}

// Server answers the read and control API. One Server backs both listeners: Handler for TCP
// and SocketHandler for the Unix socket.
type Server struct {
	opts Options
	hub  *hub
	tcp  http.Handler
	sock http.Handler
}

// New checks opts and builds the handlers.
func New(opts Options) (*Server, error) {
	var missing []error
	if opts.Orchestrator == nil {
		missing = append(missing, errors.New("server: Options.Orchestrator is nil"))
	}
	if opts.Runs == nil {
		missing = append(missing, errors.New("server: Options.Runs is nil"))
	}
	if opts.AuditDir == "" {
		missing = append(missing, errors.New("server: Options.AuditDir is empty"))
	}
	if !validToken(opts.Token) {
		missing = append(missing, errors.New("server: Options.Token is not 64 lowercase hex characters"))
	}
	if err := errors.Join(missing...); err != nil {
		return nil, err
	}
	if opts.PublishInterval <= 0 {
		opts.PublishInterval = DefaultPublishInterval
	}
	if opts.Heartbeat <= 0 {
		opts.Heartbeat = DefaultHeartbeat
	}
	if opts.ClientBuffer <= 0 {
		opts.ClientBuffer = DefaultClientBuffer
	}
	if opts.PageRefresh <= 0 {
		opts.PageRefresh = DefaultPageRefresh
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Server{opts: opts}
	s.hub = newHub(opts.Orchestrator, opts.PublishInterval, opts.ClientBuffer)
	s.hub.render = func(snap *orchestrator.Snapshot) State { return s.state(context.Background(), snap) }
	s.tcp = s.routes(s.tcpGuard)
	s.sock = s.routes(func(h http.HandlerFunc) http.HandlerFunc { return h })
	return s, nil
}

// Handler serves the API on the TCP listener: control requests need the bearer token and,
// from a browser, the same origin.
func (s *Server) Handler() http.Handler { return s.tcp }

// SocketHandler serves the same API on the Unix socket. The socket file is 0600 in the 0700
// state root, so only the service's own user can connect, and that user can read the
// control token file anyway: asking the socket's clients for the token would add nothing.
// No browser can reach a Unix socket, so the origin rule does not apply either.
func (s *Server) SocketHandler() http.Handler { return s.sock }

// route is one API endpoint. Control endpoints get the listener's guard.
type route struct {
	method, path string
	handler      http.HandlerFunc
	control      bool
}

func (s *Server) table() []route {
	t := []route{
		{http.MethodGet, "/api/v1", s.getIndex, false},
		{http.MethodGet, "/api/v1/state", s.getState, false},
		{http.MethodGet, "/api/v1/issues/{identifier}", s.getIssue, false},
		{http.MethodGet, "/api/v1/issues/{identifier}/transcript", s.getTranscript, false},
		{http.MethodGet, "/api/v1/runs", s.getRuns, false},
		{http.MethodGet, "/api/v1/audit", s.getAudit, false},
	}
	if s.opts.Learnings != nil {
		t = append(t, route{http.MethodGet, "/api/v1/learnings", s.getLearnings, false})
	}
	t = append(t, []route{
		{http.MethodGet, "/api/v1/events", s.getEvents, false},
		{http.MethodPost, "/api/v1/control/pause", s.postPause, true},
		{http.MethodPost, "/api/v1/control/resume", s.postResume, true},
		{http.MethodPost, "/api/v1/control/stop", s.postStop, true},
		{http.MethodPost, "/api/v1/control/unstop", s.postUnstop, true},
		{http.MethodPost, "/api/v1/control/refresh", s.postRefresh, true},
		{http.MethodPost, "/api/v1/control/dispatch_pr", s.postDispatchPR, true},
	}...)
	if s.opts.Metrics != nil {
		t = append(t, route{http.MethodGet, "/metrics", s.opts.Metrics.ServeHTTP, false})
	}
	return t
}

func (s *Server) routes(guardControl func(http.HandlerFunc) http.HandlerFunc) http.Handler {
	mux := http.NewServeMux()
	for _, rt := range append(s.table(), s.pageTable()...) {
		h := rt.handler
		if rt.control {
			h = guardControl(h)
		}
		path := rt.path
		if path == "/" {
			// "/" alone would match every path; the root document is only the root.
			path = "/{$}"
		}
		allow := rt.method
		if rt.method == http.MethodGet {
			allow += ", " + http.MethodHead
		}
		mux.HandleFunc(rt.method+" "+path, h)
		// The method-less pattern catches every other method on a known path.
		mux.HandleFunc(path, methodNotAllowed(allow))
	}
	mux.HandleFunc("/", notFound)
	return mux
}

// Routes lists every "METHOD /path" the API serves, in documentation order.
func (s *Server) Routes() []string {
	var out []string
	for _, rt := range s.table() {
		out = append(out, rt.method+" "+rt.path)
	}
	return out
}

// Index is the document of GET /api/v1: a map of the API for tools that find it by hand.
type Index struct {
	Name   string   `json:"name"`
	API    string   `json:"api"`
	Routes []string `json:"routes"`
}

func (s *Server) getIndex(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, Index{Name: "symphony", API: "/api/v1", Routes: s.Routes()})
}

func (s *Server) getState(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.state(r.Context(), s.opts.Orchestrator.Snapshot()))
}
