package logs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/cloudlet-dev/cloudlet/internal/store"
)

// FilterInput selects events across a group's streams.
type FilterInput struct {
	LogGroupName string
	// LogStreamNames and LogStreamNamePrefix narrow the streams searched;
	// at most one may be given. Names of streams that do not exist are
	// ignored.
	LogStreamNames      []string
	LogStreamNamePrefix string
	// StartTime (inclusive) and EndTime (exclusive) bound timestamps in
	// milliseconds; zero means unbounded.
	StartTime int64
	EndTime   int64
	// FilterPattern is CloudWatch Logs' filter pattern syntax; see
	// pattern.go for what is supported. Empty matches every event.
	FilterPattern string
	NextToken     string
	// Limit is 1–10000; zero means 10000.
	Limit int
	// Interleaved is accepted and ignored: as in AWS today, results are
	// always interleaved across streams.
	Interleaved bool
}

// FilteredLogEvent is an event as FilterLogEvents returns it.
type FilteredLogEvent struct {
	LogStreamName string `json:"logStreamName"`
	Timestamp     int64  `json:"timestamp"`
	Message       string `json:"message"`
	IngestionTime int64  `json:"ingestionTime"`
	EventID       string `json:"eventId"`
}

// SearchedLogStream is deprecated by AWS but still returned.
type SearchedLogStream struct {
	LogStreamName      string `json:"logStreamName"`
	SearchedCompletely bool   `json:"searchedCompletely"`
}

// FilterOutput is a page of matching events in (timestamp, ingestion)
// order. NextToken is empty on the last page.
type FilterOutput struct {
	Events             []FilteredLogEvent  `json:"events"`
	SearchedLogStreams []SearchedLogStream `json:"searchedLogStreams"`
	NextToken          string              `json:"nextToken,omitempty"`
}

// FilterLogEvents searches a group's streams for events that match a
// filter pattern, interleaving streams by time.
func (s *Service) FilterLogEvents(ctx context.Context, in FilterInput) (*FilterOutput, error) {
	if err := validateGroupName(in.LogGroupName); err != nil {
		return nil, err
	}
	if len(in.LogStreamNames) > 0 && in.LogStreamNamePrefix != "" {
		return nil, invalidParameter("Cannot specify both LogStreamNames and LogStreamNamePrefix.")
	}
	if len(in.LogStreamNames) > 100 {
		return nil, validationError(nil, "logStreamNames", "Member must have length less than or equal to 100")
	}
	limit, err := validateLimit(in.Limit, 10000, 10000)
	if err != nil {
		return nil, err
	}
	pat, err := compilePattern(in.FilterPattern)
	if err != nil {
		return nil, err
	}
	from := pos{TS: max(in.StartTime, 0)}
	if in.NextToken != "" {
		p, ok := parseFilterToken(in.NextToken)
		if !ok {
			return nil, errInvalidToken()
		}
		if from.less(p) {
			from = p
		}
	}
	hi := pos{TS: math.MaxInt64}
	if in.EndTime != 0 {
		hi = pos{TS: max(in.EndTime, 0)}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	out := &FilterOutput{Events: []FilteredLogEvent{}, SearchedLogStreams: []SearchedLogStream{}}
	var found []FilteredLogEvent
	var positions []pos
	more := false
	err = s.db.View(func(tx *store.Tx) error {
		if tx.GetRaw(bucketGroups, in.LogGroupName) == nil {
			return errGroupNotFound()
		}
		streams, err := selectStreams(tx, in)
		if err != nil {
			return err
		}
		// Each stream contributes at most limit+1 matches from `from`;
		// merging them and cutting at limit gives the page, and the +1
		// tells whether anything is left.
		for _, st := range streams {
			if st.FirstEventTimestamp == nil || st.LastEventTimestamp == nil || *st.LastEventTimestamp < from.TS || *st.FirstEventTimestamp >= hi.TS {
				out.SearchedLogStreams = append(out.SearchedLogStreams, SearchedLogStream{st.LogStreamName, true})
				continue
			}
			prefix := streamEventsPrefix(in.LogGroupName, st.LogStreamName)
			stopKey := prefix + hi.encode()
			n := 0
			err := tx.Range(bucketEvents, prefix, prefix+from.encode(), func(k string, raw []byte) error {
				if k >= stopKey {
					return errStop
				}
				e, err := readEvent(k, raw)
				if err != nil {
					return err
				}
				if !pat.match(e.Message) {
					return nil
				}
				if n == limit {
					more = true
					return errStop
				}
				n++
				found = append(found, FilteredLogEvent{
					LogStreamName: st.LogStreamName,
					Timestamp:     e.Timestamp,
					Message:       e.Message,
					IngestionTime: e.IngestionTime,
					EventID:       eventID(e.pos),
				})
				positions = append(positions, e.pos)
				return nil
			})
			if err != nil && !errors.Is(err, errStop) {
				return err
			}
			out.SearchedLogStreams = append(out.SearchedLogStreams, SearchedLogStream{st.LogStreamName, n < limit})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("filter log events in %s: %w", in.LogGroupName, err)
	}

	idx := make([]int, len(found))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int {
		switch {
		case positions[a].less(positions[b]):
			return -1
		case positions[b].less(positions[a]):
			return 1
		}
		return 0
	})
	size := 0
	for n, i := range idx {
		size += len(found[i].Message) + eventOverhead
		if n == limit || (size > maxResponseBytes && n > 0) {
			more = true
			break
		}
		out.Events = append(out.Events, found[i])
	}
	if more && len(out.Events) > 0 {
		out.NextToken = filterToken(positions[idx[len(out.Events)-1]].next())
	}
	return out, nil
}

// selectStreams returns the streams FilterLogEvents searches, by name.
func selectStreams(tx *store.Tx, in FilterInput) ([]streamRecord, error) {
	var out []streamRecord
	if len(in.LogStreamNames) > 0 {
		names := slices.Clone(in.LogStreamNames)
		slices.Sort(names)
		for _, name := range slices.Compact(names) {
			if validateStreamName(name) != nil {
				continue
			}
			st, ok, err := store.Get[streamRecord](tx, bucketStreams, streamKey(in.LogGroupName, name))
			if err != nil {
				return nil, err
			}
			if ok {
				out = append(out, st)
			}
		}
		return out, nil
	}
	err := tx.ForEach(bucketStreams, groupStreamsPrefix(in.LogGroupName)+in.LogStreamNamePrefix, func(k string, raw []byte) error {
		var st streamRecord
		if err := json.Unmarshal(raw, &st); err != nil {
			return fmt.Errorf("load log stream %q: %w", k, err)
		}
		out = append(out, st)
		return nil
	})
	return out, err
}

// FilterLogEvents tokens are opaque to clients; they hold the position
// after the last event returned.
func filterToken(p pos) string { return "F" + p.encode() }

func parseFilterToken(tok string) (pos, bool) {
	rest, ok := strings.CutPrefix(tok, "F")
	if !ok {
		return pos{}, false
	}
	return decodePos(rest)
}
