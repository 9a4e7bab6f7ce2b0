package codex

import (
	"bytes"
	"strings"
	"testing"

	"github.com/symphony-go/symphony/internal/agent/codex/codexfake"
)

// plainTokenUsage is tokenUsageParams without its decoding, for encoding/json to decode by
// reflection as the reference the adapter's own decoding must match.
type plainTokenUsage tokenUsageParams

func checkTokenUsage(t *testing.T, line []byte) {
	t.Helper()
	checkParamsMatchEncodingJSON(t, line, "thread/tokenUsage/updated", func(p *plainTokenUsage) *tokenUsageParams { return (*tokenUsageParams)(p) })
}

// tokenUsageSeeds are thread/tokenUsage/updated lines as Codex writes them, and lines probing
// encoding/json's rules.
func tokenUsageSeeds(t testing.TB) []string {
	var flood bytes.Buffer
	if err := codexfake.WriteFlood(&flood, 1, "thr", "turn"); err != nil {
		t.Fatal(err)
	}
	var seeds []string
	for line := range strings.Lines(flood.String()) {
		if strings.Contains(line, `"thread/tokenUsage/updated"`) && len(seeds) < 2 {
			seeds = append(seeds, strings.TrimSuffix(line, "\n"))
		}
	}
	usage := func(members string) string {
		return `{"method":"thread/tokenUsage/updated","params":{"threadId":"thr","turnId":"turn","tokenUsage":{"total":{` + members + `},"last":{"totalTokens":1},"modelContextWindow":258400}}}`
	}
	return append(seeds,
		usage(`"totalTokens":12,"inputTokens":10,"cachedInputTokens":3,"cacheWriteInputTokens":1,"outputTokens":2,"reasoningOutputTokens":0`),
		`{"method":"thread/tokenUsage/updated","params":{"threadId":"thr","tokenUsage":{"total":{"totalTokens":5},"total":{"inputTokens":4}},"tokenUsage":{"total":{"outputTokens":1}}}}`,
		`{"params":{"tokenUsage":{"total":{"totalTokens":7}}},"method":"thread/tokenUsage/updated"}`,
		// Duplicates, names matched without regard to case, nulls.
		usage(`"totalTokens":1,"totalTokens":2,"TOTALTOKENS":3,"inputtokens":4,"InputTokens":5`),
		usage(`"totalTokens":1,"totalTokens":null,"inputTokens":4,"inputTokens":null,"outputTokens":-0`),
		`{"method":"thread/tokenUsage/updated","params":{"threadId":null,"tokenUsage":{"total":null}}}`,
		`{"method":"thread/tokenUsage/updated","params":{"tokenUsage":null}}`,
		`{"method":"thread/tokenUsage/updated","params":null}`,
		`{"method":"thread/tokenUsage/updated","params":{"thr\u0065adId":"escaped","tok`+"\xff"+`enUsage":{}}}`,
		// Values of the wrong type, alone and before a syntax error.
		usage(`"totalTokens":"12"`), usage(`"inputTokens":1.0`), usage(`"outputTokens":1e3`),
		usage(`"cachedInputTokens":99999999999999999999`), usage(`"totalTokens":true,"inputTokens":9`),
		usage(`"inputTokens":[1]`), usage(`"totalTokens":{}`)+`x`, usage(`"inputTokens":"1",]`),
		`{"method":"thread/tokenUsage/updated","params":{"threadId":1,"tokenUsage":{"total":{"totalTokens":3}}}}`,
		`{"method":"thread/tokenUsage/updated","params":{"tokenUsage":{"total":[]}}}`,
		`{"method":"thread/tokenUsage/updated","params":{"tokenUsage":"x"}}`,
		`{"method":"thread/tokenUsage/updated","params":[]}`,
	)
}

func TestTokenUsageMatchesEncodingJSON(t *testing.T) {
	for _, seed := range tokenUsageSeeds(t) {
		checkTokenUsage(t, []byte(seed))
	}
}

// Any line that holds thread/tokenUsage/updated params decodes as encoding/json decodes it.
func FuzzTokenUsageMatchesEncodingJSON(f *testing.F) {
	for _, seed := range tokenUsageSeeds(f) {
		f.Add([]byte(seed))
	}
	f.Fuzz(checkTokenUsage)
}

// Every field of the params is read: a field added to the types but not to their decoding
// stays zero here.
func TestEveryTokenUsageFieldIsDecoded(t *testing.T) {
	line := func(params string) func(string) string {
		return func(m string) string {
			return `{"method":"thread/tokenUsage/updated","params":` + strings.Replace(params, "M", m, 1) + `}`
		}
	}
	checkEveryFieldDecoded(t, tokenUsageParamsFields, line(`{M}`),
		func(p *tokenUsageParams) any { return p })
	checkEveryFieldDecoded(t, tokenUsageFields, line(`{"tokenUsage":{M}}`),
		func(p *tokenUsageParams) any { return &p.TokenUsage })
	checkEveryFieldDecoded(t, tokenTotalsFields, line(`{"tokenUsage":{"total":{M}}}`),
		func(p *tokenUsageParams) any { return &p.TokenUsage.Total })
}
