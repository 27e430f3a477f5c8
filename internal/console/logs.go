package console

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/logs"
)

func logGroupURL(group string) string { return Prefix + "logs/group?name=" + url.QueryEscape(group) }

type logGroupsPage struct {
	Groups            []logs.LogGroup
	Prefix, NextToken string
}

func (c *Console) logGroups(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	groups, next, err := c.cfg.Logs.DescribeLogGroups(r.Context(), q.Get("prefix"), q.Get("page"), 50)
	if err != nil {
		return err
	}
	c.render(w, r, http.StatusOK, "loggroups", "Log groups", "logs", logGroupsPage{Groups: groups, Prefix: q.Get("prefix"), NextToken: next})
	return nil
}

// Search windows offered on a log group's page.
var searchWindows = []struct {
	Name string
	D    time.Duration
}{{"5m", 5 * time.Minute}, {"1h", time.Hour}, {"1d", 24 * time.Hour}, {"all", 0}}

type logGroupPage struct {
	Group   string
	Streams []logs.LogStream
	// Filter and Since are the search form; Events its results.
	Filter, Since string
	Windows       []string
	Events        []logs.FilteredLogEvent
	NextToken     string
	SearchErr     string
	// TailURL is the live tail's event stream.
	TailURL string
}

func (c *Console) logGroup(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	q := r.URL.Query()
	group := q.Get("name")
	if group == "" {
		return badRequest("Which log group? The URL needs ?name=.")
	}
	if err := c.cfg.Logs.Flush(ctx); err != nil {
		return fmt.Errorf("flush logs: %w", err)
	}
	streams, _, err := c.cfg.Logs.DescribeLogStreams(ctx, group, "", logs.OrderByLastEventTime, true, "", 50)
	if err != nil {
		return err
	}
	p := logGroupPage{Group: group, Streams: streams, Filter: q.Get("filter"), Since: q.Get("since")}
	for _, sw := range searchWindows {
		p.Windows = append(p.Windows, sw.Name)
	}
	if p.Since == "" {
		p.Since = "1h"
	}
	in := logs.FilterInput{LogGroupName: group, FilterPattern: p.Filter, NextToken: q.Get("page"), Limit: 200}
	for _, sw := range searchWindows {
		if sw.Name == p.Since && sw.D > 0 {
			in.StartTime = c.now().Add(-sw.D).UnixMilli()
		}
	}
	out, err := c.cfg.Logs.FilterLogEvents(ctx, in)
	if err != nil {
		p.SearchErr = err.Error()
	} else {
		p.Events, p.NextToken = out.Events, out.NextToken
	}
	p.TailURL = Prefix + "logs/tail?group=" + url.QueryEscape(group) + "&filter=" + url.QueryEscape(p.Filter)
	c.render(w, r, http.StatusOK, "loggroup", group, "logs", p)
	return nil
}

type logStreamPage struct {
	Group, Stream string
	Events        []logs.OutputLogEvent
	Next, Prev    string
}

func (c *Console) logStream(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	p := logStreamPage{Group: q.Get("group"), Stream: q.Get("stream")}
	if p.Group == "" || p.Stream == "" {
		return badRequest("Which log stream? The URL needs ?group= and &stream=.")
	}
	if err := c.cfg.Logs.Flush(r.Context()); err != nil {
		return fmt.Errorf("flush logs: %w", err)
	}
	out, err := c.cfg.Logs.GetLogEvents(r.Context(), logs.GetLogEventsInput{LogGroupName: p.Group, LogStreamName: p.Stream,
		NextToken: q.Get("page"), Limit: 500, StartFromHead: q.Get("page") == ""})
	if err != nil {
		return err
	}
	p.Events = out.Events
	if len(out.Events) > 0 {
		p.Next, p.Prev = out.NextForwardToken, out.NextBackwardToken
	}
	c.render(w, r, http.StatusOK, "logstream", p.Stream, "logs", p)
	return nil
}

// tailRow is one log event as the live tail receives it.
type tailRow struct {
	Time    string `json:"time"`
	Stream  string `json:"stream"`
	Message string `json:"message"`
}

// logTail streams a group's new events that match the filter as
// Server-Sent Events. Each event's ID is its timestamp in milliseconds; a
// browser that reconnects (streams end after streamLifetime) gets the
// events written since from the store first, then the live ones.
func (c *Console) logTail(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	q := r.URL.Query()
	group := q.Get("group")
	if group == "" {
		return badRequest("Which log group? The URL needs ?group=.")
	}
	filter := q.Get("filter")
	match, err := compileTailFilter(filter)
	if err != nil {
		return badRequest("%v", err)
	}
	// Subscribe before reading the store, so nothing falls in between.
	ch, cancel := c.cfg.Logs.Subscribe(group, q.Get("stream"))
	defer cancel()
	var missed []logs.FilteredLogEvent
	var last int64
	if id := r.Header.Get("Last-Event-ID"); id != "" {
		if last, err = strconv.ParseInt(id, 10, 64); err != nil {
			return badRequest("Last-Event-ID %q is not a timestamp.", id)
		}
		if missed, err = c.missedEvents(ctx, group, q.Get("stream"), filter, last); err != nil {
			return err
		}
	}
	sse, err := c.startSSE(w)
	if err != nil {
		return err
	}
	defer sse.stop()
	type key struct {
		stream, msg string
		ts          int64
	}
	replayed := map[key]bool{}
	send := func(ts int64, stream, msg string) {
		b, _ := json.Marshal(tailRow{Time: fmtTime(time.UnixMilli(ts)), Stream: stream, Message: msg})
		sse.send(strconv.FormatInt(ts, 10), "", string(b))
	}
	for _, e := range missed {
		replayed[key{e.LogStreamName, e.Message, e.Timestamp}] = true
		send(e.Timestamp, e.LogStreamName, e.Message)
	}
	keepalive := time.NewTicker(15 * time.Second)
	defer keepalive.Stop()
	for {
		select {
		case ev, ok := <-ch:
			if !ok {
				return nil
			}
			if ev.Timestamp <= last || replayed[key{ev.LogStreamName, ev.Message, ev.Timestamp}] || !match(ev.Message) {
				continue
			}
			send(ev.Timestamp, ev.LogStreamName, ev.Message)
		case <-keepalive.C:
			sse.comment()
		case <-sse.end:
			return nil
		case <-ctx.Done():
			return nil
		case <-c.ctx.Done():
			return nil
		}
	}
}

// missedEvents reads the events written to group after the millisecond
// last, at most 1000 of them: what a reconnecting tail did not see.
func (c *Console) missedEvents(ctx context.Context, group, streamPrefix, filter string, last int64) ([]logs.FilteredLogEvent, error) {
	if err := c.cfg.Logs.Flush(ctx); err != nil {
		return nil, fmt.Errorf("flush logs: %w", err)
	}
	out, err := c.cfg.Logs.FilterLogEvents(ctx, logs.FilterInput{LogGroupName: group, LogStreamNamePrefix: streamPrefix,
		FilterPattern: filter, StartTime: last + 1, Limit: 1000})
	if err != nil {
		return nil, err
	}
	return out.Events, nil
}

// compileTailFilter compiles the live tail's filter: CloudWatch's term
// patterns (every term must appear, "quoted phrases" as one term, a
// leading - excludes, ?term makes terms alternatives). JSON and
// space-delimited patterns work in the search form, which uses
// FilterLogEvents, but not in the tail.
func compileTailFilter(src string) (func(string) bool, error) {
	src = strings.TrimSpace(src)
	if strings.HasPrefix(src, "{") || strings.HasPrefix(src, "[") {
		return nil, fmt.Errorf("the live tail takes term patterns only; use Search for %s", src)
	}
	var must, not, alts []string
	for src != "" {
		var tok string
		neg, opt := false, false
		switch src[0] {
		case '-':
			neg, src = true, src[1:]
		case '?':
			opt, src = true, src[1:]
		}
		if strings.HasPrefix(src, `"`) {
			end := strings.Index(src[1:], `"`)
			if end < 0 {
				return nil, fmt.Errorf("unterminated quote in filter %s", strconv.Quote(src))
			}
			tok, src = src[1:end+1], src[end+2:]
		} else {
			tok, src, _ = strings.Cut(src, " ")
		}
		src = strings.TrimSpace(src)
		switch {
		case tok == "":
		case neg:
			not = append(not, tok)
		case opt:
			alts = append(alts, tok)
		default:
			must = append(must, tok)
		}
	}
	return func(msg string) bool {
		for _, t := range not {
			if strings.Contains(msg, t) {
				return false
			}
		}
		for _, t := range must {
			if !strings.Contains(msg, t) {
				return false
			}
		}
		if len(alts) == 0 {
			return true
		}
		for _, t := range alts {
			if strings.Contains(msg, t) {
				return true
			}
		}
		return false
	}, nil
}
