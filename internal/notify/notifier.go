package notify

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/symphony-go/symphony/internal/config"
	"github.com/symphony-go/symphony/internal/secretscan"
)

// DefaultQueueSize is how many events a channel holds while its receiver is slow; further
// events are dropped (and reported) rather than blocking the caller.
const DefaultQueueSize = 64

// Options are the dependencies a Notifier takes from its caller. Zero values pick production
// behaviour.
type Options struct {
	// OnResult receives the outcome of every delivery, from the channel's worker goroutine,
	// and of every event dropped on a full queue, from Notify's caller. It must not block:
	// the next delivery on that channel, or the caller, waits for it.
	OnResult func(Result)
	// Secrets are scrubbed verbatim from every payload, on top of the scanner's patterns
	// (pass config.Config.Secrets()).
	Secrets []string
	// Resolver looks up target host names; nil uses net.DefaultResolver.
	Resolver Resolver
	// RootCAs replaces the system roots for TLS; tests pass their httptest server's pool.
	RootCAs *x509.CertPool
	// Now is the clock for timestamps and durations; nil uses time.Now.
	Now func() time.Time
	// Sleep waits between attempts; nil uses a timer that stops early when ctx ends.
	Sleep func(ctx context.Context, d time.Duration) error
	// QueueSize bounds each channel's queue; 0 uses DefaultQueueSize.
	QueueSize int
}

// Notifier fans events out to the configured channels. It is safe for concurrent use.
type Notifier struct {
	channels []*channel
	now      func() time.Time

	mu     sync.RWMutex
	closed bool
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// New builds a Notifier for n and starts one worker per channel. It returns a Notifier with
// no channels when notifications are disabled. Call Close to stop the workers.
func New(n config.Notifications, opts Options) (*Notifier, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Sleep == nil {
		opts.Sleep = sleepContext
	}
	if opts.Resolver == nil {
		opts.Resolver = net.DefaultResolver
	}
	if opts.OnResult == nil {
		opts.OnResult = func(Result) {}
	}
	if opts.QueueSize <= 0 {
		opts.QueueSize = DefaultQueueSize
	}
	ctx, cancel := context.WithCancel(context.Background())
	nt := &Notifier{now: opts.Now, cancel: cancel}
	if !n.Enabled {
		return nt, nil
	}
	clean := sanitizer{scanner: secretscan.New(append(channelSecrets(n), opts.Secrets...)...)}
	var errs []error
	for i, cc := range n.Channels {
		ch, err := newChannel(i, cc, n.RedactTitles, opts, clean)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		nt.channels = append(nt.channels, ch)
	}
	if err := errors.Join(errs...); err != nil {
		cancel()
		return nil, err
	}
	for _, ch := range nt.channels {
		nt.wg.Add(1)
		go func() {
			defer nt.wg.Done()
			ch.run(ctx)
		}()
	}
	return nt, nil
}

// channelSecrets are the notification settings' own secrets: a webhook URL (Slack's path is
// its credential) and header values must never be echoed into a payload, even if the caller
// forgot to list them in Options.Secrets.
func channelSecrets(n config.Notifications) []string {
	var out []string
	for _, cc := range n.Channels {
		out = append(out, cc.WebhookURL, cc.URL)
		for _, v := range cc.Headers {
			out = append(out, v)
		}
	}
	return out
}

// Notify queues e for every channel subscribed to it and returns at once. A full queue drops
// the event for that channel and reports it through OnResult with Dropped set; an unknown
// event name is reported once, with no Channel, and sent nowhere.
func (n *Notifier) Notify(e Event) {
	if e.Time.IsZero() {
		e.Time = n.now()
	}
	n.mu.RLock()
	defer n.mu.RUnlock()
	if n.closed {
		return
	}
	if !knownEvent(e.Name) {
		// A caller bug, not a delivery problem: report it once so it shows in the audit log
		// instead of sending a message no formatter understands.
		if len(n.channels) > 0 {
			n.channels[0].report(Result{Event: e.Name, IssueIdentifier: e.IssueIdentifier, Err: fmt.Errorf("unknown notification event %q", e.Name)})
		}
		return
	}
	for _, ch := range n.channels {
		if !ch.wants(e.Name) {
			continue
		}
		select {
		case ch.queue <- e:
		default:
			ch.report(Result{Channel: ch.name, Kind: ch.kind, Event: e.Name, IssueIdentifier: e.IssueIdentifier,
				Dropped: true, Err: fmt.Errorf("queue full (%d events waiting)", cap(ch.queue))})
		}
	}
}

// Close stops accepting events and lets the workers finish what is queued. When ctx ends
// first, in-flight deliveries are cancelled (and reported as failed) and Close returns
// ctx's error once the workers have exited.
func (n *Notifier) Close(ctx context.Context) error {
	n.mu.Lock()
	if !n.closed {
		n.closed = true
		for _, ch := range n.channels {
			close(ch.queue)
		}
	}
	n.mu.Unlock()
	done := make(chan struct{})
	go func() {
		n.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		n.cancel()
		return nil
	case <-ctx.Done():
		n.cancel()
		<-done
		return ctx.Err()
	}
}

// channel is one configured destination with its own queue, worker and HTTP client.
type channel struct {
	name         string
	kind         string
	url          string
	headers      map[string]string
	events       []string
	redactTitles bool
	clean        sanitizer
	client       *http.Client
	queue        chan Event
	now          func() time.Time
	sleep        func(context.Context, time.Duration) error
	report       func(Result)
}

func newChannel(i int, cc config.Channel, redactTitles bool, opts Options, clean sanitizer) (*channel, error) {
	key := fmt.Sprintf("notifications.channels[%d]", i)
	target := cc.WebhookURL
	urlKey := key + ".webhook_url"
	if cc.Kind == "webhook" {
		target, urlKey = cc.URL, key+".url"
	}
	if err := checkChannel(key, cc); err != nil {
		return nil, err
	}
	u, err := checkTarget(target, cc.AllowPrivate)
	if err != nil {
		return nil, fmt.Errorf("%s %v", urlKey, err)
	}
	return &channel{
		name:         key,
		kind:         cc.Kind,
		url:          u.String(),
		headers:      cc.Headers,
		events:       cc.Events,
		redactTitles: redactTitles,
		clean:        clean,
		client:       newClient(guardedDialer{resolver: opts.Resolver, allowPrivate: cc.AllowPrivate}, opts.RootCAs),
		queue:        make(chan Event, opts.QueueSize),
		now:          opts.Now,
		sleep:        opts.Sleep,
		report:       opts.OnResult,
	}, nil
}

// wants reports whether the channel subscribes to event; no list means every event.
func (c *channel) wants(event string) bool {
	return len(c.events) == 0 || slices.Contains(c.events, event)
}

func (c *channel) run(ctx context.Context) {
	for e := range c.queue {
		c.report(c.deliver(ctx, e))
	}
}

// requestTimeout bounds one attempt, connect to last byte.
const requestTimeout = 5 * time.Second

// newClient builds a client that dials only through the guard, ignores proxy settings (a proxy
// would make the guard check the proxy instead of the target) and never follows redirects.
func newClient(d guardedDialer, roots *x509.CertPool) *http.Client {
	transport := &http.Transport{
		Proxy:               nil,
		DialContext:         d.DialContext,
		ForceAttemptHTTP2:   true,
		TLSHandshakeTimeout: requestTimeout,
		MaxIdleConns:        2,
		IdleConnTimeout:     90 * time.Second,
	}
	if roots != nil {
		transport.TLSClientConfig = newTLSConfig(roots)
	}
	return &http.Client{
		Transport: transport,
		Timeout:   requestTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

func sleepContext(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
