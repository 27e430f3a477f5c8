package logs_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/logs"
	"github.com/cloudlet-dev/cloudlet/internal/store"
	"github.com/google/go-cmp/cmp"
)

func TestPutLogEventsValidation(t *testing.T) {
	clk := newClock()
	s, _ := newService(t, clk)
	ctx := context.Background()
	mustCreate(t, s, "g", "s")
	now := clk.Millis()
	many := make([]logs.InputLogEvent, 10001)
	for i := range many {
		many[i] = logs.InputLogEvent{Timestamp: now, Message: "x"}
	}
	tests := []struct {
		name          string
		group, stream string
		events        []logs.InputLogEvent
		code, msg     string
	}{
		{"no-group", "nope", "s", []logs.InputLogEvent{{now, "x"}}, "ResourceNotFoundException", "The specified log group does not exist."},
		{"no-stream", "g", "nope", []logs.InputLogEvent{{now, "x"}}, "ResourceNotFoundException", "The specified log stream does not exist."},
		{"empty", "g", "s", nil, "InvalidParameterException",
			"1 validation error detected: Value '[]' at 'logEvents' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"too-many", "g", "s", many, "InvalidParameterException", ""},
		{"empty-message", "g", "s", []logs.InputLogEvent{{now, "x"}, {now, ""}}, "InvalidParameterException",
			"1 validation error detected: Value '' at 'logEvents.2.member.message' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"out-of-order", "g", "s", []logs.InputLogEvent{{now, "b"}, {now - 1, "a"}}, "InvalidParameterException",
			"Log events in a single PutLogEvents request must be in chronological order."},
		{"span", "g", "s", []logs.InputLogEvent{{now - 25*3600*1000, "a"}, {now, "b"}}, "InvalidParameterException",
			"The batch of log events in a single PutLogEvents request cannot span more than 24 hours."},
		{"too-large", "g", "s", []logs.InputLogEvent{{now, strings.Repeat("x", 1048576)}}, "InvalidParameterException",
			"Upload too large: 1048602 bytes exceeds limit of 1048576"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.PutLogEvents(ctx, tt.group, tt.stream, tt.events)
			wantCode(t, "PutLogEvents", err, tt.code, tt.msg)
		})
	}
}

func TestPutLogEventsRejectsByAge(t *testing.T) {
	clk := newClock()
	s, _ := newService(t, clk)
	ctx := context.Background()
	mustCreate(t, s, "kept1d", "s")
	mustCreate(t, s, "forever", "s")
	if err := s.PutRetentionPolicy(ctx, "kept1d", 1); err != nil {
		t.Fatal(err)
	}
	now := clk.Millis()
	minute := int64(time.Minute / time.Millisecond)
	day := 24 * 60 * minute
	tests := []struct {
		name   string
		group  string
		events []logs.InputLogEvent
		want   *logs.RejectedLogEventsInfo
		stored []string
	}{
		{"expired", "kept1d", []logs.InputLogEvent{{now - day - minute, "old"}, {now - day + minute, "new"}},
			&logs.RejectedLogEventsInfo{ExpiredLogEventEndIndex: ptr(1)}, []string{"new"}},
		{"too-new", "kept1d", []logs.InputLogEvent{{now, "now"}, {now + 121*minute, "future"}},
			&logs.RejectedLogEventsInfo{TooNewLogEventStartIndex: ptr(1)}, []string{"now"}},
		{"too-old", "forever", []logs.InputLogEvent{{now - 14*day - minute, "ancient"}, {now - 14*day + day/2, "old"}},
			&logs.RejectedLogEventsInfo{TooOldLogEventEndIndex: ptr(1)}, []string{"old"}},
		{"all-fine", "forever", []logs.InputLogEvent{{now - minute, "a"}, {now, "b"}}, nil, []string{"a", "b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stream := "s-" + tt.name
			if err := s.CreateLogStream(ctx, tt.group, stream); err != nil {
				t.Fatal(err)
			}
			out, err := s.PutLogEvents(ctx, tt.group, stream, tt.events)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, out.RejectedLogEventsInfo); diff != "" {
				t.Errorf("RejectedLogEventsInfo (-want +got):\n%s", diff)
			}
			if out.NextSequenceToken == "" {
				t.Errorf("NextSequenceToken is empty")
			}
			got, err := s.GetLogEvents(ctx, logs.GetLogEventsInput{LogGroupName: tt.group, LogStreamName: stream, StartFromHead: true})
			if err != nil {
				t.Fatal(err)
			}
			if msgs := messages(got.Events, outMsg); !cmp.Equal(msgs, tt.stored) {
				t.Errorf("stored events = %q, want %q", msgs, tt.stored)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

// putSpread puts n events "e0".."e<n-1>" into g/s, ten per millisecond,
// in batches of up to 10000.
func putSpread(t testing.TB, s *logs.Service, group, stream string, base int64, n int) {
	t.Helper()
	ctx := context.Background()
	for start := 0; start < n; start += 10000 {
		var batch []logs.InputLogEvent
		for i := start; i < min(start+10000, n); i++ {
			batch = append(batch, logs.InputLogEvent{Timestamp: base + int64(i/10), Message: fmt.Sprintf("e%d", i)})
		}
		if _, err := s.PutLogEvents(ctx, group, stream, batch); err != nil {
			t.Fatal(err)
		}
	}
}

func TestGetLogEventsOrderAndTokens(t *testing.T) {
	clk := newClock()
	s, _ := newService(t, clk)
	ctx := context.Background()
	mustCreate(t, s, "g", "s")
	now := clk.Millis()
	// Two batches whose timestamps interleave: the stream must come back
	// in (timestamp, ingestion) order.
	for _, batch := range [][]logs.InputLogEvent{
		{{now, "a1"}, {now + 2, "a3"}},
		{{now, "b1"}, {now + 1, "b2"}, {now + 2, "b3"}},
	} {
		if _, err := s.PutLogEvents(ctx, "g", "s", batch); err != nil {
			t.Fatal(err)
		}
	}
	in := logs.GetLogEventsInput{LogGroupName: "g", LogStreamName: "s", StartFromHead: true}
	out, err := s.GetLogEvents(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := messages(out.Events, outMsg), []string{"a1", "b1", "b2", "a3", "b3"}; !cmp.Equal(got, want) {
		t.Errorf("GetLogEvents(head) = %q, want %q", got, want)
	}
	if out.Events[0].IngestionTime != now {
		t.Errorf("IngestionTime = %d, want %d", out.Events[0].IngestionTime, now)
	}

	// Paging forward two at a time walks the same order and ends by
	// handing back the token it was given.
	var got []string
	in.Limit = 2
	for i := 0; ; i++ {
		out, err := s.GetLogEvents(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, messages(out.Events, outMsg)...)
		if !strings.HasPrefix(out.NextForwardToken, "f/") || !strings.HasPrefix(out.NextBackwardToken, "b/") {
			t.Fatalf("tokens %q, %q, want f/… and b/…", out.NextForwardToken, out.NextBackwardToken)
		}
		if out.NextForwardToken == in.NextToken {
			if len(out.Events) != 0 {
				t.Errorf("end-of-stream page has events %v", out.Events)
			}
			break
		}
		if i > 10 {
			t.Fatal("forward paging does not end")
		}
		in.NextToken = out.NextForwardToken
	}
	if want := []string{"a1", "b1", "b2", "a3", "b3"}; !cmp.Equal(got, want) {
		t.Errorf("forward pages = %q, want %q", got, want)
	}

	// The default reads the newest events; backward tokens walk to the
	// start.
	in = logs.GetLogEventsInput{LogGroupName: "g", LogStreamName: "s", Limit: 2}
	var pages [][]string
	for i := 0; ; i++ {
		out, err := s.GetLogEvents(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		if out.NextBackwardToken == in.NextToken {
			break
		}
		if i > 10 {
			t.Fatal("backward paging does not end")
		}
		pages = append(pages, messages(out.Events, outMsg))
		in.NextToken = out.NextBackwardToken
	}
	if want := [][]string{{"a3", "b3"}, {"b1", "b2"}, {"a1"}}; !cmp.Equal(pages, want) {
		t.Errorf("backward pages = %q, want %q", pages, want)
	}

	// Time bounds: StartTime inclusive, EndTime exclusive.
	out, err = s.GetLogEvents(ctx, logs.GetLogEventsInput{LogGroupName: "g", LogStreamName: "s", StartTime: now + 1, EndTime: now + 2, StartFromHead: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := messages(out.Events, outMsg); !cmp.Equal(got, []string{"b2"}) {
		t.Errorf("GetLogEvents([now+1, now+2)) = %q, want [b2]", got)
	}

	_, err = s.GetLogEvents(ctx, logs.GetLogEventsInput{LogGroupName: "g", LogStreamName: "s", NextToken: "x/123"})
	wantCode(t, "GetLogEvents(bad token)", err, "InvalidParameterException", "")
	_, err = s.GetLogEvents(ctx, logs.GetLogEventsInput{LogGroupName: "g", LogStreamName: "nope"})
	wantCode(t, "GetLogEvents(missing stream)", err, "ResourceNotFoundException", "The specified log stream does not exist.")
}

// A stream of 100k events pages forward and backward, each page the
// right slice of the whole.
func TestGetLogEventsLargeStream(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 100k events")
	}
	clk := newClock()
	s, _ := newService(t, clk)
	ctx := context.Background()
	mustCreate(t, s, "g", "s")
	const n = 100000
	base := clk.Millis() - int64(n/10)
	putSpread(t, s, "g", "s", base, n)

	want := func(from, to int) []string {
		var out []string
		for i := from; i < to; i++ {
			out = append(out, fmt.Sprintf("e%d", i))
		}
		return out
	}
	out, err := s.GetLogEvents(ctx, logs.GetLogEventsInput{LogGroupName: "g", LogStreamName: "s", Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if got := messages(out.Events, outMsg); !cmp.Equal(got, want(n-100, n)) {
		t.Errorf("newest page = %q…, want e%d…e%d", got[:min(3, len(got))], n-100, n-1)
	}
	out, err = s.GetLogEvents(ctx, logs.GetLogEventsInput{LogGroupName: "g", LogStreamName: "s", Limit: 100, NextToken: out.NextBackwardToken})
	if err != nil {
		t.Fatal(err)
	}
	if got := messages(out.Events, outMsg); !cmp.Equal(got, want(n-200, n-100)) {
		t.Errorf("second newest page = %q…, want e%d…", got[:min(3, len(got))], n-200)
	}
	out, err = s.GetLogEvents(ctx, logs.GetLogEventsInput{LogGroupName: "g", LogStreamName: "s", StartFromHead: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := messages(out.Events, outMsg); !cmp.Equal(got, want(0, 10000)) {
		t.Errorf("head page has %d events, want e0…e9999", len(got))
	}
	// From the middle: events at or after e50000's timestamp.
	out, err = s.GetLogEvents(ctx, logs.GetLogEventsInput{LogGroupName: "g", LogStreamName: "s", StartTime: base + 5000, Limit: 10, StartFromHead: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := messages(out.Events, outMsg); !cmp.Equal(got, want(50000, 50010)) {
		t.Errorf("page from StartTime = %q, want e50000…e50009", got)
	}
}

func BenchmarkGetLogEventsPage(b *testing.B) {
	clk := newClock()
	s, _ := newService(b, clk)
	ctx := context.Background()
	mustCreate(b, s, "g", "s")
	const n = 100000
	putSpread(b, s, "g", "s", clk.Millis()-n/10, n)
	for _, head := range []bool{true, false} {
		b.Run(fmt.Sprintf("head=%v", head), func(b *testing.B) {
			for b.Loop() {
				if _, err := s.GetLogEvents(ctx, logs.GetLogEventsInput{LogGroupName: "g", LogStreamName: "s", Limit: 100, StartFromHead: head}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func TestEventsSurviveReopen(t *testing.T) {
	clk := newClock()
	dir := t.TempDir()
	db, err := store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	s, err := logs.New(logs.Config{DB: db, Now: clk.Now, FlushInterval: time.Hour, CleanupInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	mustCreate(t, s, "g", "s")
	if _, err := s.PutLogEvents(ctx, "g", "s", []logs.InputLogEvent{{clk.Millis(), "durable"}}); err != nil {
		t.Fatal(err)
	}
	// No Shutdown: PutLogEvents alone must have made the event durable.
	db.Close()
	db, err = store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s2, err := logs.New(logs.Config{DB: db, Now: clk.Now, CleanupInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Shutdown(ctx)
	out, err := s2.GetLogEvents(ctx, logs.GetLogEventsInput{LogGroupName: "g", LogStreamName: "s"})
	if err != nil {
		t.Fatal(err)
	}
	if got := messages(out.Events, outMsg); !cmp.Equal(got, []string{"durable"}) {
		t.Errorf("after reopen GetLogEvents = %q, want [durable]", got)
	}
}
