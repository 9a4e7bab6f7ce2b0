package cli

import (
	"context"
	"log/slog"
	"time"

	"github.com/symphony-go/symphony/internal/config"
	"github.com/symphony-go/symphony/internal/learnings"
	"github.com/symphony-go/symphony/internal/store"
)

// learningsReadTimeout bounds the store read behind one prompt's learnings block.
const learningsReadTimeout = 5 * time.Second

// promptLearnings returns the learnings block for the first prompt of a repository whose
// WORKFLOW.md sets prompts.include_learnings, newest rules first. A failed read leaves the
// block out and is logged: advice is not worth failing a run for.
func promptLearnings(cfg *config.Config, st *store.Store, logger *slog.Logger) func(repoKey string) string {
	return func(repoKey string) string {
		n := includeLearnings(cfg, repoKey)
		if n <= 0 {
			return ""
		}
		ctx, cancel := context.WithTimeout(context.Background(), learningsReadTimeout)
		defer cancel()
		ls, err := st.Learnings(ctx, repoKey, n)
		if err != nil {
			logger.Warn("reading the repository's learnings for the prompt failed; the prompt goes without them", "repo_key", repoKey, "error", err.Error())
			return ""
		}
		return learnings.PromptBlock(ls, n)
	}
}

// includeLearnings is prompts.include_learnings of the repository's WORKFLOW.md.
func includeLearnings(cfg *config.Config, repoKey string) int {
	if r := cfg.Repo(repoKey); r != nil && r.Loaded != nil {
		return r.Loaded.IncludeLearnings
	}
	return 0
}
