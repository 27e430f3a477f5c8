package logs

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/cloudlet-dev/cloudlet/internal/store"
)

// GetLogEventsInput selects events of one stream.
type GetLogEventsInput struct {
	LogGroupName  string
	LogStreamName string
	// StartTime (inclusive) and EndTime (exclusive) bound the events'
	// timestamps in milliseconds; zero means unbounded.
	StartTime int64
	EndTime   int64
	// NextToken is a token from an earlier answer; it decides the
	// direction and StartFromHead is then ignored.
	NextToken string
	// Limit is 1–10000; zero means as many as fit in 1 MB (at most 10000).
	Limit int
	// StartFromHead reads from the oldest event; false (AWS's default)
	// returns the newest events.
	StartFromHead bool
}

// OutputLogEvent is an event as GetLogEvents returns it.
type OutputLogEvent struct {
	Timestamp     int64  `json:"timestamp"`
	Message       string `json:"message"`
	IngestionTime int64  `json:"ingestionTime"`
}

// GetLogEventsOutput is a page of events, oldest first, and the tokens for
// the pages after and before it. At either end of the stream AWS hands
// back the token it was given, and so does cloudlet.
type GetLogEventsOutput struct {
	Events            []OutputLogEvent `json:"events"`
	NextForwardToken  string           `json:"nextForwardToken"`
	NextBackwardToken string           `json:"nextBackwardToken"`
}

// maxResponseBytes is GetLogEvents' and FilterLogEvents' answer cap.
const maxResponseBytes = 1 << 20

// GetLogEvents reads a page of events from one stream.
func (s *Service) GetLogEvents(ctx context.Context, in GetLogEventsInput) (*GetLogEventsOutput, error) {
	if err := validateGroupName(in.LogGroupName); err != nil {
		return nil, err
	}
	if err := validateStreamName(in.LogStreamName); err != nil {
		return nil, err
	}
	limit, err := validateLimit(in.Limit, 10000, 10000)
	if err != nil {
		return nil, err
	}
	forward := in.StartFromHead
	var tokPos pos
	if in.NextToken != "" {
		dir, p, ok := parseToken(in.NextToken)
		if !ok {
			return nil, errInvalidToken()
		}
		forward, tokPos = dir == 'f', p
	}
	lo := pos{TS: max(in.StartTime, 0)}
	hi := pos{TS: math.MaxInt64}
	if in.EndTime != 0 {
		hi = pos{TS: max(in.EndTime, 0)}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	out := &GetLogEventsOutput{Events: []OutputLogEvent{}}
	err = s.db.View(func(tx *store.Tx) error {
		st, err := loadStream(tx, in.LogGroupName, in.LogStreamName)
		if err != nil {
			return err
		}
		prefix := streamEventsPrefix(in.LogGroupName, in.LogStreamName)
		if forward {
			from := lo
			if in.NextToken != "" && lo.less(tokPos) {
				from = tokPos
			}
			evs, err := scanForward(tx, prefix, from, hi, limit)
			if err != nil {
				return err
			}
			fillPage(out, evs, from, in.NextToken)
			return nil
		}
		upper := hi
		if in.NextToken != "" && tokPos.less(hi) {
			upper = tokPos
		}
		evs, err := scanBackward(tx, prefix, lo, upper, limit, st)
		if err != nil {
			return err
		}
		fillPage(out, evs, upper, in.NextToken)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("get log events from %s/%s: %w", in.LogGroupName, in.LogStreamName, err)
	}
	return out, nil
}

// fillPage sets the events and tokens of a page. at is where the scan
// stood; it gives both tokens when the page is empty.
func fillPage(out *GetLogEventsOutput, evs []posEvent, at pos, token string) {
	for _, e := range evs {
		out.Events = append(out.Events, e.OutputLogEvent)
	}
	if len(evs) == 0 {
		out.NextForwardToken, out.NextBackwardToken = forwardToken(at), backwardToken(at)
		// AWS signals the end of the stream by handing back the token it
		// was given.
		if len(token) > 0 && token[0] == 'f' {
			out.NextForwardToken = token
		} else if token != "" {
			out.NextBackwardToken = token
		}
		return
	}
	out.NextForwardToken = forwardToken(evs[len(evs)-1].pos.next())
	out.NextBackwardToken = backwardToken(evs[0].pos)
}

// posEvent is an event with its position.
type posEvent struct {
	OutputLogEvent
	pos pos
}

func readEvent(key string, raw []byte) (posEvent, error) {
	p, ok := eventPos(key)
	if !ok {
		return posEvent{}, fmt.Errorf("malformed event key %q", key)
	}
	ing, msg, err := decodeEvent(raw)
	if err != nil {
		return posEvent{}, fmt.Errorf("event %q: %w", key, err)
	}
	return posEvent{OutputLogEvent: OutputLogEvent{Timestamp: p.TS, Message: msg, IngestionTime: ing}, pos: p}, nil
}

// scanForward returns up to limit events in [from, hi), oldest first,
// stopping early at the 1 MB answer cap.
func scanForward(tx *store.Tx, prefix string, from, hi pos, limit int) ([]posEvent, error) {
	var out []posEvent
	size := 0
	stopKey := prefix + hi.encode()
	err := tx.Range(bucketEvents, prefix, prefix+from.encode(), func(k string, raw []byte) error {
		if k >= stopKey || len(out) == limit {
			return errStop
		}
		e, err := readEvent(k, raw)
		if err != nil {
			return err
		}
		size += len(e.Message) + eventOverhead
		if size > maxResponseBytes && len(out) > 0 {
			return errStop
		}
		out = append(out, e)
		return nil
	})
	if err != nil && !errors.Is(err, errStop) {
		return nil, err
	}
	return out, nil
}

// scanBackward returns the last limit events in [lo, upper), oldest first.
// The store walks keys forward only, so it scans windows ending at upper
// that widen until they hold limit events or reach lo; the first window is
// sized from the stream's average event density.
func scanBackward(tx *store.Tx, prefix string, lo, upper pos, limit int, st streamRecord) ([]posEvent, error) {
	window := int64(1000)
	if st.Events > 0 && st.FirstEventTimestamp != nil && st.LastEventTimestamp != nil {
		span := *st.LastEventTimestamp - *st.FirstEventTimestamp + 1
		window = max(int64(float64(span)/float64(st.Events)*float64(limit)*2), 1)
	}
	// Windows are measured back from the stream's newest event when upper
	// lies beyond it (as it does with no EndTime).
	end := upper.TS
	if st.LastEventTimestamp != nil && *st.LastEventTimestamp < end {
		end = *st.LastEventTimestamp + 1
	}
	for {
		from := lo
		if end-window > lo.TS {
			from = pos{TS: end - window}
		}
		if st.FirstEventTimestamp != nil && from.less(pos{TS: *st.FirstEventTimestamp}) {
			from = lo // the window already covers the whole stream
		}
		ring, err := lastEvents(tx, prefix, from, upper, limit)
		if err != nil {
			return nil, err
		}
		if len(ring) >= limit || from == lo {
			return ring, nil
		}
		if window > math.MaxInt64/4 {
			window = math.MaxInt64
		} else {
			window *= 4
		}
	}
}

// lastEvents keeps the last limit events of [from, upper) within the 1 MB
// answer cap. Only the kept events are decoded.
func lastEvents(tx *store.Tx, prefix string, from, upper pos, limit int) ([]posEvent, error) {
	type rawEvent struct {
		key string
		raw []byte // valid for the transaction
	}
	var buf []rawEvent
	stopKey := prefix + upper.encode()
	err := tx.Range(bucketEvents, prefix, prefix+from.encode(), func(k string, raw []byte) error {
		if k >= stopKey {
			return errStop
		}
		buf = append(buf, rawEvent{k, raw})
		// Drop the oldest half once the buffer is twice the page: the
		// amortised cost stays linear in the events scanned.
		if len(buf) >= 2*limit {
			buf = append(buf[:0], buf[len(buf)-limit:]...)
		}
		return nil
	})
	if err != nil && !errors.Is(err, errStop) {
		return nil, err
	}
	if len(buf) > limit {
		buf = buf[len(buf)-limit:]
	}
	size := 0
	for i := len(buf) - 1; i >= 0; i-- {
		size += len(buf[i].raw) - 8 + eventOverhead
		if size > maxResponseBytes && i < len(buf)-1 {
			buf = buf[i+1:]
			break
		}
	}
	out := make([]posEvent, len(buf))
	for i, r := range buf {
		if out[i], err = readEvent(r.key, r.raw); err != nil {
			return nil, err
		}
	}
	return out, nil
}
