package logs

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/cloudlet-dev/cloudlet/internal/store"
)

// LogStream is a log stream as DescribeLogStreams shows it. The event
// timestamps are absent until the stream has events.
type LogStream struct {
	LogStreamName       string `json:"logStreamName"`
	CreationTime        int64  `json:"creationTime"`
	FirstEventTimestamp *int64 `json:"firstEventTimestamp,omitempty"`
	LastEventTimestamp  *int64 `json:"lastEventTimestamp,omitempty"`
	LastIngestionTime   *int64 `json:"lastIngestionTime,omitempty"`
	UploadSequenceToken string `json:"uploadSequenceToken,omitempty"`
	Arn                 string `json:"arn"`
	// StoredBytes is deprecated by AWS and always 0 there; so here.
	StoredBytes int64 `json:"storedBytes"`
}

// streamRecord is what the store holds for a stream.
type streamRecord struct {
	LogStream
	// Events counts stored events; GetLogEvents uses it to size its
	// backward scans.
	Events int64 `json:"events"`
}

// Orders for DescribeLogStreams.
const (
	OrderByLogStreamName = "LogStreamName"
	OrderByLastEventTime = "LastEventTime"
)

// CreateLogStream creates a stream in an existing group.
func (s *Service) CreateLogStream(ctx context.Context, group, stream string) error {
	if err := validateGroupName(group); err != nil {
		return err
	}
	if err := validateStreamName(stream); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	err := s.db.Update(func(tx *store.Tx) error {
		if tx.GetRaw(bucketGroups, group) == nil {
			return errGroupNotFound()
		}
		if tx.GetRaw(bucketStreams, streamKey(group, stream)) != nil {
			return errStreamExists()
		}
		return tx.Put(bucketStreams, streamKey(group, stream), s.newStream(group, stream))
	})
	if err != nil {
		return fmt.Errorf("create log stream %s in %s: %w", stream, group, err)
	}
	return nil
}

func (s *Service) newStream(group, stream string) streamRecord {
	return streamRecord{LogStream: LogStream{
		LogStreamName: stream,
		CreationTime:  s.nowMillis(),
		Arn:           s.streamARN(group, stream),
	}}
}

// DeleteLogStream deletes a stream and its events.
func (s *Service) DeleteLogStream(ctx context.Context, group, stream string) error {
	if err := validateGroupName(group); err != nil {
		return err
	}
	if err := validateStreamName(stream); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	err := s.db.Update(func(tx *store.Tx) error {
		if tx.GetRaw(bucketGroups, group) == nil {
			return errGroupNotFound()
		}
		if tx.GetRaw(bucketStreams, streamKey(group, stream)) == nil {
			return errStreamNotFound()
		}
		if err := deletePrefix(tx, bucketEvents, streamEventsPrefix(group, stream)); err != nil {
			return err
		}
		return tx.Delete(bucketStreams, streamKey(group, stream))
	})
	if err != nil {
		return fmt.Errorf("delete log stream %s in %s: %w", stream, group, err)
	}
	return nil
}

// DescribeLogStreams lists a group's streams. orderBy is
// OrderByLogStreamName (the default when empty) or OrderByLastEventTime;
// AWS refuses a prefix with the latter. limit is 1–50 (0 means 50). The
// returned token, when not empty, fetches the next page.
func (s *Service) DescribeLogStreams(ctx context.Context, group, prefix, orderBy string, descending bool, nextToken string, limit int) ([]LogStream, string, error) {
	if err := validateGroupName(group); err != nil {
		return nil, "", err
	}
	switch orderBy {
	case "":
		orderBy = OrderByLogStreamName
	case OrderByLogStreamName, OrderByLastEventTime:
	default:
		return nil, "", validationError(orderBy, "orderBy", "Member must satisfy enum value set: [LogStreamName, LastEventTime]")
	}
	if orderBy == OrderByLastEventTime && prefix != "" {
		return nil, "", invalidParameter("Cannot order by LastEventTime with a logStreamNamePrefix.")
	}
	limit, err := validateLimit(limit, 50, 50)
	if err != nil {
		return nil, "", err
	}
	after := ""
	if nextToken != "" {
		var ok bool
		if after, ok = decodeNameToken(nextToken); !ok {
			return nil, "", errInvalidToken()
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, "", err
	}

	var all []LogStream
	err = s.db.View(func(tx *store.Tx) error {
		if tx.GetRaw(bucketGroups, group) == nil {
			return errGroupNotFound()
		}
		return tx.ForEach(bucketStreams, groupStreamsPrefix(group)+prefix, func(k string, raw []byte) error {
			var r streamRecord
			if err := json.Unmarshal(raw, &r); err != nil {
				return fmt.Errorf("load log stream %q: %w", k, err)
			}
			all = append(all, r.LogStream)
			return nil
		})
	})
	if err != nil {
		return nil, "", fmt.Errorf("describe log streams in %s: %w", group, err)
	}

	// Streams are few per group (one per execution environment), so the
	// page is cut from the whole sorted list; the token is the sort key
	// of the last stream returned, which stays valid if streams come and
	// go between pages.
	sortKey := func(st LogStream) string { return st.LogStreamName }
	if orderBy == OrderByLastEventTime {
		sortKey = func(st LogStream) string {
			var ts int64
			if st.LastEventTimestamp != nil {
				ts = *st.LastEventTimestamp
			}
			return fmt.Sprintf("%020d", max(ts, 0)) + sep + st.LogStreamName
		}
	}
	slices.SortFunc(all, func(a, b LogStream) int {
		c := strings.Compare(sortKey(a), sortKey(b))
		if descending {
			c = -c
		}
		return c
	})
	start := 0
	if after != "" {
		start, _ = slices.BinarySearchFunc(all, after, func(st LogStream, key string) int {
			c := strings.Compare(sortKey(st), key)
			if descending {
				c = -c
			}
			return c
		})
		if start < len(all) && sortKey(all[start]) == after {
			start++
		}
	}
	page := all[start:min(start+limit, len(all))]
	next := ""
	if start+len(page) < len(all) {
		next = encodeNameToken(sortKey(page[len(page)-1]))
	}
	return append([]LogStream{}, page...), next, nil
}
