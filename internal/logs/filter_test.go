package logs_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/cloudlet-dev/cloudlet/internal/logs"
	"github.com/google/go-cmp/cmp"
)

func TestFilterLogEventsInterleavesAndPages(t *testing.T) {
	clk := newClock()
	s, _ := newService(t, clk)
	ctx := context.Background()
	mustCreate(t, s, "/aws/lambda/fn", "2026/11/25/[$LATEST]aaaa", "2026/11/25/[$LATEST]bbbb", "2026/11/24/[$LATEST]cccc")
	now := clk.Millis()
	put := func(stream string, evs ...logs.InputLogEvent) {
		t.Helper()
		if _, err := s.PutLogEvents(ctx, "/aws/lambda/fn", stream, evs); err != nil {
			t.Fatal(err)
		}
	}
	put("2026/11/25/[$LATEST]aaaa", logs.InputLogEvent{now, "a0 ERROR"}, logs.InputLogEvent{now + 2, "a2 info"}, logs.InputLogEvent{now + 4, "a4 ERROR"})
	put("2026/11/25/[$LATEST]bbbb", logs.InputLogEvent{now + 1, "b1 ERROR"}, logs.InputLogEvent{now + 3, "b3 ERROR"})
	put("2026/11/24/[$LATEST]cccc", logs.InputLogEvent{now + 2, "c2 ERROR"})

	collect := func(in logs.FilterInput) ([]string, int) {
		t.Helper()
		var got []string
		pages := 0
		for {
			out, err := s.FilterLogEvents(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			pages++
			for _, e := range out.Events {
				if e.EventID == "" || e.LogStreamName == "" {
					t.Errorf("event %+v lacks eventId or logStreamName", e)
				}
			}
			got = append(got, messages(out.Events, filMsg)...)
			if out.NextToken == "" {
				return got, pages
			}
			if pages > 20 {
				t.Fatal("FilterLogEvents paging does not end")
			}
			in.NextToken = out.NextToken
		}
	}
	tests := []struct {
		name  string
		in    logs.FilterInput
		want  []string
		pages int
	}{
		{"all", logs.FilterInput{}, []string{"a0 ERROR", "b1 ERROR", "a2 info", "c2 ERROR", "b3 ERROR", "a4 ERROR"}, 1},
		{"errors-by-two", logs.FilterInput{FilterPattern: "ERROR", Limit: 2}, []string{"a0 ERROR", "b1 ERROR", "c2 ERROR", "b3 ERROR", "a4 ERROR"}, 3},
		{"by-one", logs.FilterInput{Limit: 1}, []string{"a0 ERROR", "b1 ERROR", "a2 info", "c2 ERROR", "b3 ERROR", "a4 ERROR"}, 6},
		{"prefix", logs.FilterInput{LogStreamNamePrefix: "2026/11/25/"}, []string{"a0 ERROR", "b1 ERROR", "a2 info", "b3 ERROR", "a4 ERROR"}, 1},
		{"names", logs.FilterInput{LogStreamNames: []string{"2026/11/24/[$LATEST]cccc", "2026/11/25/[$LATEST]bbbb", "missing"}}, []string{"b1 ERROR", "c2 ERROR", "b3 ERROR"}, 1},
		{"time-window", logs.FilterInput{StartTime: now + 1, EndTime: now + 3}, []string{"b1 ERROR", "a2 info", "c2 ERROR"}, 1},
		{"exclude", logs.FilterInput{FilterPattern: "-ERROR"}, []string{"a2 info"}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.in.LogGroupName = "/aws/lambda/fn"
			got, pages := collect(tt.in)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("FilterLogEvents(%s) (-want +got):\n%s", tt.name, diff)
			}
			if pages != tt.pages {
				t.Errorf("FilterLogEvents(%s) took %d pages, want %d", tt.name, pages, tt.pages)
			}
		})
	}

	_, err := s.FilterLogEvents(ctx, logs.FilterInput{LogGroupName: "nope"})
	wantCode(t, "FilterLogEvents(missing group)", err, "ResourceNotFoundException", "The specified log group does not exist.")
	_, err = s.FilterLogEvents(ctx, logs.FilterInput{LogGroupName: "/aws/lambda/fn", LogStreamNames: []string{"a"}, LogStreamNamePrefix: "a"})
	wantCode(t, "FilterLogEvents(names and prefix)", err, "InvalidParameterException", "")
	_, err = s.FilterLogEvents(ctx, logs.FilterInput{LogGroupName: "/aws/lambda/fn", FilterPattern: `{ $.x = `})
	wantCode(t, "FilterLogEvents(bad pattern)", err, "InvalidParameterException", "")
	_, err = s.FilterLogEvents(ctx, logs.FilterInput{LogGroupName: "/aws/lambda/fn", NextToken: "garbage"})
	wantCode(t, "FilterLogEvents(bad token)", err, "InvalidParameterException", "")
}

func BenchmarkFilterLogEvents(b *testing.B) {
	clk := newClock()
	s, _ := newService(b, clk)
	ctx := context.Background()
	mustCreate(b, s, "g", "s1", "s2")
	putSpread(b, s, "g", "s1", clk.Millis()-10000, 50000)
	putSpread(b, s, "g", "s2", clk.Millis()-10000, 50000)
	for _, pat := range []string{"", "e4999", `{ $.x = 1 }`} {
		b.Run(fmt.Sprintf("pattern=%q", pat), func(b *testing.B) {
			for b.Loop() {
				if _, err := s.FilterLogEvents(ctx, logs.FilterInput{LogGroupName: "g", FilterPattern: pat, Limit: 100}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
