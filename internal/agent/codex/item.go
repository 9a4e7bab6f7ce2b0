package codex

import "bytes"

// completedItem is the start of an item/completed notification's item. Notification params
// are not checked as a whole on the way in (decodeNotification), so the item is read
// leniently: member by member from where it starts, never scanning the bulky command output;
// a malformed item simply yields empty fields.
type completedItem struct {
	// body runs from the item's start to the end of params.
	body        []byte
	typ, status string
}

// compactItemPrefix is how Codex starts item/completed params: with the item.
const compactItemPrefix = `{"item":`

// readCompletedItem finds the item in item/completed params and reads its type and status.
func readCompletedItem(params []byte) completedItem {
	body, found := bytes.CutPrefix(params, []byte(compactItemPrefix))
	if !found {
		body = valueTail(params, "item")
	}
	typ, status, ok := compactTypeAndStatus(body)
	if !ok {
		var head [2][]byte
		pick(body, head[:], "type", "status")
		typ, status = stringValue(head[0]), stringValue(head[1])
	}
	return completedItem{body: body, typ: typ, status: status}
}

// compactTypeAndStatus reads an item's type and status the way Codex writes items: compact,
// with plain (unescaped) names and string, number or literal values up to both members. That
// is a third of the ingest work done in a single loop; anything else reports false, for pick.
// It finds string ends itself rather than through skipString and skipValue, which measured 9%
// more instructions for the whole protocol goroutine; a string with an escape goes to pick.
func compactTypeAndStatus(obj []byte) (typ, status string, ok bool) {
	if len(obj) < 2 || obj[0] != '{' || obj[1] != '"' {
		return "", "", false
	}
	// Like pick, the first of duplicate members counts.
	var seenType, seenStatus bool
	for i := 1; !seenType || !seenStatus; {
		// obj[i] opens a member name.
		k := indexQuote(obj, i+1)
		if k < 0 || obj[k-1] == '\\' || k+2 >= len(obj) || obj[k+1] != ':' {
			return "", "", false
		}
		name, v := obj[i+1:k], k+2
		var end int
		switch c := obj[v]; {
		case c == '"':
			q := indexQuote(obj, v+1)
			if q < 0 || obj[q-1] == '\\' {
				return "", "", false
			}
			end = q + 1
		case c == '-' || c >= '0' && c <= '9' || c == 'n' || c == 't' || c == 'f':
			end = v + 1
			for end < len(obj) && isLiteralByte(obj[end]) {
				end++
			}
		default:
			return "", "", false
		}
		switch {
		case !seenType && string(name) == "type":
			typ, seenType = stringValue(obj[v:end]), true
		case !seenStatus && string(name) == "status":
			status, seenStatus = stringValue(obj[v:end]), true
		}
		if end+1 >= len(obj) || obj[end] != ',' || obj[end+1] != '"' {
			// The item ends here, without one of the two, or takes a shape left to pick.
			return typ, status, end < len(obj) && obj[end] == '}'
		}
		i = end + 1
	}
	return typ, status, true
}
