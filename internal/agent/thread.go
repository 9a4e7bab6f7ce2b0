package agent

// An agent that asks a human a question ends its attempt; the reply starts a new one. A
// runtime that can keep its conversation lets that next attempt continue the thread that
// asked instead of starting over with the question and reply in a fresh prompt.

// KeptThread is a conversation a session saved before it stopped.
type KeptThread struct {
	// ThreadID is the runtime's id of the conversation (Codex thread, Claude session).
	ThreadID string
	// Dir holds what the runtime saved of it; it outlives the session's private directory.
	Dir string
}

// ThreadKeeper is a Session whose conversation can outlive it.
type ThreadKeeper interface {
	// KeepThread saves the conversation into dir (created if missing) before Stop removes
	// the session's private files.
	KeepThread(dir string) (KeptThread, error)
	// ResumeErr says why Start could not continue SessionRequest.Resume and began a new
	// conversation instead; nil when it continued it or had none to continue.
	ResumeErr() error
}
