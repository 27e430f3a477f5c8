package logs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/store"
)

// expireBatch bounds the deletions of one transaction.
const expireBatch = 10000

// ExpireEvents deletes the events older than their group's retention, as
// measured by the service's clock, and returns how many it deleted. The
// background loop runs it every Config.CleanupInterval.
func (s *Service) ExpireEvents(ctx context.Context) (int, error) {
	type target struct {
		group  string
		cutoff int64
	}
	now := s.now()
	var targets []target
	err := s.db.View(func(tx *store.Tx) error {
		return tx.ForEach(bucketGroups, "", func(k string, raw []byte) error {
			var g groupRecord
			if err := json.Unmarshal(raw, &g); err != nil {
				return fmt.Errorf("load log group %s: %w", k, err)
			}
			if g.RetentionInDays != nil {
				days := time.Duration(*g.RetentionInDays) * 24 * time.Hour
				targets = append(targets, target{g.LogGroupName, millis(now.Add(-days))})
			}
			return nil
		})
	})
	if err != nil {
		return 0, fmt.Errorf("expire log events: %w", err)
	}
	total := 0
	for _, t := range targets {
		for {
			if err := ctx.Err(); err != nil {
				return total, err
			}
			n, err := s.expireSome(t.group, t.cutoff)
			total += n
			if err != nil {
				return total, fmt.Errorf("expire log events in %s: %w", t.group, err)
			}
			if n < expireBatch {
				break
			}
		}
	}
	return total, nil
}

// expireSome deletes up to expireBatch events of group older than cutoff
// in one transaction and keeps the stream and group counters right.
func (s *Service) expireSome(group string, cutoff int64) (int, error) {
	deleted := 0
	err := s.db.Update(func(tx *store.Tx) error {
		g, ok, err := store.Get[groupRecord](tx, bucketGroups, group)
		if err != nil || !ok {
			return err // a group deleted meanwhile has nothing left to expire
		}
		var streams []streamRecord
		err = tx.ForEach(bucketStreams, groupStreamsPrefix(group), func(k string, raw []byte) error {
			var st streamRecord
			if err := json.Unmarshal(raw, &st); err != nil {
				return fmt.Errorf("load log stream %q: %w", k, err)
			}
			if st.FirstEventTimestamp != nil && *st.FirstEventTimestamp < cutoff && st.Events > 0 {
				streams = append(streams, st)
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, st := range streams {
			prefix := streamEventsPrefix(group, st.LogStreamName)
			stopKey := prefix + pos{TS: cutoff}.encode()
			var keys []string
			var bytes int64
			err := tx.ForEach(bucketEvents, prefix, func(k string, raw []byte) error {
				if k >= stopKey || deleted+len(keys) == expireBatch {
					return errStop
				}
				keys = append(keys, k)
				bytes += int64(max(len(raw)-8, 0))
				return nil
			})
			if err != nil && !errors.Is(err, errStop) {
				return err
			}
			for _, k := range keys {
				if err := tx.Delete(bucketEvents, k); err != nil {
					return err
				}
			}
			deleted += len(keys)
			st.Events -= int64(len(keys))
			g.StoredBytes = max(g.StoredBytes-bytes, 0)
			// The first remaining event (if any) is the new first one.
			st.FirstEventTimestamp = nil
			_ = tx.ForEach(bucketEvents, prefix, func(k string, _ []byte) error {
				if p, ok := eventPos(k); ok {
					st.FirstEventTimestamp = ptr(p.TS)
				}
				return errStop
			})
			if err := tx.Put(bucketStreams, streamKey(group, st.LogStreamName), st); err != nil {
				return err
			}
			if deleted == expireBatch {
				break
			}
		}
		return tx.Put(bucketGroups, group, g)
	})
	return deleted, err
}
