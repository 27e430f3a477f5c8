package logs

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/cloudlet-dev/cloudlet/internal/store"
)

// LogGroup is a log group as DescribeLogGroups shows it.
type LogGroup struct {
	LogGroupName      string `json:"logGroupName"`
	CreationTime      int64  `json:"creationTime"`
	RetentionInDays   *int   `json:"retentionInDays,omitempty"`
	MetricFilterCount int    `json:"metricFilterCount"`
	// Arn ends in ":*" as AWS's does; LogGroupArn does not.
	Arn           string `json:"arn"`
	LogGroupArn   string `json:"logGroupArn"`
	StoredBytes   int64  `json:"storedBytes"`
	LogGroupClass string `json:"logGroupClass"`
}

// groupRecord is what the store holds for a group.
type groupRecord struct {
	LogGroup
	Tags map[string]string `json:"tags,omitempty"`
}

// retentionDays are the values AWS accepts for RetentionInDays
// (cloudformation.md §6.6).
var retentionDays = []int{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}

func validateRetention(days int) error {
	if slices.Contains(retentionDays, days) {
		return nil
	}
	set := make([]string, len(retentionDays))
	for i, d := range retentionDays {
		set[i] = fmt.Sprint(d)
	}
	return validationError(days, "retentionInDays", "Member must satisfy enum value set: ["+strings.Join(set, ", ")+"]")
}

// CreateLogGroup creates a group. retentionDays nil means events never
// expire. It fails with ResourceAlreadyExistsException if the group
// exists.
func (s *Service) CreateLogGroup(ctx context.Context, name string, retentionDays *int, tags map[string]string) error {
	if err := validateGroupName(name); err != nil {
		return err
	}
	if retentionDays != nil {
		if err := validateRetention(*retentionDays); err != nil {
			return err
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	err := s.db.Update(func(tx *store.Tx) error {
		if tx.GetRaw(bucketGroups, name) != nil {
			return errGroupExists()
		}
		rec := s.newGroup(name)
		if retentionDays != nil {
			d := *retentionDays
			rec.RetentionInDays = &d
		}
		rec.Tags = maps.Clone(tags)
		return tx.Put(bucketGroups, name, rec)
	})
	if err != nil {
		return fmt.Errorf("create log group %s: %w", name, err)
	}
	return nil
}

func (s *Service) newGroup(name string) groupRecord {
	arn := s.groupARN(name)
	return groupRecord{LogGroup: LogGroup{
		LogGroupName:  name,
		CreationTime:  s.nowMillis(),
		Arn:           arn + ":*",
		LogGroupArn:   arn,
		LogGroupClass: "STANDARD",
	}}
}

// DeleteLogGroup deletes a group with all its streams and events.
func (s *Service) DeleteLogGroup(ctx context.Context, name string) error {
	if err := validateGroupName(name); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	err := s.db.Update(func(tx *store.Tx) error {
		if tx.GetRaw(bucketGroups, name) == nil {
			return errGroupNotFound()
		}
		if err := deletePrefix(tx, bucketEvents, groupStreamsPrefix(name)); err != nil {
			return err
		}
		if err := deletePrefix(tx, bucketStreams, groupStreamsPrefix(name)); err != nil {
			return err
		}
		return tx.Delete(bucketGroups, name)
	})
	if err != nil {
		return fmt.Errorf("delete log group %s: %w", name, err)
	}
	return nil
}

// deletePrefix deletes every key with prefix. Keys are collected first:
// deleting under a live cursor skips entries.
func deletePrefix(tx *store.Tx, bucket, prefix string) error {
	var keys []string
	if err := tx.ForEach(bucket, prefix, func(k string, _ []byte) error {
		keys = append(keys, k)
		return nil
	}); err != nil {
		return err
	}
	for _, k := range keys {
		if err := tx.Delete(bucket, k); err != nil {
			return fmt.Errorf("delete %s/%q: %w", bucket, k, err)
		}
	}
	return nil
}

// DescribeLogGroups lists groups whose names start with prefix, in name
// order, limit (1–50, 0 means 50) at a time. The returned token, when not
// empty, fetches the next page.
func (s *Service) DescribeLogGroups(ctx context.Context, prefix, nextToken string, limit int) ([]LogGroup, string, error) {
	limit, err := validateLimit(limit, 50, 50)
	if err != nil {
		return nil, "", err
	}
	from := prefix
	if nextToken != "" {
		after, ok := decodeNameToken(nextToken)
		if !ok || !strings.HasPrefix(after, prefix) {
			return nil, "", errInvalidToken()
		}
		from = after + sep // the smallest key after `after`
	}
	if err := ctx.Err(); err != nil {
		return nil, "", err
	}
	var out []LogGroup
	next := ""
	err = s.db.View(func(tx *store.Tx) error {
		return tx.Range(bucketGroups, prefix, from, func(k string, raw []byte) error {
			if len(out) == limit {
				next = encodeNameToken(out[len(out)-1].LogGroupName)
				return errStop
			}
			var g groupRecord
			if err := json.Unmarshal(raw, &g); err != nil {
				return fmt.Errorf("load log group %s: %w", k, err)
			}
			out = append(out, g.LogGroup)
			return nil
		})
	})
	if err != nil && !errors.Is(err, errStop) {
		return nil, "", fmt.Errorf("describe log groups: %w", err)
	}
	if out == nil {
		out = []LogGroup{}
	}
	return out, next, nil
}

// PutRetentionPolicy sets the group's retention.
func (s *Service) PutRetentionPolicy(ctx context.Context, group string, days int) error {
	if err := validateRetention(days); err != nil {
		return err
	}
	return s.updateGroup(ctx, "put retention policy", group, func(g *groupRecord) { g.RetentionInDays = &days })
}

// DeleteRetentionPolicy makes the group's events never expire.
func (s *Service) DeleteRetentionPolicy(ctx context.Context, group string) error {
	return s.updateGroup(ctx, "delete retention policy", group, func(g *groupRecord) { g.RetentionInDays = nil })
}

func (s *Service) updateGroup(ctx context.Context, op, group string, fn func(*groupRecord)) error {
	if err := validateGroupName(group); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	err := s.db.Update(func(tx *store.Tx) error {
		g, ok, err := store.Get[groupRecord](tx, bucketGroups, group)
		if err != nil {
			return err
		}
		if !ok {
			return errGroupNotFound()
		}
		fn(&g)
		return tx.Put(bucketGroups, group, g)
	})
	if err != nil {
		return fmt.Errorf("%s for log group %s: %w", op, group, err)
	}
	return nil
}

// TagsForLogGroup returns the group's tags.
func (s *Service) TagsForLogGroup(ctx context.Context, group string) (map[string]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var tags map[string]string
	err := s.db.View(func(tx *store.Tx) error {
		g, ok, err := store.Get[groupRecord](tx, bucketGroups, group)
		if err != nil {
			return err
		}
		if !ok {
			return errGroupNotFound()
		}
		tags = g.Tags
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list tags for log group %s: %w", group, err)
	}
	if tags == nil {
		tags = map[string]string{}
	}
	return tags, nil
}

// Name tokens page through name-ordered lists: the last name returned,
// base64-encoded so that clients treat it as opaque.

func encodeNameToken(name string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(name))
}

func decodeNameToken(tok string) (string, bool) {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || len(b) == 0 {
		return "", false
	}
	return string(b), true
}

// GroupNameFromIdentifier returns the group a logGroupIdentifier names:
// AWS accepts a name or a log group ARN (with or without the ":*"
// suffix) in that field.
func GroupNameFromIdentifier(id string) string {
	if !strings.HasPrefix(id, "arn:") {
		return id
	}
	_, rest, ok := strings.Cut(id, ":log-group:")
	if !ok {
		return id
	}
	return strings.TrimSuffix(rest, ":*")
}
