package logs_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/logs"
	"github.com/cloudlet-dev/cloudlet/internal/store"
	"github.com/google/go-cmp/cmp"
)

// allMessages reads every event of a stream, oldest first.
func allMessages(t *testing.T, s *logs.Service, group, stream string) []string {
	t.Helper()
	var got []string
	in := logs.GetLogEventsInput{LogGroupName: group, LogStreamName: stream, StartFromHead: true}
	for {
		out, err := s.GetLogEvents(context.Background(), in)
		if err != nil {
			t.Fatalf("GetLogEvents(%s/%s): %v", group, stream, err)
		}
		got = append(got, messages(out.Events, outMsg)...)
		if len(out.Events) == 0 {
			return got
		}
		in.NextToken = out.NextForwardToken
	}
}

// Append from many goroutines, then Shutdown: every event is in the
// store, in each writer's order, in a group and stream Append created.
func TestAppendShutdownLosesNothing(t *testing.T) {
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
	const writers, perWriter = 8, 500
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			stream := fmt.Sprintf("2026/11/25/[$LATEST]%032x", w)
			for i := range perWriter {
				// Each event a millisecond later, so stream order is the
				// writer's order whatever the flush batching.
				s.Append("/aws/lambda/fn", stream, []logs.LogEvent{{Time: clk.Now().Add(time.Duration(i) * time.Millisecond), Message: fmt.Sprintf("w%d-%d", w, i)}})
			}
		})
	}
	wg.Wait()
	if err := s.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	// After Shutdown, Append drops instead of buffering for nobody.
	s.Append("/aws/lambda/fn", "late", []logs.LogEvent{{Message: "too late"}})
	db.Close()

	db, err = store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s, err = logs.New(logs.Config{DB: db, Now: clk.Now, CleanupInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Shutdown(context.Background())
	for w := range writers {
		stream := fmt.Sprintf("2026/11/25/[$LATEST]%032x", w)
		got := allMessages(t, s, "/aws/lambda/fn", stream)
		var want []string
		for i := range perWriter {
			want = append(want, fmt.Sprintf("w%d-%d", w, i))
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("stream %d after Shutdown (-want +got):\n%s", w, diff)
		}
	}
	if _, err := s.GetLogEvents(context.Background(), logs.GetLogEventsInput{LogGroupName: "/aws/lambda/fn", LogStreamName: "late"}); err == nil {
		t.Errorf("an event appended after Shutdown reached the store")
	}
}

// A buffer past the size threshold is flushed without waiting for the
// (hour-long) interval.
func TestAppendFlushesWhenBufferIsLarge(t *testing.T) {
	clk := newClock()
	s, _ := newService(t, clk)
	line := strings.Repeat("x", 1000)
	const n = 1100 // ~1.1 MB with overhead: past the 1 MiB threshold
	for i := range n {
		s.Append("g", "s", []logs.LogEvent{{Time: clk.Now(), Message: fmt.Sprintf("%04d%s", i, line)}})
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		// Reads are capped at 1 MB a page: count with FilterLogEvents'
		// pages instead.
		count := 0
		in := logs.FilterInput{LogGroupName: "g"}
		for {
			out, err := s.FilterLogEvents(context.Background(), in)
			if err != nil {
				break
			}
			count += len(out.Events)
			if in.NextToken = out.NextToken; in.NextToken == "" {
				break
			}
		}
		// The first megabyte crosses the threshold and must be flushed;
		// the rest may wait for the interval.
		if count >= 1000 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d events flushed without Flush or Shutdown, want at least the first 1000", count, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestAppendThenFlushIsReadable(t *testing.T) {
	clk := newClock()
	s, _ := newService(t, clk)
	ctx := context.Background()
	t0 := clk.Now()
	s.Append("/aws/lambda/fn", "s", []logs.LogEvent{{Time: t0, Message: "START RequestId: r1 Version: $LATEST\n"}, {Message: "hello\n"}})
	if err := s.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	out, err := s.GetLogEvents(ctx, logs.GetLogEventsInput{LogGroupName: "/aws/lambda/fn", LogStreamName: "s", StartFromHead: true})
	if err != nil {
		t.Fatal(err)
	}
	want := []logs.OutputLogEvent{
		{Timestamp: t0.UnixMilli(), Message: "START RequestId: r1 Version: $LATEST\n", IngestionTime: t0.UnixMilli()},
		{Timestamp: t0.UnixMilli(), Message: "hello\n", IngestionTime: t0.UnixMilli()},
	}
	if diff := cmp.Diff(want, out.Events); diff != "" {
		t.Errorf("events after Append+Flush (-want +got):\n%s", diff)
	}
	// The group Append created is a real one: creating it again clashes,
	// as it does in AWS when a template declares a group Lambda made
	// (cloudformation.md §6.6).
	wantCode(t, "CreateLogGroup(auto-created)", s.CreateLogGroup(ctx, "/aws/lambda/fn", nil, nil), "ResourceAlreadyExistsException", "")
	// Bad names are dropped, not stored and not fatal.
	s.Append("bad name", "s", []logs.LogEvent{{Message: "x"}})
	s.Append("g", "bad:stream", []logs.LogEvent{{Message: "x"}})
	if err := s.Flush(ctx); err != nil {
		t.Errorf("Flush after bad appends: %v", err)
	}
}

func TestSubscribe(t *testing.T) {
	clk := newClock()
	s, _ := newService(t, clk)
	ctx := context.Background()
	fnA, cancelA := s.Subscribe("/aws/lambda/a", "")
	fnAPrefixed, cancelP := s.Subscribe("/aws/lambda/a", "2026/11/25/")
	every, cancelAll := s.Subscribe("", "")
	defer cancelP()
	defer cancelAll()

	s.Append("/aws/lambda/a", "2026/11/25/[$LATEST]x", []logs.LogEvent{{Time: clk.Now(), Message: "one"}})
	s.Append("/aws/lambda/a", "2026/11/24/[$LATEST]y", []logs.LogEvent{{Time: clk.Now(), Message: "two"}})
	s.Append("/aws/lambda/b", "2026/11/25/[$LATEST]z", []logs.LogEvent{{Time: clk.Now(), Message: "three"}})
	mustCreate(t, s, "/aws/lambda/a/extra", "s") // not a: exact group match
	if _, err := s.PutLogEvents(ctx, "/aws/lambda/a/extra", "s", []logs.InputLogEvent{{clk.Millis(), "four"}}); err != nil {
		t.Fatal(err)
	}

	take := func(ch <-chan logs.Event, n int) []string {
		t.Helper()
		var got []string
		for range n {
			select {
			case e := <-ch:
				got = append(got, e.LogGroupName+" "+e.Message)
			case <-time.After(5 * time.Second):
				t.Fatalf("subscriber got %q, then nothing", got)
			}
		}
		return got
	}
	if got, want := take(fnA, 2), []string{"/aws/lambda/a one", "/aws/lambda/a two"}; !cmp.Equal(got, want) {
		t.Errorf("Subscribe(a) got %q, want %q", got, want)
	}
	if got, want := take(fnAPrefixed, 1), []string{"/aws/lambda/a one"}; !cmp.Equal(got, want) {
		t.Errorf("Subscribe(a, 2026/11/25/) got %q, want %q", got, want)
	}
	if got, want := take(every, 4), []string{"/aws/lambda/a one", "/aws/lambda/a two", "/aws/lambda/b three", "/aws/lambda/a/extra four"}; !cmp.Equal(got, want) {
		t.Errorf("Subscribe(all) got %q, want %q", got, want)
	}
	select {
	case e := <-fnAPrefixed:
		t.Errorf("Subscribe(a, 2026/11/25/) got extra event %+v", e)
	default:
	}

	cancelA()
	cancelA() // twice is harmless
	if _, ok := <-fnA; ok {
		t.Errorf("channel still open after cancel")
	}
	s.Append("/aws/lambda/a", "2026/11/25/[$LATEST]x", []logs.LogEvent{{Message: "after cancel"}}) // must not panic

	if err := s.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	for _, ch := range []<-chan logs.Event{fnAPrefixed, every} {
		for range ch { // drain; the loop ends only if Shutdown closed it
		}
	}
	late, cancel := s.Subscribe("", "")
	defer cancel()
	if _, ok := <-late; ok {
		t.Errorf("Subscribe after Shutdown returned an open channel")
	}
}

// A subscriber that never reads must not block Append.
func TestSlowSubscriberDoesNotBlockAppend(t *testing.T) {
	clk := newClock()
	s, _ := newService(t, clk)
	_, cancel := s.Subscribe("", "")
	defer cancel()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 10000 {
			s.Append("g", "s", []logs.LogEvent{{Message: fmt.Sprint(i)}})
		}
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("Append blocked behind a subscriber that does not read")
	}
}

func TestExpireEvents(t *testing.T) {
	clk := newClock()
	s, _ := newService(t, clk)
	ctx := context.Background()
	mustCreate(t, s, "short", "s1", "s2")
	mustCreate(t, s, "forever", "s")
	if err := s.PutRetentionPolicy(ctx, "short", 1); err != nil {
		t.Fatal(err)
	}
	day := 24 * time.Hour
	t0 := clk.Millis()
	for _, g := range [][2]string{{"short", "s1"}, {"short", "s2"}, {"forever", "s"}} {
		if _, err := s.PutLogEvents(ctx, g[0], g[1], []logs.InputLogEvent{{t0 - day.Milliseconds()/2, "old"}, {t0, "newer"}}); err != nil {
			t.Fatal(err)
		}
	}
	// Still visible until the cleanup pass runs, as in AWS.
	clk.Advance(day/2 + time.Hour)
	if got := allMessages(t, s, "short", "s1"); len(got) != 2 {
		t.Errorf("before cleanup: %q, want both events", got)
	}
	n, err := s.ExpireEvents(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("ExpireEvents removed %d, want 2", n)
	}
	for _, g := range [][3]string{{"short", "s1", "newer"}, {"short", "s2", "newer"}, {"forever", "s", "old newer"}} {
		if got := strings.Join(allMessages(t, s, g[0], g[1]), " "); got != g[2] {
			t.Errorf("after cleanup %s/%s = %q, want %q", g[0], g[1], got, g[2])
		}
	}
	page, _, err := s.DescribeLogStreams(ctx, "short", "s1", "", false, "", 0)
	if err != nil || len(page) != 1 || page[0].FirstEventTimestamp == nil || *page[0].FirstEventTimestamp != t0 {
		t.Errorf("stream after cleanup = %+v, %v; want first event at %d", page, err, t0)
	}
	clk.Advance(day)
	if n, err := s.ExpireEvents(ctx); err != nil || n != 2 {
		t.Errorf("second ExpireEvents = %d, %v; want 2", n, err)
	}
	out, err := s.FilterLogEvents(ctx, logs.FilterInput{LogGroupName: "short"})
	if err != nil || len(out.Events) != 0 {
		t.Errorf("FilterLogEvents after everything expired = %v, %v; want none", out, err)
	}
}

// Append is on the invoke path: it must cost a copy, not a disk write.
func BenchmarkAppend(b *testing.B) {
	clk := newClock()
	s, _ := newService(b, clk)
	line := []logs.LogEvent{{Time: clk.Now(), Message: "[INFO]\t2026-11-25T12:00:00.000Z\treq-1\thello from the handler\n"}}
	for b.Loop() {
		s.Append("/aws/lambda/fn", "2026/11/25/[$LATEST]0123456789abcdef0123456789abcdef", line)
	}
}
