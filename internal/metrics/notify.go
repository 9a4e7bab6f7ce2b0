package metrics

import (
	"slices"

	"github.com/symphony-go/symphony/internal/notify"
)

// Delivery outcomes of a notification on one channel.
const (
	deliveryDelivered = "delivered"
	deliveryFailed    = "failed"
	deliveryDropped   = "dropped"
)

var deliveries = []string{deliveryDelivered, deliveryFailed, deliveryDropped}

// otherEvent stands for an event name the notifier does not know, so a caller bug cannot grow
// the label set.
const otherEvent = "other"

// OnNotification counts one notification outcome. It only updates a counter, so the notifier
// may call it from any goroutine, including the scheduler's.
func (m *Metrics) OnNotification(r notify.Result) {
	outcome := deliveryFailed
	switch {
	case r.Delivered:
		outcome = deliveryDelivered
	case r.Dropped:
		outcome = deliveryDropped
	}
	event := r.Event
	if !slices.Contains(notify.Events(), event) {
		event = otherEvent
	}
	channel := r.Kind
	if channel == "" {
		channel = otherEvent
	}
	m.notifications.WithLabelValues(channel, event, outcome).Inc()
}
