package server

import "testing"

func TestFormatUSDKeepsCheapRunsVisible(t *testing.T) {
	for usd, want := range map[float64]string{0: "$0.00", 0.0042: "$0.0042", 0.01: "$0.01", 2.4: "$2.40", 1234.567: "$1234.57"} {
		if got := FormatUSD(usd); got != want {
			t.Errorf("FormatUSD(%v) = %q, want %q", usd, got, want)
		}
	}
}
