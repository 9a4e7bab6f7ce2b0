package cli

import "io"

// writeJSONOrFail writes v as indented JSON; a write error is a runtime failure (exit 1).
func writeJSONOrFail(w io.Writer, v any) error {
	if err := writeJSON(w, v); err != nil {
		return failure(err)
	}
	return nil
}
