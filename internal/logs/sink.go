package logs

import (
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/store"
)

// LogEvent is one line of function output handed to Append.
type LogEvent struct {
	// Time is when the line was written; the zero time means "now".
	Time    time.Time
	Message string
}

// streamID names a stream in the Append buffer.
type streamID struct{ group, stream string }

// sink is the Append buffer.
type sink struct {
	mu      sync.Mutex
	pending map[streamID][]storedEvent
	order   []streamID // first-append order, so flushes are deterministic
	bytes   int
	closed  bool
	dropped int64

	kick chan struct{} // wakes the flusher when the buffer is large

	// flushMu makes flushes one at a time, so that a Flush call returns
	// only after events taken by a concurrent background flush are
	// written too.
	flushMu sync.Mutex
}

func (k *sink) init() {
	k.pending = map[streamID][]storedEvent{}
	k.kick = make(chan struct{}, 1)
}

func (k *sink) close() {
	k.mu.Lock()
	k.closed = true
	k.mu.Unlock()
}

// maxEventsPerTx bounds one flush transaction, so a large backlog is
// committed in pieces and readers are never starved.
const maxEventsPerTx = 20000

// Append buffers function output for group and stream and returns at
// once: it never touches the store. The background flusher writes the
// events within Config.FlushInterval, creating the group and stream if
// they are missing, as Lambda does. Subscribers see the events
// immediately. Invalid names, and events appended after Shutdown or
// beyond the buffer's bound while the store is stalled, are dropped and
// logged. Append does not retain events.
func (s *Service) Append(group, stream string, events []LogEvent) {
	if len(events) == 0 {
		return
	}
	if err := validateGroupName(group); err != nil {
		s.log.Warn("logs: append dropped: bad log group name", "group", group, "err", err)
		return
	}
	if err := validateStreamName(stream); err != nil {
		s.log.Warn("logs: append dropped: bad log stream name", "stream", stream, "err", err)
		return
	}
	now := s.now()
	ingestion := millis(now)
	evs := make([]storedEvent, len(events))
	size := 0
	for i, e := range events {
		t := e.Time
		if t.IsZero() {
			t = now
		}
		evs[i] = storedEvent{ts: max(millis(t), 0), ingestion: ingestion, msg: e.Message}
		size += len(e.Message) + eventOverhead
	}

	k := &s.sink
	k.mu.Lock()
	if k.closed || k.bytes+size > maxBuffered {
		closed := k.closed
		k.dropped += int64(len(evs))
		dropped := k.dropped
		k.mu.Unlock()
		s.log.Warn("logs: append dropped", "group", group, "stream", stream, "events", len(evs), "after_shutdown", closed, "dropped_total", dropped)
		return
	}
	id := streamID{group, stream}
	if _, ok := k.pending[id]; !ok {
		k.order = append(k.order, id)
	}
	k.pending[id] = append(k.pending[id], evs...)
	k.bytes += size
	full := k.bytes >= flushThreshold
	k.mu.Unlock()

	if full {
		select {
		case k.kick <- struct{}{}:
		default:
		}
	}
	s.tail.publish(group, stream, evs)
}

// flush writes the Append buffer to the store. Events that could not be
// written go back to the front of the buffer for the next flush.
func (s *Service) flush() error {
	k := &s.sink
	k.flushMu.Lock()
	defer k.flushMu.Unlock()

	k.mu.Lock()
	batch, order := k.pending, k.order
	k.pending, k.order, k.bytes = map[streamID][]storedEvent{}, nil, 0
	k.mu.Unlock()

	for len(order) > 0 {
		// Take whole streams until the transaction is big enough.
		n, count := 0, 0
		for n < len(order) && (n == 0 || count+len(batch[order[n]]) <= maxEventsPerTx) {
			count += len(batch[order[n]])
			n++
		}
		chunk := order[:n]
		err := s.db.Update(func(tx *store.Tx) error {
			for _, id := range chunk {
				if _, err := s.writeEvents(tx, id.group, id.stream, batch[id], true); err != nil {
					return fmt.Errorf("%s/%s: %w", id.group, id.stream, err)
				}
			}
			return nil
		})
		if err != nil {
			s.requeue(batch, order)
			return fmt.Errorf("flush log events: %w", err)
		}
		order = order[n:]
	}
	return nil
}

// requeue puts unwritten events back ahead of anything appended since.
func (s *Service) requeue(batch map[streamID][]storedEvent, order []streamID) {
	k := &s.sink
	k.mu.Lock()
	defer k.mu.Unlock()
	newer := k.order
	k.order = slices.Clone(order)
	for _, id := range order {
		evs := batch[id]
		k.pending[id] = append(evs, k.pending[id]...)
		for _, e := range evs {
			k.bytes += len(e.msg) + eventOverhead
		}
	}
	for _, id := range newer {
		if _, ok := batch[id]; !ok {
			k.order = append(k.order, id)
		}
	}
}
