package s3

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/awserr"
	"github.com/cloudlet-dev/cloudlet/internal/store"
)

// DefaultContentType is what S3 records for an object uploaded without a
// Content-Type.
const DefaultContentType = "binary/octet-stream"

// maxMetadataSize is S3's limit on user metadata (keys plus values).
const maxMetadataSize = 2048

// ObjectMeta is what a writer says about an object besides its bytes.
type ObjectMeta struct {
	// ContentType empty means DefaultContentType.
	ContentType        string
	ContentEncoding    string
	ContentDisposition string
	ContentLanguage    string
	CacheControl       string
	Expires            string
	// Metadata is the user metadata (x-amz-meta-* without the prefix);
	// keys are stored lower-cased, as S3 does.
	Metadata map[string]string
	// ContentMD5 is the base64 Content-MD5 header, checked against the
	// body when not empty.
	ContentMD5 string
}

// ObjectInfo describes a stored object.
type ObjectInfo struct {
	Key                string            `json:"Key"`
	Size               int64             `json:"Size"`
	ETag               string            `json:"ETag"` // with its quotes, as S3 sends it
	LastModified       time.Time         `json:"LastModified"`
	ContentType        string            `json:"ContentType"`
	ContentEncoding    string            `json:"ContentEncoding,omitempty"`
	ContentDisposition string            `json:"ContentDisposition,omitempty"`
	ContentLanguage    string            `json:"ContentLanguage,omitempty"`
	CacheControl       string            `json:"CacheControl,omitempty"`
	Expires            string            `json:"Expires,omitempty"`
	Metadata           map[string]string `json:"Metadata,omitempty"`
	StorageClass       string            `json:"StorageClass"`
	// PartsCount is the number of parts of an object made by a multipart
	// upload; zero otherwise.
	PartsCount int `json:"PartsCount,omitempty"`

	// ContentLength and ContentRange describe what a GetObject answer
	// carries: the whole object, or the requested range
	// ("bytes 0-9/100", empty for the whole object).
	ContentLength int64  `json:"-"`
	ContentRange  string `json:"-"`
}

// objectRecord is what the store holds for an object.
type objectRecord struct {
	ObjectInfo
	BodyID string `json:"BodyID"`
}

func (m ObjectMeta) validate() error {
	size := 0
	for k, v := range m.Metadata {
		size += len(k) + len(v)
	}
	if size > maxMetadataSize {
		return s3Error(http.StatusBadRequest, CodeMetadataTooLarge, "Your metadata headers exceed the maximum allowed metadata size.",
			"Size", fmt.Sprint(size), "MaxSizeAllowed", fmt.Sprint(maxMetadataSize))
	}
	if m.ContentMD5 != "" {
		if sum, err := base64.StdEncoding.DecodeString(m.ContentMD5); err != nil || len(sum) != md5.Size {
			return s3Error(http.StatusBadRequest, CodeInvalidDigest, "The Content-MD5 you specified is not valid.", "Content-MD5", m.ContentMD5)
		}
	}
	return nil
}

// apply copies the writer's metadata into info.
func (m ObjectMeta) apply(info *ObjectInfo) {
	info.ContentType = m.ContentType
	if info.ContentType == "" {
		info.ContentType = DefaultContentType
	}
	info.ContentEncoding = m.ContentEncoding
	info.ContentDisposition = m.ContentDisposition
	info.ContentLanguage = m.ContentLanguage
	info.CacheControl = m.CacheControl
	info.Expires = m.Expires
	info.Metadata = nil
	if len(m.Metadata) > 0 {
		info.Metadata = make(map[string]string, len(m.Metadata))
		for k, v := range m.Metadata {
			info.Metadata[strings.ToLower(k)] = v
		}
	}
}

func quoteETag(sum []byte) string { return `"` + hex.EncodeToString(sum) + `"` }

// PutObject stores body under bucket/key, replacing any object there. The
// object appears only once its bytes are all on disk: if body fails part
// way or ctx ends, the previous object (or none) stays visible. The ETag
// is the quoted hex MD5 of the bytes.
func (s *Service) PutObject(ctx context.Context, bucket, key string, body io.Reader, meta ObjectMeta) (*ObjectInfo, error) {
	if err := ValidateKey(key); err != nil {
		return nil, err
	}
	if err := meta.validate(); err != nil {
		return nil, err
	}
	if err := s.checkBucket(bucket); err != nil {
		return nil, fmt.Errorf("put object %s/%s: %w", bucket, key, err)
	}
	b, err := s.writeBody(ctx, body, maxObjectSize)
	if err != nil {
		return nil, fmt.Errorf("put object %s/%s: %w", bucket, key, err)
	}
	if meta.ContentMD5 != "" {
		want, _ := base64.StdEncoding.DecodeString(meta.ContentMD5)
		if !bytes.Equal(want, b.md5) {
			s.removeBody(b.id)
			return nil, s3Error(http.StatusBadRequest, CodeBadDigest, "The Content-MD5 you specified did not match what we received.",
				"ExpectedDigest", meta.ContentMD5, "CalculatedDigest", base64.StdEncoding.EncodeToString(b.md5))
		}
	}
	rec := objectRecord{ObjectInfo: ObjectInfo{Key: key, Size: b.size, ETag: quoteETag(b.md5), StorageClass: "STANDARD"}, BodyID: b.id}
	meta.apply(&rec.ObjectInfo)
	info, err := s.commitObject(ctx, bucket, rec)
	if err != nil {
		s.removeBody(b.id)
		return nil, fmt.Errorf("put object %s/%s: %w", bucket, key, err)
	}
	return info, nil
}

// checkBucket fails early with NoSuchBucket, before any bytes are read.
func (s *Service) checkBucket(bucket string) error {
	return s.db.View(func(tx *store.Tx) error {
		_, err := getBucket(tx, bucket)
		return err
	})
}

// commitObject points bucket/key at rec's body and then removes the body
// it replaced.
func (s *Service) commitObject(ctx context.Context, bucket string, rec objectRecord) (*ObjectInfo, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	rec.LastModified = s.timestamp()
	var old string
	err := s.db.Update(func(tx *store.Tx) error {
		if _, err := getBucket(tx, bucket); err != nil {
			return err // deleted while the body was being written
		}
		prev, ok, err := store.Get[objectRecord](tx, bucketObjects, objectKey(bucket, rec.Key))
		if err != nil {
			return err
		}
		if ok {
			old = prev.BodyID
		}
		return tx.Put(bucketObjects, objectKey(bucket, rec.Key), rec)
	})
	if err != nil {
		return nil, err
	}
	s.removeBody(old)
	info := rec.ObjectInfo
	info.ContentLength = info.Size
	return &info, nil
}

func (s *Service) loadObject(bucket, key string) (objectRecord, error) {
	var rec objectRecord
	err := s.db.View(func(tx *store.Tx) error {
		if _, err := getBucket(tx, bucket); err != nil {
			return err
		}
		r, ok, err := store.Get[objectRecord](tx, bucketObjects, objectKey(bucket, key))
		if err != nil {
			return err
		}
		if !ok {
			return errNoSuchKey(key)
		}
		rec = r
		return nil
	})
	return rec, err
}

// HeadObject returns an object's description, or NoSuchBucket or
// NoSuchKey.
func (s *Service) HeadObject(ctx context.Context, bucket, key string) (*ObjectInfo, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	rec, err := s.loadObject(bucket, key)
	if err != nil {
		return nil, fmt.Errorf("head object %s/%s: %w", bucket, key, err)
	}
	info := rec.ObjectInfo
	info.ContentLength = info.Size
	return &info, nil
}

// GetObject opens an object for reading, all of it or the range rng (nil
// for all). The caller must close the reader. An overwrite or delete after
// GetObject returns does not disturb the reader: it keeps the bytes it
// opened.
func (s *Service) GetObject(ctx context.Context, bucket, key string, rng *ByteRange) (io.ReadCloser, *ObjectInfo, error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	// The record may be replaced between reading it and opening its body
	// (which the replacing writer then removes): read it again then.
	for attempt := 0; ; attempt++ {
		rec, err := s.loadObject(bucket, key)
		if err != nil {
			return nil, nil, fmt.Errorf("get object %s/%s: %w", bucket, key, err)
		}
		f, err := os.Open(s.bodyPath(rec.BodyID))
		if errors.Is(err, fs.ErrNotExist) && attempt < 5 {
			continue
		}
		if err != nil {
			return nil, nil, fmt.Errorf("get object %s/%s: %w", bucket, key, err)
		}
		info := rec.ObjectInfo
		info.ContentLength = info.Size
		if rng == nil {
			return f, &info, nil
		}
		start, n, err := rng.resolve(info.Size)
		if err != nil {
			f.Close()
			return nil, nil, err
		}
		if _, err := f.Seek(start, io.SeekStart); err != nil {
			f.Close()
			return nil, nil, fmt.Errorf("get object %s/%s: %w", bucket, key, err)
		}
		info.ContentLength = n
		info.ContentRange = fmt.Sprintf("bytes %d-%d/%d", start, start+n-1, info.Size)
		return readCloser{io.LimitReader(f, n), f}, &info, nil
	}
}

type readCloser struct {
	io.Reader
	io.Closer
}

// DeleteObject deletes bucket/key. Deleting a missing key succeeds, as in
// S3; a missing bucket is NoSuchBucket.
func (s *Service) DeleteObject(ctx context.Context, bucket, key string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	var old string
	err := s.db.Update(func(tx *store.Tx) error {
		if _, err := getBucket(tx, bucket); err != nil {
			return err
		}
		prev, ok, err := store.Get[objectRecord](tx, bucketObjects, objectKey(bucket, key))
		if err != nil || !ok {
			return err
		}
		old = prev.BodyID
		return tx.Delete(bucketObjects, objectKey(bucket, key))
	})
	if err != nil {
		return fmt.Errorf("delete object %s/%s: %w", bucket, key, err)
	}
	s.removeBody(old)
	return nil
}

// DeletedObject and DeleteError are DeleteObjects' per-key outcomes.
type DeletedObject struct {
	Key string `json:"Key"`
}

type DeleteError struct {
	Key     string `json:"Key"`
	Code    string `json:"Code"`
	Message string `json:"Message"`
}

// DeleteObjectsOutput lists what DeleteObjects did. In quiet mode the
// wire adapter omits Deleted.
type DeleteObjectsOutput struct {
	Deleted []DeletedObject `json:"Deleted"`
	Errors  []DeleteError   `json:"Errors"`
}

// DeleteObjects deletes up to 1000 keys in one call; each key succeeds or
// fails on its own.
func (s *Service) DeleteObjects(ctx context.Context, bucket string, keys []string) (*DeleteObjectsOutput, error) {
	if len(keys) == 0 || len(keys) > 1000 {
		return nil, errMalformedXML()
	}
	if err := s.checkBucket(bucket); err != nil {
		return nil, fmt.Errorf("delete objects in %s: %w", bucket, err)
	}
	out := &DeleteObjectsOutput{Deleted: []DeletedObject{}, Errors: []DeleteError{}}
	for _, k := range keys {
		err := s.DeleteObject(ctx, bucket, k)
		if e, ok := awserr.As(err); ok {
			out.Errors = append(out.Errors, DeleteError{Key: k, Code: e.Code, Message: e.Message})
			continue
		}
		if err != nil {
			return nil, err
		}
		out.Deleted = append(out.Deleted, DeletedObject{Key: k})
	}
	return out, nil
}
