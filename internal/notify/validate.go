package notify

import (
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/symphony-go/symphony/internal/config"
	"github.com/symphony-go/symphony/internal/secretscan"
)

// Validate checks the notification settings internal/config does not: target URLs (https,
// no refused IP literal or localhost unless allow_private), headers only on webhook channels,
// every header value taken from a set $VAR, and no literal secret written into the file.
// environ is the environment the configuration was resolved against ("KEY=value" entries, as
// os.Environ returns). Errors name the offending key. Disabled notifications are not checked.
func Validate(n config.Notifications, environ []string) error {
	if !n.Enabled {
		return nil
	}
	envValues := map[string]bool{}
	for _, kv := range environ {
		if _, v, ok := strings.Cut(kv, "="); ok && v != "" {
			envValues[v] = true
		}
	}
	var errs []error
	for i, cc := range n.Channels {
		key := fmt.Sprintf("notifications.channels[%d]", i)
		if err := checkChannel(key, cc); err != nil {
			errs = append(errs, err)
		}
		urlKey, target := key+".webhook_url", cc.WebhookURL
		if cc.Kind == "webhook" {
			urlKey, target = key+".url", cc.URL
		}
		if strings.TrimSpace(target) != "" {
			if _, err := checkTarget(target, cc.AllowPrivate); err != nil {
				errs = append(errs, fmt.Errorf("%s %v", urlKey, err))
			}
		}
		errs = append(errs, literalHeaderSecrets(key, cc.Headers, envValues)...)
	}
	return errors.Join(errs...)
}

// varRef matches a whole-value $NAME or ${NAME} that configuration loading left in place
// because the variable was unset.
var varRef = regexp.MustCompile(`^\$(\{[A-Za-z_][A-Za-z0-9_]*\}|[A-Za-z_][A-Za-z0-9_]*)$`)

// checkChannel refuses what a Notifier cannot honour: an unknown kind or event, headers on a
// Slack channel (Slack webhooks take none, so they would be silently ignored), a header name
// HTTP cannot carry, and a header whose $VAR was never set.
func checkChannel(key string, cc config.Channel) error {
	var errs []error
	if cc.Kind != "slack" && cc.Kind != "webhook" {
		errs = append(errs, fmt.Errorf("%s.kind must be slack or webhook, not %q", key, cc.Kind))
	}
	for j, e := range cc.Events {
		if !knownEvent(e) {
			errs = append(errs, fmt.Errorf("%s.events[%d] names unknown event %q", key, j, e))
		}
	}
	if cc.Kind == "slack" && len(cc.Headers) > 0 {
		errs = append(errs, fmt.Errorf("%s.headers are only sent to webhook channels; remove them from this slack channel", key))
	}
	for _, name := range slices.Sorted(maps.Keys(cc.Headers)) {
		hk := fmt.Sprintf("%s.headers.%s", key, name)
		v := cc.Headers[name]
		if name == "" || strings.ContainsAny(name, " \t\r\n:") {
			errs = append(errs, fmt.Errorf("%s is not a valid HTTP header name", hk))
		}
		if strings.ContainsAny(v, "\r\n") {
			errs = append(errs, fmt.Errorf("%s must not contain a line break", hk))
		}
		if varRef.MatchString(strings.TrimSpace(v)) {
			errs = append(errs, fmt.Errorf("%s refers to %s, which is not set", hk, strings.TrimSpace(v)))
		}
		if strings.EqualFold(name, "Content-Type") || strings.EqualFold(name, "Host") {
			errs = append(errs, fmt.Errorf("%s cannot be overridden; Symphony sets it", hk))
		}
	}
	return errors.Join(errs...)
}

// literalHeaderSecrets refuses header values that look like credentials yet equal no
// environment variable's value: configuration loading has already replaced $VAR references,
// so a credential that matches nothing in the environment was typed into the file.
func literalHeaderSecrets(key string, headers map[string]string, envValues map[string]bool) []error {
	scanner := secretscan.New()
	var errs []error
	for _, name := range slices.Sorted(maps.Keys(headers)) {
		v := headers[name]
		if strings.TrimSpace(v) == "" || envValues[v] || varRef.MatchString(strings.TrimSpace(v)) {
			continue
		}
		if secretscan.IsCredentialName(name) || isCredentialHeader(name) || len(scanner.Find(v)) > 0 {
			errs = append(errs, fmt.Errorf("%s.headers.%s holds a literal secret; write it as a whole-value reference such as $NOTIFY_%s and set that variable", key, name, envSuffix(name)))
		}
	}
	return errs
}

func isCredentialHeader(name string) bool {
	switch strings.ToLower(name) {
	case "authorization", "proxy-authorization", "cookie":
		return true
	}
	return false
}

// envSuffix suggests a variable name part for a header: upper case, other characters as '_'.
func envSuffix(name string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z':
			return r - 'a' + 'A'
		case r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			return r
		}
		return '_'
	}, name)
}
