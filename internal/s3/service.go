package s3

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/store"
)

// Store buckets.
//
//	s3.buckets  <bucket>                      bucketRecord
//	s3.objects  <bucket> NUL <key>            objectRecord
//	s3.uploads  <uploadID>                    uploadRecord
//	s3.parts    <uploadID> NUL <part, 5 digits> partRecord
//
// Bucket names and keys cannot contain NUL (ValidateBucketName and
// ValidateKey refuse it), so a bucket's objects are exactly the keys with
// the prefix "<bucket> NUL", in S3's (UTF-8 byte) order.
const (
	bucketBuckets = "s3.buckets"
	bucketObjects = "s3.objects"
	bucketUploads = "s3.uploads"
	bucketParts   = "s3.parts"
)

const sep = "\x00"

func objectKey(bucket, key string) string { return bucket + sep + key }

// DefaultRegion is the region of buckets created without one.
const DefaultRegion = "us-east-1"

// Config configures a Service.
type Config struct {
	// Dir is the folder object bodies live in (the data directory's s3/);
	// required. It is created if missing.
	Dir string
	// DB is the store; required.
	DB *store.DB
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Region is the region buckets are created in when the request names
	// none; empty means DefaultRegion.
	Region string
}

// Service is the object store. It is safe for concurrent use.
type Service struct {
	bodies string // Config.Dir/objects
	db     *store.DB
	now    func() time.Time
	region string
}

// New opens the object store in cfg.Dir, removing temporary files and
// bodies that no record names (left by a crash).
func New(cfg Config) (*Service, error) {
	if cfg.DB == nil || cfg.Dir == "" {
		return nil, errors.New("s3: Config.DB and Config.Dir are required")
	}
	s := &Service{
		bodies: filepath.Join(cfg.Dir, "objects"),
		db:     cfg.DB,
		now:    cfg.Now,
		region: cfg.Region,
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.region == "" {
		s.region = DefaultRegion
	}
	if err := os.MkdirAll(s.bodies, 0o755); err != nil {
		return nil, fmt.Errorf("s3: create %s: %w", s.bodies, err)
	}
	if err := s.collectGarbage(); err != nil {
		return nil, fmt.Errorf("s3: clean %s: %w", s.bodies, err)
	}
	return s, nil
}

// timestamp is the service's clock at S3's precision (milliseconds), in
// UTC.
func (s *Service) timestamp() time.Time {
	return s.now().UTC().Truncate(time.Millisecond)
}
