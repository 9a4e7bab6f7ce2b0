package cli

import (
	"context"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/symphony-go/symphony/internal/audit"
	"github.com/symphony-go/symphony/internal/config"
	"github.com/symphony-go/symphony/internal/notify"
)

// notificationCloseTimeout bounds how long a replaced or stopping notifier may keep
// delivering what it has queued.
const notificationCloseTimeout = 15 * time.Second

// notificationRecordQueue bounds the outcomes waiting for their audit record; beyond it an
// outcome is only counted and logged, so a stalled disk never holds a delivery worker or the
// scheduler (which reports events dropped on a full channel queue).
const notificationRecordQueue = 256

// liveNotifications delivers the service's notifications with the settings in force: a
// reload builds a new notifier and lets the old one finish its queue in the background.
// Every outcome becomes a metric at once and an audit record through one writer goroutine.
type liveNotifications struct {
	logger  *slog.Logger
	audit   *audit.Log
	count   func(notify.Result)
	current atomic.Pointer[notify.Notifier]
	records chan notify.Result
	done    chan struct{}
	retired sync.WaitGroup
	options notify.Options
}

// auditNotification is the audit record type of one notification outcome.
const auditNotification = "notification"

// newLiveNotifications builds the notifier from cfg and starts the audit writer. count is
// called for every outcome and must not block.
func newLiveNotifications(cfg *config.Config, log *audit.Log, logger *slog.Logger, count func(notify.Result)) (*liveNotifications, error) {
	n := &liveNotifications{logger: logger, audit: log, count: count,
		records: make(chan notify.Result, notificationRecordQueue), done: make(chan struct{})}
	n.options = notify.Options{OnResult: n.onResult}
	current, err := n.build(cfg)
	if err != nil {
		return nil, err
	}
	n.current.Store(current)
	go n.writeRecords()
	return n, nil
}

func (n *liveNotifications) build(cfg *config.Config) (*notify.Notifier, error) {
	opts := n.options
	opts.Secrets = append(cfg.Secrets(), audit.SecretEnvValues(os.Environ())...)
	return notify.New(cfg.Notifications, opts)
}

// Notify queues e on the notifier in force; it never blocks.
func (n *liveNotifications) Notify(e notify.Event) { n.current.Load().Notify(e) }

// ApplyConfig swaps in a notifier built from cfg; settings it refuses keep the old one.
func (n *liveNotifications) ApplyConfig(cfg *config.Config) {
	next, err := n.build(cfg)
	if err != nil {
		n.logger.Error("notification settings from the reloaded configuration are invalid; keeping the previous ones", "error", err)
		return
	}
	old := n.current.Swap(next)
	n.retired.Go(func() { n.closeNotifier(old) })
}

// Close stops accepting events, waits (bounded) for queued deliveries and writes their audit
// records; call it before the audit log closes.
func (n *liveNotifications) Close() {
	n.closeNotifier(n.current.Load())
	n.retired.Wait()
	close(n.records)
	<-n.done
}

func (n *liveNotifications) closeNotifier(nt *notify.Notifier) {
	ctx, cancel := context.WithTimeout(context.Background(), notificationCloseTimeout)
	defer cancel()
	if err := nt.Close(ctx); err != nil {
		n.logger.Warn("notifications still queued at shutdown were abandoned", "error", err)
	}
}

func (n *liveNotifications) onResult(r notify.Result) {
	n.count(r)
	select {
	case n.records <- r:
	default:
		n.logger.Warn("notification outcome not audited: the audit queue is full", "channel", r.Channel, "event", r.Event, "delivered", r.Delivered)
	}
}

// writeRecords turns each outcome into an audit record and a log line.
func (n *liveNotifications) writeRecords() {
	defer close(n.done)
	for r := range n.records {
		details := map[string]any{"channel": r.Channel, "kind": r.Kind, "event": r.Event, "delivered": r.Delivered,
			"attempts": r.Attempts, "status": r.Status, "duration_ms": r.Duration.Milliseconds()}
		if r.Dropped {
			details["dropped"] = true
		}
		if r.Err != nil {
			details["error"] = r.Err.Error()
		}
		ev := audit.Event{Type: auditNotification, IssueIdentifier: r.IssueIdentifier, Details: details}
		ctx, cancel := context.WithTimeout(context.Background(), notificationCloseTimeout)
		if _, err := n.audit.AppendBatch(ctx, []audit.Event{ev}); err != nil {
			n.logger.Warn("recording a notification in the audit log failed", "event", r.Event, "error", err)
		}
		cancel()
		if r.Delivered {
			n.logger.Info("notification delivered", "channel", r.Channel, "event", r.Event, "issue_identifier", r.IssueIdentifier, "attempts", r.Attempts)
		} else {
			n.logger.Warn("notification not delivered", "channel", r.Channel, "event", r.Event, "issue_identifier", r.IssueIdentifier,
				"attempts", r.Attempts, "status", r.Status, "error", errText(r.Err))
		}
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
