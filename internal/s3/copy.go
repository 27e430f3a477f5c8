package s3

import (
	"context"
	"crypto/md5"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"net/http"
	"os"
)

// Metadata directives of CopyObject.
const (
	MetadataDirectiveCopy    = "COPY"
	MetadataDirectiveReplace = "REPLACE"
)

// CopyInput names a copy's source and destination.
type CopyInput struct {
	SourceBucket, SourceKey string
	Bucket, Key             string
	// MetadataDirective is COPY (the default when empty: keep the
	// source's metadata) or REPLACE (use Meta).
	MetadataDirective string
	Meta              ObjectMeta
}

// CopyObject copies an object. The copy shares the source's bytes on
// disk (bodies are immutable), so it is cheap at any size.
func (s *Service) CopyObject(ctx context.Context, in CopyInput) (*ObjectInfo, error) {
	if err := ValidateKey(in.Key); err != nil {
		return nil, err
	}
	switch in.MetadataDirective {
	case "":
		in.MetadataDirective = MetadataDirectiveCopy
	case MetadataDirectiveCopy, MetadataDirectiveReplace:
	default:
		return nil, errInvalidArgument("Unknown metadata directive.", "ArgumentName", "x-amz-metadata-directive", "ArgumentValue", in.MetadataDirective)
	}
	if in.SourceBucket == in.Bucket && in.SourceKey == in.Key && in.MetadataDirective == MetadataDirectiveCopy {
		return nil, s3Error(http.StatusBadRequest, CodeInvalidRequest,
			"This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.")
	}
	if err := in.Meta.validate(); err != nil {
		return nil, err
	}
	what := fmt.Sprintf("copy object %s/%s to %s/%s", in.SourceBucket, in.SourceKey, in.Bucket, in.Key)
	if err := s.checkBucket(in.Bucket); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	var src objectRecord
	var id string
	for attempt := 0; ; attempt++ {
		var err error
		if src, err = s.loadObject(in.SourceBucket, in.SourceKey); err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		id, err = s.linkBody(ctx, src.BodyID)
		if errors.Is(err, fs.ErrNotExist) && attempt < 5 {
			continue // the source was replaced meanwhile; copy the new one
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		break
	}
	rec := objectRecord{ObjectInfo: src.ObjectInfo, BodyID: id}
	rec.Key = in.Key
	rec.Metadata = maps.Clone(src.Metadata)
	if in.MetadataDirective == MetadataDirectiveReplace {
		in.Meta.apply(&rec.ObjectInfo)
	}
	if rec.PartsCount > 0 {
		// A copy is a single-part object: its ETag is the MD5 of its bytes.
		sum, err := s.bodyMD5(id)
		if err != nil {
			s.removeBody(id)
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		rec.ETag, rec.PartsCount = quoteETag(sum), 0
	}
	info, err := s.commitObject(ctx, in.Bucket, rec)
	if err != nil {
		s.removeBody(id)
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return info, nil
}

func (s *Service) bodyMD5(id string) ([]byte, error) {
	f, err := os.Open(s.bodyPath(id))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	h := md5.New()
	if _, err := io.Copy(h, f); err != nil {
		return nil, err
	}
	return h.Sum(nil), nil
}
