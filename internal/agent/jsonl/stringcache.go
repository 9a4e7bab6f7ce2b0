package jsonl

import "hash/maphash"

// stringCache holds strings recently made from short texts, so that a text met again (an
// item's type, a status, a working directory) is the same string instead of a new one. Each
// text has one slot, picked by its hash: a text meeting another in its slot replaces it.
type stringCache [256]string

// maxCachedText is the longest text kept: longer ones rarely repeat.
const maxCachedText = 128

var stringCacheSeed = maphash.MakeSeed()

// of is text as a string.
func (c *stringCache) of(text []byte) string {
	if len(text) > maxCachedText {
		return string(text)
	}
	slot := &c[maphash.Bytes(stringCacheSeed, text)%uint64(len(c))]
	if *slot != string(text) {
		*slot = string(text)
	}
	return *slot
}
