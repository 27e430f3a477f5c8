package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

// followEvery is how often --follow asks for new events.
const followEvery = 500 * time.Millisecond

// lookback is how far before the newest event seen --follow asks again:
// function output reaches CloudWatch Logs in batches, so a line can become
// readable after a later one. Events seen twice are printed once.
const lookback = 5 * time.Second

func newLogs() *cobra.Command {
	var f clientFlags
	var since string
	var follow bool
	cmd := &cobra.Command{
		Use:   "logs FUNCTION",
		Short: "Print a function's log lines from a running cloudlet",
		Long: `logs prints the lines of FUNCTION's log group (its LoggingConfig.LogGroup,
/aws/lambda/FUNCTION by default) from --since ago, each as
"TIME STREAM MESSAGE", the way aws logs tail does, through the CloudWatch Logs
API of the cloudlet at --endpoint. With --follow it keeps printing new lines
until interrupted.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			start, err := parseSince(since, time.Now())
			if err != nil {
				return err
			}
			c := f.client()
			group, err := logGroupOf(cmd.Context(), c, args[0])
			if err != nil {
				return err
			}
			t := &tailer{c: c, group: group, from: start.UnixMilli(), seen: map[string]int64{}, out: cmd.OutOrStdout()}
			for {
				err := t.poll(cmd.Context())
				switch {
				case cmd.Context().Err() != nil:
					return nil
				case err != nil && !isNotFound(err):
					return fmt.Errorf("logs %s: %w", args[0], err)
				case !follow:
					return nil
				}
				select {
				case <-cmd.Context().Done():
					return nil
				case <-time.After(followEvery):
				}
			}
		},
	}
	f.register(cmd)
	cmd.Flags().StringVar(&since, "since", "10m", "how far back to start: a duration (90s, 10m, 2h, 1d, 1w) or a time (RFC 3339)")
	cmd.Flags().BoolVarP(&follow, "follow", "f", false, "keep printing new lines until interrupted")
	return cmd
}

// parseSince reads --since: a duration back from now (with d and w for
// days and weeks) or an RFC 3339 time.
func parseSince(s string, now time.Time) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	unit := time.Duration(0)
	switch {
	case strings.HasSuffix(s, "d"):
		unit = 24 * time.Hour
	case strings.HasSuffix(s, "w"):
		unit = 7 * 24 * time.Hour
	}
	if unit != 0 {
		n, err := strconv.ParseFloat(s[:len(s)-1], 64)
		if err != nil || n < 0 {
			return time.Time{}, fmt.Errorf("--since %q: want a duration (10m, 2h, 1d) or an RFC 3339 time", s)
		}
		return now.Add(-time.Duration(n * float64(unit))), nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return time.Time{}, fmt.Errorf("--since %q: want a duration (10m, 2h, 1d) or an RFC 3339 time", s)
	}
	return now.Add(-d), nil
}

// logGroupOf asks the Lambda API for the function's log group.
func logGroupOf(ctx context.Context, c *awsClient, function string) (string, error) {
	_, raw, err := c.call(ctx, "lambda", http.MethodGet, functionPath(function, "configuration"), nil, nil, nil)
	if err != nil {
		return "", fmt.Errorf("logs %s: %w", function, err)
	}
	var cfg struct {
		FunctionName  string
		LoggingConfig struct{ LogGroup string }
	}
	if err := json.Unmarshal(raw, &cfg); err != nil {
		return "", fmt.Errorf("logs %s: read the function's configuration: %w", function, err)
	}
	if cfg.LoggingConfig.LogGroup != "" {
		return cfg.LoggingConfig.LogGroup, nil
	}
	return "/aws/lambda/" + cfg.FunctionName, nil
}

// tailer prints a log group's events once each, oldest first.
type tailer struct {
	c     *awsClient
	group string
	from  int64            // start time of the next poll, ms
	seen  map[string]int64 // event ID → timestamp, for events at or after from
	out   io.Writer
}

type filteredEvent struct {
	LogStreamName string `json:"logStreamName"`
	Timestamp     int64  `json:"timestamp"`
	Message       string `json:"message"`
	EventID       string `json:"eventId"`
}

// poll prints the events from t.from on that were not printed yet.
func (t *tailer) poll(ctx context.Context) error {
	token := ""
	newest := t.from
	for {
		req := map[string]any{"logGroupName": t.group, "startTime": t.from, "interleaved": true}
		if token != "" {
			req["nextToken"] = token
		}
		body, _ := json.Marshal(req)
		h := http.Header{"Content-Type": {"application/x-amz-json-1.1"}, "X-Amz-Target": {"Logs_20140328.FilterLogEvents"}}
		_, raw, err := t.c.call(ctx, "logs", http.MethodPost, "/", nil, h, body)
		if err != nil {
			return err
		}
		var page struct {
			Events    []filteredEvent `json:"events"`
			NextToken string          `json:"nextToken"`
		}
		if err := json.Unmarshal(raw, &page); err != nil {
			return fmt.Errorf("read FilterLogEvents: %w", err)
		}
		for _, e := range page.Events {
			if _, dup := t.seen[e.EventID]; dup {
				continue
			}
			t.seen[e.EventID] = e.Timestamp
			newest = max(newest, e.Timestamp)
			ts := time.UnixMilli(e.Timestamp).UTC().Format("2006-01-02T15:04:05.000000-07:00")
			fmt.Fprintf(t.out, "%s %s %s\n", ts, e.LogStreamName, strings.TrimRight(e.Message, "\n"))
		}
		if page.NextToken == "" || page.NextToken == token {
			break
		}
		token = page.NextToken
	}
	t.from = max(t.from, newest-lookback.Milliseconds())
	for id, ts := range t.seen {
		if ts < t.from {
			delete(t.seen, id)
		}
	}
	return nil
}

func isNotFound(err error) bool {
	var e *apiError
	return errors.As(err, &e) && e.Code == "ResourceNotFoundException"
}
