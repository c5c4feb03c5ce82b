package ajudae

import (
	"strconv"
	"time"
	"unicode/utf8"
)

// The hot lists of the API (a page of 50 tickets) spent most of their
// encoding time in encoding/json's reflection. These append the same bytes
// that encoding/json writes with SetEscapeHTML(false), which the API uses;
// json_test.go holds them to it.

// AppendJSON appends the JSON object of t to b.
func (t *Ticket) AppendJSON(b []byte) []byte {
	b = append(b, `{"id":`...)
	b = strconv.AppendInt(b, t.ID, 10)
	b = append(b, `,"title":`...)
	b = appendJSONString(b, t.Title)
	b = append(b, `,"description":`...)
	b = appendJSONString(b, t.Description)
	b = append(b, `,"status":`...)
	b = appendJSONString(b, string(t.Status))
	b = append(b, `,"priority":`...)
	b = appendJSONString(b, string(t.Priority))
	b = append(b, `,"team":`...)
	b = t.Team.appendJSON(b)
	b = append(b, `,"createdBy":`...)
	b = t.CreatedBy.appendJSON(b)
	b = append(b, `,"assignedTo":`...)
	if t.AssignedTo == nil {
		b = append(b, "null"...)
	} else {
		b = t.AssignedTo.appendJSON(b)
	}
	b = append(b, `,"createdAt":`...)
	b = appendJSONTime(b, t.CreatedAt)
	b = append(b, `,"updatedAt":`...)
	b = appendJSONTime(b, t.UpdatedAt)
	b = append(b, `,"closedAt":`...)
	if t.ClosedAt == nil {
		b = append(b, "null"...)
	} else {
		b = appendJSONTime(b, *t.ClosedAt)
	}
	b = append(b, `,"version":`...)
	b = strconv.AppendInt(b, int64(t.Version), 10)
	return append(b, '}')
}

// AppendTicketsJSON appends the JSON object of a page of tickets to b.
func AppendTicketsJSON(b []byte, l *List[Ticket]) []byte {
	b = append(b, `{"items":`...)
	if l.Items == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i := range l.Items {
			if i > 0 {
				b = append(b, ',')
			}
			b = l.Items[i].AppendJSON(b)
		}
		b = append(b, ']')
	}
	b = append(b, `,"nextCursor":`...)
	if l.NextCursor == nil {
		b = append(b, "null"...)
	} else {
		b = appendJSONString(b, *l.NextCursor)
	}
	return append(b, '}')
}

func (r *Ref) appendJSON(b []byte) []byte {
	b = append(b, `{"id":`...)
	b = strconv.AppendInt(b, r.ID, 10)
	b = append(b, `,"name":`...)
	b = appendJSONString(b, r.Name)
	return append(b, '}')
}

// appendJSONTime writes t as time.Time.MarshalJSON does.
func appendJSONTime(b []byte, t time.Time) []byte {
	b = append(b, '"')
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b, '"')
}

const hexDigits = "0123456789abcdef"

// appendJSONString writes s as encoding/json does without HTML escaping:
// control characters escaped, invalid UTF-8 replaced by U+FFFD, and
// U+2028 and U+2029 escaped for JavaScript.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
