package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Usage is a token delta reported for one issue at one moment.
type Usage struct {
	RepoKey string
	IssueID string
	// At decides which UTC day the delta counts toward; zero means now.
	At     time.Time
	Tokens Tokens
	// CostUSD is what the delta cost in US dollars; zero without a price.
	CostUSD float64
}

// Totals is the aggregate over every run the store has seen.
type Totals struct {
	Tokens         Tokens  `json:"tokens"`
	RuntimeSeconds float64 `json:"runtime_seconds"`
	CostUSD        float64 `json:"cost_usd"`
}

// AddUsage adds token deltas to the aggregate totals, each delta's UTC day and each issue's
// lifetime usage, all in one transaction, so the three never disagree after a crash and many
// sessions' deltas cost one commit (one fsync) instead of one each. Deltas of the same day or
// issue are summed before they are written. A delta that is not valid is named in the error
// and left out; the others are still written.
func (s *Store) AddUsage(ctx context.Context, us ...Usage) error {
	var refused []error
	var total usageSum
	days := map[string]*usageSum{}
	issues := map[issueKey]*usageSum{}
	var dayOrder []string
	var issueOrder []issueKey
	for _, u := range us {
		if err := checkUsage(u); err != nil {
			refused = append(refused, err)
			continue
		}
		at := u.At
		if at.IsZero() {
			at = s.now()
		}
		total.add(u)
		day := utcDay(at)
		if days[day] == nil {
			days[day] = &usageSum{}
			dayOrder = append(dayOrder, day)
		}
		days[day].add(u)
		key := issueKey{u.RepoKey, u.IssueID}
		if issues[key] == nil {
			issues[key] = &usageSum{}
			issueOrder = append(issueOrder, key)
		}
		issues[key].add(u)
	}
	if len(dayOrder) == 0 {
		return errors.Join(refused...)
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := s.in(tx).ExecContext(ctx, `UPDATE totals SET input_tokens=input_tokens+?,
			uncached_input_tokens=uncached_input_tokens+?, cached_input_tokens=cached_input_tokens+?,
			cache_creation_input_tokens=cache_creation_input_tokens+?, output_tokens=output_tokens+?,
			total_tokens=total_tokens+?, cost_usd=cost_usd+? WHERE id=1`, total.args()...); err != nil {
			return fmt.Errorf("store: add usage to totals: %w", err)
		}
		for _, day := range dayOrder {
			d := days[day]
			if _, err := s.in(tx).ExecContext(ctx, `INSERT INTO daily_usage (day, total_tokens, cost_usd) VALUES (?, ?, ?)
			ON CONFLICT (day) DO UPDATE SET total_tokens = total_tokens + excluded.total_tokens,
			cost_usd = cost_usd + excluded.cost_usd`, day, d.tokens.Total, d.costUSD); err != nil {
				return fmt.Errorf("store: add daily usage for %s: %w", day, err)
			}
		}
		for _, key := range issueOrder {
			args := append([]any{key.repoKey, key.issueID}, issues[key].args()...)
			if _, err := s.in(tx).ExecContext(ctx, `INSERT INTO issue_usage (repo_key, issue_id, input_tokens,
			uncached_input_tokens, cached_input_tokens, cache_creation_input_tokens, output_tokens,
			total_tokens, cost_usd) VALUES (?,?,?,?,?,?,?,?,?) ON CONFLICT (repo_key, issue_id) DO UPDATE SET
			input_tokens=input_tokens+excluded.input_tokens,
			uncached_input_tokens=uncached_input_tokens+excluded.uncached_input_tokens,
			cached_input_tokens=cached_input_tokens+excluded.cached_input_tokens,
			cache_creation_input_tokens=cache_creation_input_tokens+excluded.cache_creation_input_tokens,
			output_tokens=output_tokens+excluded.output_tokens,
			total_tokens=total_tokens+excluded.total_tokens,
			cost_usd=cost_usd+excluded.cost_usd`, args...); err != nil {
				return fmt.Errorf("store: add usage for issue %s/%s: %w", key.repoKey, key.issueID, err)
			}
		}
		return nil
	})
	return errors.Join(append(refused, err)...)
}

// checkUsage says why u cannot be added, or nil.
func checkUsage(u Usage) error {
	if u.RepoKey == "" || u.IssueID == "" {
		return fmt.Errorf("store: add usage: repo_key %q and issue_id %q are both required", u.RepoKey, u.IssueID)
	}
	t := u.Tokens
	if t.Input < 0 || t.UncachedInput < 0 || t.CachedInput < 0 || t.CacheCreationInput < 0 || t.Output < 0 || t.Total < 0 {
		return fmt.Errorf("store: add usage for issue %s: token deltas must not be negative: %+v", u.IssueID, t)
	}
	if u.CostUSD < 0 {
		return fmt.Errorf("store: add usage for issue %s: cost %v must not be negative", u.IssueID, u.CostUSD)
	}
	return nil
}

type issueKey struct{ repoKey, issueID string }

// usageSum is the sum of some deltas.
type usageSum struct {
	tokens  Tokens
	costUSD float64
}

func (s *usageSum) add(u Usage) {
	s.tokens.Input += u.Tokens.Input
	s.tokens.UncachedInput += u.Tokens.UncachedInput
	s.tokens.CachedInput += u.Tokens.CachedInput
	s.tokens.CacheCreationInput += u.Tokens.CacheCreationInput
	s.tokens.Output += u.Tokens.Output
	s.tokens.Total += u.Tokens.Total
	s.costUSD += u.CostUSD
}

// args are the sum's token buckets and cost in the order the usage statements take them.
func (s *usageSum) args() []any {
	t := s.tokens
	return []any{t.Input, t.UncachedInput, t.CachedInput, t.CacheCreationInput, t.Output, t.Total, s.costUSD}
}

// DailyUsage returns the total tokens counted toward the UTC day containing day.
func (s *Store) DailyUsage(ctx context.Context, day time.Time) (int64, error) {
	var n int64
	err := s.db.QueryRowContext(ctx, `SELECT total_tokens FROM daily_usage WHERE day = ?`, utcDay(day)).Scan(&n)
	if err == sql.ErrNoRows {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("store: read daily usage for %s: %w", utcDay(day), err)
	}
	return n, nil
}

// DailyCost returns the US dollars counted toward the UTC day containing day.
func (s *Store) DailyCost(ctx context.Context, day time.Time) (float64, error) {
	var usd float64
	err := s.db.QueryRowContext(ctx, `SELECT cost_usd FROM daily_usage WHERE day = ?`, utcDay(day)).Scan(&usd)
	if err == sql.ErrNoRows {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("store: read daily cost for %s: %w", utcDay(day), err)
	}
	return usd, nil
}

// IssueCost returns what an issue's tokens have cost in US dollars across all of its runs.
func (s *Store) IssueCost(ctx context.Context, repoKey, issueID string) (float64, error) {
	var usd float64
	err := s.db.QueryRowContext(ctx, `SELECT cost_usd FROM issue_usage WHERE repo_key=? AND issue_id=?`, repoKey, issueID).Scan(&usd)
	if err == sql.ErrNoRows {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("store: read cost of issue %s/%s: %w", repoKey, issueID, err)
	}
	return usd, nil
}

// IssueUsage returns an issue's lifetime token usage across all of its runs and retries.
func (s *Store) IssueUsage(ctx context.Context, repoKey, issueID string) (Tokens, error) {
	var t Tokens
	err := s.db.QueryRowContext(ctx, `SELECT input_tokens, uncached_input_tokens, cached_input_tokens,
		cache_creation_input_tokens, output_tokens, total_tokens FROM issue_usage
		WHERE repo_key=? AND issue_id=?`, repoKey, issueID).Scan(&t.Input, &t.UncachedInput,
		&t.CachedInput, &t.CacheCreationInput, &t.Output, &t.Total)
	if err == sql.ErrNoRows {
		return Tokens{}, nil
	}
	if err != nil {
		return Tokens{}, fmt.Errorf("store: read usage of issue %s/%s: %w", repoKey, issueID, err)
	}
	return t, nil
}

// Totals returns the aggregate token and runtime totals.
func (s *Store) Totals(ctx context.Context) (Totals, error) {
	var t Totals
	err := s.db.QueryRowContext(ctx, `SELECT input_tokens, uncached_input_tokens, cached_input_tokens,
		cache_creation_input_tokens, output_tokens, total_tokens, runtime_seconds, cost_usd FROM totals WHERE id=1`).Scan(
		&t.Tokens.Input, &t.Tokens.UncachedInput, &t.Tokens.CachedInput, &t.Tokens.CacheCreationInput,
		&t.Tokens.Output, &t.Tokens.Total, &t.RuntimeSeconds, &t.CostUSD)
	if err != nil {
		return Totals{}, fmt.Errorf("store: read totals: %w", err)
	}
	return t, nil
}

func utcDay(t time.Time) string { return t.UTC().Format(time.DateOnly) }
