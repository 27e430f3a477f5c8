package logs

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/store"
)

// InputLogEvent is one event given to PutLogEvents. Timestamp is in
// milliseconds since the Unix epoch.
type InputLogEvent struct {
	Timestamp int64  `json:"timestamp"`
	Message   string `json:"message"`
}

// PutLogEventsOutput is PutLogEvents' answer.
type PutLogEventsOutput struct {
	// NextSequenceToken is kept for old clients; AWS no longer requires
	// sequence tokens and neither does cloudlet.
	NextSequenceToken     string                 `json:"nextSequenceToken,omitempty"`
	RejectedLogEventsInfo *RejectedLogEventsInfo `json:"rejectedLogEventsInfo,omitempty"`
}

// RejectedLogEventsInfo says which events of a batch were not stored. As
// in AWS, TooNewLogEventStartIndex is inclusive and the two end indexes
// are exclusive; nil means no event was rejected for that reason.
type RejectedLogEventsInfo struct {
	TooNewLogEventStartIndex *int `json:"tooNewLogEventStartIndex,omitempty"`
	TooOldLogEventEndIndex   *int `json:"tooOldLogEventEndIndex,omitempty"`
	ExpiredLogEventEndIndex  *int `json:"expiredLogEventEndIndex,omitempty"`
}

// PutLogEvents limits, from AWS's PutLogEvents reference.
const (
	maxBatchEvents = 10000
	maxBatchBytes  = 1048576
	// eventOverhead is what AWS adds to each message's length when it
	// sizes a batch.
	eventOverhead = 26
	maxBatchSpan  = 24 * time.Hour
	maxFuture     = 2 * time.Hour
	maxPast       = 14 * 24 * time.Hour
)

// storedEvent is an event on its way into the store.
type storedEvent struct {
	ts, ingestion int64
	msg           string
}

// PutLogEvents stores a batch of events in an existing stream. Events must
// be in chronological order and span at most 24 hours; events more than
// two hours in the future, more than 14 days old or older than the
// group's retention are skipped and reported in RejectedLogEventsInfo.
// The stored events are durable when PutLogEvents returns.
func (s *Service) PutLogEvents(ctx context.Context, group, stream string, events []InputLogEvent) (*PutLogEventsOutput, error) {
	if err := validateGroupName(group); err != nil {
		return nil, err
	}
	if err := validateStreamName(stream); err != nil {
		return nil, err
	}
	if err := validateBatch(events); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	now := s.now()
	ingestion := millis(now)
	out := &PutLogEventsOutput{}
	var stored []storedEvent
	var lastSeq uint64
	err := s.db.Update(func(tx *store.Tx) error {
		g, ok, err := store.Get[groupRecord](tx, bucketGroups, group)
		if err != nil {
			return err
		}
		if !ok {
			return errGroupNotFound()
		}
		if tx.GetRaw(bucketStreams, streamKey(group, stream)) == nil {
			return errStreamNotFound()
		}
		var rejected RejectedLogEventsInfo
		stored, rejected = admit(events, now, g.RetentionInDays, ingestion)
		if rejected != (RejectedLogEventsInfo{}) {
			out.RejectedLogEventsInfo = &rejected
		}
		lastSeq, err = s.writeEvents(tx, group, stream, stored, false)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("put log events to %s/%s: %w", group, stream, err)
	}
	out.NextSequenceToken = sequenceToken(lastSeq)
	s.tail.publish(group, stream, stored)
	return out, nil
}

// validateBatch applies the checks AWS makes on the batch itself.
func validateBatch(events []InputLogEvent) error {
	if len(events) == 0 {
		return validationError("[]", "logEvents", "Member must have length greater than or equal to 1")
	}
	if len(events) > maxBatchEvents {
		return validationError(nil, "logEvents", fmt.Sprintf("Member must have length less than or equal to %d", maxBatchEvents))
	}
	size := 0
	for i, e := range events {
		if e.Message == "" {
			return validationError("", fmt.Sprintf("logEvents.%d.member.message", i+1), "Member must have length greater than or equal to 1")
		}
		if i > 0 && e.Timestamp < events[i-1].Timestamp {
			return invalidParameter("Log events in a single PutLogEvents request must be in chronological order.")
		}
		size += len(e.Message) + eventOverhead
	}
	if size > maxBatchBytes {
		return invalidParameter("Upload too large: %d bytes exceeds limit of %d", size, maxBatchBytes)
	}
	if span := events[len(events)-1].Timestamp - events[0].Timestamp; span > maxBatchSpan.Milliseconds() {
		return invalidParameter("The batch of log events in a single PutLogEvents request cannot span more than 24 hours.")
	}
	return nil
}

// admit drops the events AWS would reject for their age. The batch is in
// chronological order, so the too-old and expired events are a prefix and
// the too-new ones a suffix.
func admit(events []InputLogEvent, now time.Time, retentionDays *int, ingestion int64) ([]storedEvent, RejectedLogEventsInfo) {
	var r RejectedLogEventsInfo
	tooOld := millis(now.Add(-maxPast))
	tooNew := millis(now.Add(maxFuture))
	expired := int64(-1 << 63)
	if retentionDays != nil {
		expired = millis(now.Add(-time.Duration(*retentionDays) * 24 * time.Hour))
	}
	lo, hi := 0, len(events)
	for lo < hi && (events[lo].Timestamp < tooOld || events[lo].Timestamp < expired || events[lo].Timestamp < 0) {
		lo++
	}
	oldEnd, expiredEnd := 0, 0
	for i := range lo {
		if events[i].Timestamp < tooOld || events[i].Timestamp < 0 {
			oldEnd = i + 1
		}
		if events[i].Timestamp < expired {
			expiredEnd = i + 1
		}
	}
	if oldEnd > 0 {
		r.TooOldLogEventEndIndex = &oldEnd
	}
	if expiredEnd > 0 {
		r.ExpiredLogEventEndIndex = &expiredEnd
	}
	for hi > lo && events[hi-1].Timestamp > tooNew {
		hi--
	}
	if hi < len(events) {
		start := hi
		r.TooNewLogEventStartIndex = &start
	}
	out := make([]storedEvent, 0, hi-lo)
	for _, e := range events[lo:hi] {
		out = append(out, storedEvent{ts: e.Timestamp, ingestion: ingestion, msg: e.Message})
	}
	return out, r
}

// writeEvents stores events in one stream and updates the stream's and
// group's bookkeeping. With create, a missing group or stream is created
// first (Lambda's behaviour); without it they must exist. It returns the
// last ingestion sequence used.
func (s *Service) writeEvents(tx *store.Tx, group, stream string, events []storedEvent, create bool) (uint64, error) {
	g, ok, err := store.Get[groupRecord](tx, bucketGroups, group)
	if err != nil {
		return 0, err
	}
	if !ok {
		if !create {
			return 0, errGroupNotFound()
		}
		g = s.newGroup(group)
	}
	sk := streamKey(group, stream)
	st, ok, err := store.Get[streamRecord](tx, bucketStreams, sk)
	if err != nil {
		return 0, err
	}
	if !ok {
		if !create {
			return 0, errStreamNotFound()
		}
		st = s.newStream(group, stream)
	}
	prefix := streamEventsPrefix(group, stream)
	var seq uint64
	for _, e := range events {
		if seq, err = tx.NextSequence(bucketEvents); err != nil {
			return 0, err
		}
		key := prefix + pos{TS: e.ts, Seq: seq}.encode()
		if err := tx.PutRaw(bucketEvents, key, encodeEvent(e.ingestion, e.msg)); err != nil {
			return 0, err
		}
		if st.FirstEventTimestamp == nil || e.ts < *st.FirstEventTimestamp {
			st.FirstEventTimestamp = ptr(e.ts)
		}
		if st.LastEventTimestamp == nil || e.ts > *st.LastEventTimestamp {
			st.LastEventTimestamp = ptr(e.ts)
		}
		if st.LastIngestionTime == nil || e.ingestion > *st.LastIngestionTime {
			st.LastIngestionTime = ptr(e.ingestion)
		}
		st.Events++
		g.StoredBytes += int64(len(e.msg))
	}
	if seq != 0 {
		st.UploadSequenceToken = sequenceToken(seq)
	}
	if err := tx.Put(bucketStreams, sk, st); err != nil {
		return 0, err
	}
	if err := tx.Put(bucketGroups, group, g); err != nil {
		return 0, err
	}
	return seq, nil
}

// sequenceToken renders a sequence number the way AWS's tokens look: a
// long string of digits.
func sequenceToken(seq uint64) string {
	if seq == 0 {
		return ""
	}
	return fmt.Sprintf("%056d", seq)
}

func ptr[T any](v T) *T { return &v }

// loadStream reads a stream record, distinguishing a missing group from a
// missing stream as AWS does.
func loadStream(tx *store.Tx, group, stream string) (streamRecord, error) {
	if tx.GetRaw(bucketGroups, group) == nil {
		return streamRecord{}, errGroupNotFound()
	}
	raw := tx.GetRaw(bucketStreams, streamKey(group, stream))
	if raw == nil {
		return streamRecord{}, errStreamNotFound()
	}
	var st streamRecord
	if err := json.Unmarshal(raw, &st); err != nil {
		return streamRecord{}, fmt.Errorf("load log stream %s/%s: %w", group, stream, err)
	}
	return st, nil
}
