package logs

import (
	"strings"
	"sync"
)

// Event is a log event as live-tail subscribers see it.
type Event struct {
	LogGroupName  string `json:"logGroupName"`
	LogStreamName string `json:"logStreamName"`
	Timestamp     int64  `json:"timestamp"`
	IngestionTime int64  `json:"ingestionTime"`
	Message       string `json:"message"`
}

// subscriberBuffer is how many events a subscriber may fall behind before
// it starts losing them.
const subscriberBuffer = 4096

type subscriber struct {
	group, prefix string
	ch            chan Event
	closed        bool
}

// tail fans events out to subscribers.
type tail struct {
	mu     sync.RWMutex
	subs   map[*subscriber]struct{}
	closed bool
}

// Subscribe returns a channel of the events appended or put from now on
// to group (every group when group is empty) in streams whose names start
// with streamPrefix, and a function that ends the subscription and closes
// the channel. Shutdown closes every subscription's channel too. Events
// arrive in the order they were written per stream; a subscriber more
// than 4096 events behind loses the excess instead of slowing writers.
func (s *Service) Subscribe(group, streamPrefix string) (<-chan Event, func()) {
	sub := &subscriber{group: group, prefix: streamPrefix, ch: make(chan Event, subscriberBuffer)}
	t := &s.tail
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		close(sub.ch)
		return sub.ch, func() {}
	}
	if t.subs == nil {
		t.subs = map[*subscriber]struct{}{}
	}
	t.subs[sub] = struct{}{}
	t.mu.Unlock()
	cancel := func() {
		t.mu.Lock()
		defer t.mu.Unlock()
		if !sub.closed {
			sub.closed = true
			delete(t.subs, sub)
			close(sub.ch)
		}
	}
	return sub.ch, cancel
}

func (t *tail) publish(group, stream string, evs []storedEvent) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	for sub := range t.subs {
		if sub.group != "" && sub.group != group || !strings.HasPrefix(stream, sub.prefix) {
			continue
		}
		for _, e := range evs {
			select {
			case sub.ch <- Event{LogGroupName: group, LogStreamName: stream, Timestamp: e.ts, IngestionTime: e.ingestion, Message: e.msg}:
			default:
			}
		}
	}
}

func (t *tail) closeAll() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.closed = true
	for sub := range t.subs {
		sub.closed = true
		close(sub.ch)
	}
	t.subs = nil
}
