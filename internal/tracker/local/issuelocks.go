package local

import "sync"

// issueLocks serializes this process's writes to one issue's files (its issue file, comments,
// links and attachments) while writes to different issues go ahead side by side: each write
// is a temporary file, an fsync and a rename, and a service starting 200 agents writes two
// per issue at once. People's edits are still caught by rewrite.
type issueLocks struct {
	mu    sync.Mutex
	locks map[string]*issueLock
}

// issueLock is one issue's lock and how many writers hold or wait for it, so an issue nobody
// writes keeps no lock.
type issueLock struct {
	sync.Mutex
	users int
}

// lock takes the lock of the issue with this identifier and returns its release.
func (l *issueLocks) lock(identifier string) (unlock func()) {
	l.mu.Lock()
	if l.locks == nil {
		l.locks = map[string]*issueLock{}
	}
	k := l.locks[identifier]
	if k == nil {
		k = &issueLock{}
		l.locks[identifier] = k
	}
	k.users++
	l.mu.Unlock()
	k.Lock()
	return func() {
		k.Unlock()
		l.mu.Lock()
		if k.users--; k.users == 0 {
			delete(l.locks, identifier)
		}
		l.mu.Unlock()
	}
}
