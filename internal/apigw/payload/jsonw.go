package payload

import (
	"strconv"
	"unicode/utf8"
)

// jsonWriter appends JSON to a byte slice. Events are built with it
// instead of encoding/json so the hot path does no reflection and the
// field order is the one AWS sends. Strings are escaped like encoding/json
// except that <, > and & are kept, as AWS keeps them.
type jsonWriter struct {
	b     []byte
	comma bool // a value was written at this level; the next one needs ','
}

func (w *jsonWriter) sep() {
	if w.comma {
		w.b = append(w.b, ',')
	}
	w.comma = true
}

func (w *jsonWriter) open(c byte) {
	w.sep()
	w.b = append(w.b, c)
	w.comma = false
}

func (w *jsonWriter) close(c byte) {
	w.b = append(w.b, c)
	w.comma = true
}

// key writes "name": and leaves the writer ready for the value.
func (w *jsonWriter) key(name string) {
	w.sep()
	w.b = appendString(w.b, name)
	w.b = append(w.b, ':')
	w.comma = false
}

func (w *jsonWriter) str(s string) {
	w.sep()
	w.b = appendString(w.b, s)
}

func (w *jsonWriter) null() {
	w.sep()
	w.b = append(w.b, "null"...)
}

func (w *jsonWriter) boolean(v bool) {
	w.sep()
	w.b = strconv.AppendBool(w.b, v)
}

func (w *jsonWriter) int(v int64) {
	w.sep()
	w.b = strconv.AppendInt(w.b, v, 10)
}

// raw writes an already encoded JSON value.
func (w *jsonWriter) raw(v []byte) {
	w.sep()
	w.b = append(w.b, v...)
}

func (w *jsonWriter) field(name, value string) {
	w.key(name)
	w.str(value)
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string. Invalid UTF-8 becomes U+FFFD,
// as encoding/json does.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
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
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
