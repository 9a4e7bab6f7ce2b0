package cli

import "fmt"

// Exit codes are part of the command-line contract.
const (
	ExitOK      = 0
	ExitFailure = 1
	ExitUsage   = 2
	// ExitTimeout matches timeout(1) so scripts can tell a deadline from a failure.
	ExitTimeout = 124
)

// ExitError carries the exit code a command wants; Err is printed to stderr when set.
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit status %d", e.Code)
	}
	return e.Err.Error()
}

func (e *ExitError) Unwrap() error { return e.Err }

// usageErr reports a configuration or usage problem (exit 2).
func usageErr(err error) error { return &ExitError{Code: ExitUsage, Err: err} }

// failure reports a runtime failure (exit 1).
func failure(err error) error { return &ExitError{Code: ExitFailure, Err: err} }
