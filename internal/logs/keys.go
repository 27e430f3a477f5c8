package logs

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
)

// Store keys. Names cannot contain NUL (validateGroupName and
// validateStreamName refuse it), so NUL separates the parts and a group's
// or stream's prefix never matches a longer sibling name ("a" vs "a/b").
//
//	logs.groups   <group>
//	logs.streams  <group> NUL <stream>
//	logs.events   <group> NUL <stream> NUL <pos>
//
// <pos> is the event's position: 16 hex digits of the timestamp then 16
// of the ingestion sequence, so keys sort by (timestamp, sequence).

const sep = "\x00"

func streamKey(group, stream string) string { return group + sep + stream }

func groupStreamsPrefix(group string) string { return group + sep }

func streamEventsPrefix(group, stream string) string { return group + sep + stream + sep }

// pos is a point in the (timestamp, sequence) order of events.
type pos struct {
	TS  int64
	Seq uint64
}

func (p pos) less(q pos) bool {
	if p.TS != q.TS {
		return p.TS < q.TS
	}
	return p.Seq < q.Seq
}

// next is the smallest position after p.
func (p pos) next() pos {
	if p.Seq == ^uint64(0) {
		return pos{TS: p.TS + 1}
	}
	return pos{TS: p.TS, Seq: p.Seq + 1}
}

// encode renders p for a key. Timestamps are never negative in keys:
// PutLogEvents rejects such events as too old.
func (p pos) encode() string {
	var b [32]byte
	const hex = "0123456789abcdef"
	ts := uint64(max(p.TS, 0))
	for i := 15; i >= 0; i-- {
		b[i] = hex[ts&0xf]
		ts >>= 4
	}
	seq := p.Seq
	for i := 31; i >= 16; i-- {
		b[i] = hex[seq&0xf]
		seq >>= 4
	}
	return string(b[:])
}

func decodePos(s string) (pos, bool) {
	if len(s) != 32 {
		return pos{}, false
	}
	ts, err1 := strconv.ParseUint(s[:16], 16, 64)
	seq, err2 := strconv.ParseUint(s[16:], 16, 64)
	if err1 != nil || err2 != nil || ts > 1<<62 {
		return pos{}, false
	}
	return pos{TS: int64(ts), Seq: seq}, true
}

// eventPos extracts the position from an event key.
func eventPos(key string) (pos, bool) {
	i := strings.LastIndexByte(key, 0)
	if i < 0 {
		return pos{}, false
	}
	return decodePos(key[i+1:])
}

// Event values are 8 bytes of big-endian ingestion time followed by the
// message: the hot paths (flush, paging) skip JSON entirely.

func encodeEvent(ingestion int64, message string) []byte {
	b := make([]byte, 8+len(message))
	binary.BigEndian.PutUint64(b, uint64(ingestion))
	copy(b[8:], message)
	return b
}

func decodeEvent(raw []byte) (ingestion int64, message string, err error) {
	if len(raw) < 8 {
		return 0, "", fmt.Errorf("event record of %d bytes is too short", len(raw))
	}
	return int64(binary.BigEndian.Uint64(raw)), string(raw[8:]), nil
}

// Paging tokens for GetLogEvents look like AWS's ("f/<digits>/s" and
// "b/<digits>/s"); the digits are the decimal timestamp and sequence of a
// position, 20 digits each.

func forwardToken(p pos) string  { return "f/" + tokenDigits(p) + "/s" }
func backwardToken(p pos) string { return "b/" + tokenDigits(p) + "/s" }

func tokenDigits(p pos) string { return fmt.Sprintf("%020d%020d", max(p.TS, 0), p.Seq) }

// parseToken returns the direction ('f' or 'b') and position of a token.
func parseToken(tok string) (byte, pos, bool) {
	if len(tok) != 2+40+2 || (tok[0] != 'f' && tok[0] != 'b') || tok[1] != '/' || !strings.HasSuffix(tok, "/s") {
		return 0, pos{}, false
	}
	digits := tok[2:42]
	ts, err1 := strconv.ParseInt(digits[:20], 10, 64)
	seq, err2 := strconv.ParseUint(digits[20:], 10, 64)
	if err1 != nil || err2 != nil || ts < 0 {
		return 0, pos{}, false
	}
	return tok[0], pos{TS: ts, Seq: seq}, true
}

// eventID renders an event's position as FilterLogEvents' eventId, a
// string of digits as in AWS.
func eventID(p pos) string { return tokenDigits(p) }
