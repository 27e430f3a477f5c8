package s3

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/store"
)

// Bucket is a bucket as ListBuckets and HeadBucket show it.
type Bucket struct {
	Name         string    `json:"Name"`
	CreationDate time.Time `json:"CreationDate"`
	BucketRegion string    `json:"BucketRegion"`
}

// CreateBucket creates a bucket in region (empty means the service's
// region). Creating a bucket you already own fails with
// BucketAlreadyOwnedByYou, except in us-east-1, where S3 keeps its legacy
// answer of success.
func (s *Service) CreateBucket(ctx context.Context, name, region string) error {
	if err := ValidateBucketName(name); err != nil {
		return err
	}
	if region == "" {
		region = s.region
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	err := s.db.Update(func(tx *store.Tx) error {
		old, ok, err := store.Get[Bucket](tx, bucketBuckets, name)
		if err != nil {
			return err
		}
		if ok {
			if old.BucketRegion == "us-east-1" && region == "us-east-1" {
				return nil
			}
			return s3Error(http.StatusConflict, CodeBucketAlreadyOwnedByYou,
				"Your previous request to create the named bucket succeeded and you already own it.", "BucketName", name)
		}
		return tx.Put(bucketBuckets, name, Bucket{Name: name, CreationDate: s.timestamp(), BucketRegion: region})
	})
	if err != nil {
		return fmt.Errorf("create bucket %s: %w", name, err)
	}
	return nil
}

// HeadBucket returns the bucket, or NoSuchBucket.
func (s *Service) HeadBucket(ctx context.Context, name string) (*Bucket, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var b Bucket
	err := s.db.View(func(tx *store.Tx) error {
		var err error
		b, err = getBucket(tx, name)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("head bucket %s: %w", name, err)
	}
	return &b, nil
}

func getBucket(tx *store.Tx, name string) (Bucket, error) {
	b, ok, err := store.Get[Bucket](tx, bucketBuckets, name)
	if err != nil {
		return Bucket{}, err
	}
	if !ok {
		return Bucket{}, errNoSuchBucket(name)
	}
	return b, nil
}

// DeleteBucket deletes an empty bucket (BucketNotEmpty otherwise) and
// abandons its unfinished multipart uploads.
func (s *Service) DeleteBucket(ctx context.Context, name string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	var orphans []string
	err := s.db.Update(func(tx *store.Tx) error {
		if _, err := getBucket(tx, name); err != nil {
			return err
		}
		empty := true
		_ = tx.ForEach(bucketObjects, name+sep, func(string, []byte) error {
			empty = false
			return errStop
		})
		if !empty {
			return s3Error(http.StatusConflict, CodeBucketNotEmpty, "The bucket you tried to delete is not empty", "BucketName", name)
		}
		var err error
		if orphans, err = dropUploads(tx, func(u uploadRecord) bool { return u.Bucket == name }); err != nil {
			return err
		}
		return tx.Delete(bucketBuckets, name)
	})
	if err != nil {
		return fmt.Errorf("delete bucket %s: %w", name, err)
	}
	for _, id := range orphans {
		s.removeBody(id)
	}
	return nil
}

// ListBuckets returns every bucket in name order.
func (s *Service) ListBuckets(ctx context.Context) ([]Bucket, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []Bucket
	err := s.db.View(func(tx *store.Tx) error {
		var err error
		out, err = store.List[Bucket](tx, bucketBuckets, "")
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list buckets: %w", err)
	}
	if out == nil {
		out = []Bucket{}
	}
	return out, nil
}

// errStop ends a store walk early; it never leaves the package.
var errStop = errors.New("stop walking")
