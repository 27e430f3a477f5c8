package logs_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/cloudlet-dev/cloudlet/internal/logs"
	"github.com/google/go-cmp/cmp"
)

func TestCreateLogGroupErrors(t *testing.T) {
	s, _ := newService(t, newClock())
	ctx := context.Background()
	mustCreate(t, s, "/aws/lambda/fn")
	bad := 2
	tests := []struct {
		name      string
		group     string
		retention *int
		code, msg string
	}{
		{"exists", "/aws/lambda/fn", nil, "ResourceAlreadyExistsException", "The specified log group already exists"},
		{"bad-char", "a b", nil, "InvalidParameterException",
			`1 validation error detected: Value 'a b' at 'logGroupName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\.\-_/#A-Za-z0-9]+`},
		{"empty", "", nil, "InvalidParameterException", ""},
		{"too-long", strings.Repeat("a", 513), nil, "InvalidParameterException", ""},
		{"bad-retention", "g", &bad, "InvalidParameterException",
			"1 validation error detected: Value '2' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := s.CreateLogGroup(ctx, tt.group, tt.retention, nil)
			wantCode(t, fmt.Sprintf("CreateLogGroup(%.20q)", tt.group), err, tt.code, tt.msg)
		})
	}
}

func TestDescribeLogGroupsPages(t *testing.T) {
	clk := newClock()
	s, _ := newService(t, clk)
	ctx := context.Background()
	names := []string{"/aws/lambda/a", "/aws/lambda/b", "/aws/lambda/c", "/aws/lambda/d", "/other", "/aws/lambda"}
	for _, n := range names {
		mustCreate(t, s, n)
	}
	var got []string
	token := ""
	pages := 0
	for {
		page, next, err := s.DescribeLogGroups(ctx, "/aws/lambda/", token, 3)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, g := range page {
			got = append(got, g.LogGroupName)
		}
		if next == "" {
			break
		}
		token = next
	}
	want := []string{"/aws/lambda/a", "/aws/lambda/b", "/aws/lambda/c", "/aws/lambda/d"}
	if diff := cmp.Diff(want, got); diff != "" || pages != 2 {
		t.Errorf("DescribeLogGroups pages = %d (-want +got):\n%s", pages, diff)
	}

	page, _, err := s.DescribeLogGroups(ctx, "/other", "", 0)
	if err != nil {
		t.Fatal(err)
	}
	wantGroup := []logs.LogGroup{{
		LogGroupName:  "/other",
		CreationTime:  clk.Millis(),
		Arn:           "arn:aws:logs:us-east-1:000000000000:log-group:/other:*",
		LogGroupArn:   "arn:aws:logs:us-east-1:000000000000:log-group:/other",
		LogGroupClass: "STANDARD",
	}}
	if diff := cmp.Diff(wantGroup, page); diff != "" {
		t.Errorf("DescribeLogGroups(/other) (-want +got):\n%s", diff)
	}

	for _, tc := range []struct {
		name  string
		token string
		limit int
	}{{"bad-token", "!!", 0}, {"limit-51", "", 51}, {"limit-negative", "", -1}} {
		if _, _, err := s.DescribeLogGroups(ctx, "", tc.token, tc.limit); err == nil {
			t.Errorf("DescribeLogGroups(%s) succeeded, want InvalidParameterException", tc.name)
		} else {
			wantCode(t, "DescribeLogGroups("+tc.name+")", err, "InvalidParameterException", "")
		}
	}
}

func TestRetentionPolicy(t *testing.T) {
	s, _ := newService(t, newClock())
	ctx := context.Background()
	mustCreate(t, s, "g")
	if err := s.PutRetentionPolicy(ctx, "g", 7); err != nil {
		t.Fatal(err)
	}
	page, _, _ := s.DescribeLogGroups(ctx, "g", "", 0)
	if len(page) != 1 || page[0].RetentionInDays == nil || *page[0].RetentionInDays != 7 {
		t.Errorf("after PutRetentionPolicy(7): %+v, want retention 7", page)
	}
	if err := s.DeleteRetentionPolicy(ctx, "g"); err != nil {
		t.Fatal(err)
	}
	page, _, _ = s.DescribeLogGroups(ctx, "g", "", 0)
	if len(page) != 1 || page[0].RetentionInDays != nil {
		t.Errorf("after DeleteRetentionPolicy: %+v, want no retention", page)
	}
	wantCode(t, "PutRetentionPolicy(missing)", s.PutRetentionPolicy(ctx, "missing", 7),
		"ResourceNotFoundException", "The specified log group does not exist.")
	wantCode(t, "PutRetentionPolicy(g, 0)", s.PutRetentionPolicy(ctx, "g", 0), "InvalidParameterException", "")
}

func TestDeleteLogGroupRemovesEverything(t *testing.T) {
	s, _ := newService(t, newClock())
	ctx := context.Background()
	mustCreate(t, s, "a", "s1")
	mustCreate(t, s, "a/b", "s1") // a sibling whose name extends "a"
	for _, g := range []string{"a", "a/b"} {
		if _, err := s.PutLogEvents(ctx, g, "s1", []logs.InputLogEvent{{Timestamp: newClock().Millis(), Message: "in " + g}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.DeleteLogGroup(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	wantCode(t, "DeleteLogGroup(a) again", s.DeleteLogGroup(ctx, "a"), "ResourceNotFoundException", "The specified log group does not exist.")
	// Recreating the group finds no old streams or events.
	mustCreate(t, s, "a", "s1")
	out, err := s.GetLogEvents(ctx, logs.GetLogEventsInput{LogGroupName: "a", LogStreamName: "s1"})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Events) != 0 {
		t.Errorf("GetLogEvents(a/s1) after delete = %v, want none", out.Events)
	}
	out, err = s.GetLogEvents(ctx, logs.GetLogEventsInput{LogGroupName: "a/b", LogStreamName: "s1"})
	if err != nil {
		t.Fatal(err)
	}
	if got := messages(out.Events, outMsg); !cmp.Equal(got, []string{"in a/b"}) {
		t.Errorf("GetLogEvents(a/b/s1) = %q, want the sibling's event kept", got)
	}
}

func TestDescribeLogStreamsOrders(t *testing.T) {
	clk := newClock()
	s, _ := newService(t, clk)
	ctx := context.Background()
	mustCreate(t, s, "g", "c", "a", "b", "other")
	now := clk.Millis()
	// Last event times: b oldest, then c, then a; "other" has none.
	for i, name := range []string{"b", "c", "a"} {
		if _, err := s.PutLogEvents(ctx, "g", name, []logs.InputLogEvent{{Timestamp: now + int64(i), Message: "x"}}); err != nil {
			t.Fatal(err)
		}
	}
	names := func(prefix, order string, desc bool, limit int) []string {
		t.Helper()
		var out []string
		token := ""
		for {
			page, next, err := s.DescribeLogStreams(ctx, "g", prefix, order, desc, token, limit)
			if err != nil {
				t.Fatal(err)
			}
			for _, st := range page {
				out = append(out, st.LogStreamName)
			}
			if next == "" {
				return out
			}
			token = next
		}
	}
	tests := []struct {
		name   string
		prefix string
		order  string
		desc   bool
		want   []string
	}{
		{"by-name", "", "", false, []string{"a", "b", "c", "other"}},
		{"by-name-desc", "", logs.OrderByLogStreamName, true, []string{"other", "c", "b", "a"}},
		{"by-name-prefix", "o", "", false, []string{"other"}},
		{"by-time", "", logs.OrderByLastEventTime, false, []string{"other", "b", "c", "a"}},
		{"by-time-desc", "", logs.OrderByLastEventTime, true, []string{"a", "c", "b", "other"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := names(tt.prefix, tt.order, tt.desc, 1); !cmp.Equal(got, tt.want) {
				t.Errorf("DescribeLogStreams(%q, %q, desc=%v) = %q, want %q", tt.prefix, tt.order, tt.desc, got, tt.want)
			}
		})
	}

	page, _, err := s.DescribeLogStreams(ctx, "g", "a", "", false, "", 0)
	if err != nil || len(page) != 1 {
		t.Fatalf("DescribeLogStreams(a) = %v, %v", page, err)
	}
	a := page[0]
	if a.FirstEventTimestamp == nil || *a.FirstEventTimestamp != now+2 || a.LastIngestionTime == nil || *a.LastIngestionTime != now ||
		a.Arn != "arn:aws:logs:us-east-1:000000000000:log-group:g:log-stream:a" {
		t.Errorf("stream a = %+v, want first event %d, ingestion %d and its ARN", a, now+2, now)
	}

	_, _, err = s.DescribeLogStreams(ctx, "g", "a", logs.OrderByLastEventTime, false, "", 0)
	wantCode(t, "DescribeLogStreams(prefix, LastEventTime)", err, "InvalidParameterException", "Cannot order by LastEventTime with a logStreamNamePrefix.")
	_, _, err = s.DescribeLogStreams(ctx, "nope", "", "", false, "", 0)
	wantCode(t, "DescribeLogStreams(missing group)", err, "ResourceNotFoundException", "The specified log group does not exist.")
	wantCode(t, "CreateLogStream(dup)", s.CreateLogStream(ctx, "g", "a"), "ResourceAlreadyExistsException", "The specified log stream already exists")
	wantCode(t, "CreateLogStream(colon)", s.CreateLogStream(ctx, "g", "a:b"), "InvalidParameterException", "")
	wantCode(t, "CreateLogStream(missing group)", s.CreateLogStream(ctx, "nope", "a"), "ResourceNotFoundException", "The specified log group does not exist.")
}

func TestGroupNameFromIdentifier(t *testing.T) {
	for in, want := range map[string]string{
		"/aws/lambda/fn": "/aws/lambda/fn",
		"arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/fn:*": "/aws/lambda/fn",
		"arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/fn":   "/aws/lambda/fn",
		"arn:aws:s3:::bucket": "arn:aws:s3:::bucket",
	} {
		if got := logs.GroupNameFromIdentifier(in); got != want {
			t.Errorf("GroupNameFromIdentifier(%q) = %q, want %q", in, got, want)
		}
	}
}
