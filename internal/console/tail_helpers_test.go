package console

import (
	"fmt"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/logs"
)

// fakeTail is a log tail a test feeds by hand; closing the subscription
// closes the channel, after which the reader drains what is buffered.
type fakeTail struct{ ch chan logs.Event }

func newFakeTail() *fakeTail { return &fakeTail{ch: make(chan logs.Event, 1024)} }

func (f *fakeTail) Subscribe(group, prefix string) (<-chan logs.Event, func()) {
	return f.ch, func() { close(f.ch) }
}

func (f *fakeTail) send(group string, at time.Time, msg string) {
	f.ch <- logs.Event{LogGroupName: group, LogStreamName: "s", Timestamp: at.UnixMilli(), Message: msg}
}

func requestID(i int) string { return fmt.Sprintf("req-%d", i) }

func reportLine(i int, failed bool) string {
	s := fmt.Sprintf("REPORT RequestId: %s\tDuration: 50.00 ms\tBilled Duration: 100 ms\tMemory Size: 128 MB\tMax Memory Used: 30 MB\t", requestID(i))
	if failed {
		s += "Status: error\tError Type: Runtime.ExitError\t"
	}
	return s
}
