package s3

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/cloudlet-dev/cloudlet/internal/store"
)

// ListInput is ListObjectsV2's request.
type ListInput struct {
	Bucket    string
	Prefix    string
	Delimiter string
	// StartAfter lists keys after this one (ignored with a
	// ContinuationToken further on).
	StartAfter        string
	ContinuationToken string
	// MaxKeys bounds keys plus common prefixes in the answer; nil means
	// 1000, and more than 1000 is cut to 1000, as in S3.
	MaxKeys *int
}

// ListOutput is ListObjectsV2's answer, with S3's field names.
type ListOutput struct {
	Name                  string       `json:"Name"`
	Prefix                string       `json:"Prefix"`
	Delimiter             string       `json:"Delimiter,omitempty"`
	StartAfter            string       `json:"StartAfter,omitempty"`
	ContinuationToken     string       `json:"ContinuationToken,omitempty"`
	NextContinuationToken string       `json:"NextContinuationToken,omitempty"`
	MaxKeys               int          `json:"MaxKeys"`
	KeyCount              int          `json:"KeyCount"`
	IsTruncated           bool         `json:"IsTruncated"`
	Contents              []ObjectInfo `json:"Contents"`
	CommonPrefixes        []string     `json:"CommonPrefixes"`
}

// afterAll is a byte no UTF-8 key contains: "p" + afterAll sorts after
// every key that starts with p.
const afterAll = "\xff"

// ListObjectsV2 lists a bucket's keys in UTF-8 byte order. With a
// Delimiter, keys that contain it after the Prefix are rolled up into
// CommonPrefixes, each of which counts as one key.
func (s *Service) ListObjectsV2(ctx context.Context, in ListInput) (*ListOutput, error) {
	maxKeys := 1000
	if in.MaxKeys != nil {
		if *in.MaxKeys < 0 {
			return nil, errInvalidArgument("Provided max-keys not an integer or within integer range", "ArgumentName", "max-keys", "ArgumentValue", fmt.Sprint(*in.MaxKeys))
		}
		maxKeys = min(*in.MaxKeys, 1000)
	}
	// from is the first key (without the bucket prefix) that may be
	// listed: just after StartAfter, or where the token says.
	from := in.Prefix
	if in.StartAfter > from {
		from = in.StartAfter + sep
	}
	if in.ContinuationToken != "" {
		next, ok := decodeListToken(in.ContinuationToken)
		if !ok {
			return nil, errInvalidArgument("The continuation token provided is incorrect", "ArgumentName", "continuation-token")
		}
		from = max(next, in.Prefix)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out := &ListOutput{
		Name: in.Bucket, Prefix: in.Prefix, Delimiter: in.Delimiter, StartAfter: in.StartAfter,
		ContinuationToken: in.ContinuationToken, MaxKeys: maxKeys,
		Contents: []ObjectInfo{}, CommonPrefixes: []string{},
	}
	bucketPrefix := in.Bucket + sep
	err := s.db.View(func(tx *store.Tx) error {
		if _, err := getBucket(tx, in.Bucket); err != nil {
			return err
		}
		if maxKeys == 0 {
			return nil
		}
		// Each walk stops at a new common prefix, and the next one
		// resumes past every key under it.
		resume := ""
		for {
			resume = ""
			err := tx.Range(bucketObjects, bucketPrefix+in.Prefix, bucketPrefix+from, func(k string, raw []byte) error {
				key := k[len(bucketPrefix):]
				cp := ""
				if in.Delimiter != "" {
					if i := strings.Index(key[len(in.Prefix):], in.Delimiter); i >= 0 {
						cp = key[:len(in.Prefix)+i+len(in.Delimiter)]
					}
				}
				if out.KeyCount == maxKeys {
					out.IsTruncated = true
					return errStop
				}
				out.KeyCount++
				if cp != "" {
					out.CommonPrefixes = append(out.CommonPrefixes, cp)
					resume = cp + afterAll
					return errStop
				}
				var rec objectRecord
				if err := json.Unmarshal(raw, &rec); err != nil {
					return fmt.Errorf("load object %q: %w", k, err)
				}
				out.Contents = append(out.Contents, listEntry(rec.ObjectInfo))
				return nil
			})
			if err != nil && !errors.Is(err, errStop) {
				return err
			}
			if resume == "" {
				return nil
			}
			from = resume
		}
	})
	if err != nil {
		return nil, fmt.Errorf("list objects in %s: %w", in.Bucket, err)
	}
	if out.IsTruncated {
		if n := len(out.CommonPrefixes); n > 0 && (len(out.Contents) == 0 || out.CommonPrefixes[n-1] > out.Contents[len(out.Contents)-1].Key) {
			out.NextContinuationToken = encodeListToken(out.CommonPrefixes[n-1] + afterAll)
		} else {
			out.NextContinuationToken = encodeListToken(out.Contents[len(out.Contents)-1].Key + sep)
		}
	}
	return out, nil
}

// listEntry keeps the fields a listing shows.
func listEntry(o ObjectInfo) ObjectInfo {
	return ObjectInfo{Key: o.Key, Size: o.Size, ETag: o.ETag, LastModified: o.LastModified, StorageClass: o.StorageClass}
}

// Continuation tokens hold the first key the next page may list, encoded
// so that clients treat them as opaque.
func encodeListToken(from string) string {
	return base64.StdEncoding.EncodeToString([]byte(from))
}

func decodeListToken(tok string) (string, bool) {
	b, err := base64.StdEncoding.DecodeString(tok)
	if err != nil || len(b) == 0 {
		return "", false
	}
	return string(b), true
}

// ListV1Input is ListObjects' (version 1) request: Marker plays the part
// of StartAfter and there are no continuation tokens.
type ListV1Input struct {
	Bucket    string
	Prefix    string
	Delimiter string
	Marker    string
	MaxKeys   *int
}

// ListV1Output is ListObjects' answer. NextMarker is set only when the
// listing is truncated and a Delimiter was given; otherwise clients
// continue from the last key, as S3 documents.
type ListV1Output struct {
	Name           string       `json:"Name"`
	Prefix         string       `json:"Prefix"`
	Delimiter      string       `json:"Delimiter,omitempty"`
	Marker         string       `json:"Marker"`
	NextMarker     string       `json:"NextMarker,omitempty"`
	MaxKeys        int          `json:"MaxKeys"`
	IsTruncated    bool         `json:"IsTruncated"`
	Contents       []ObjectInfo `json:"Contents"`
	CommonPrefixes []string     `json:"CommonPrefixes"`
}

// ListObjects is version 1 of the listing (boto3's Bucket.objects and
// `aws s3api list-objects` still use it).
func (s *Service) ListObjects(ctx context.Context, in ListV1Input) (*ListV1Output, error) {
	// A NextMarker that is a common prefix must resume past every key
	// under it, or the next page would start with the same prefix again.
	after := in.Marker
	if rest, ok := strings.CutPrefix(in.Marker, in.Prefix); ok && in.Delimiter != "" {
		if i := strings.Index(rest, in.Delimiter); i >= 0 && i+len(in.Delimiter) == len(rest) {
			after = in.Marker + afterAll
		}
	}
	v2, err := s.ListObjectsV2(ctx, ListInput{Bucket: in.Bucket, Prefix: in.Prefix, Delimiter: in.Delimiter, StartAfter: after, MaxKeys: in.MaxKeys})
	if err != nil {
		return nil, err
	}
	out := &ListV1Output{
		Name: v2.Name, Prefix: v2.Prefix, Delimiter: v2.Delimiter, Marker: in.Marker, MaxKeys: v2.MaxKeys,
		IsTruncated: v2.IsTruncated, Contents: v2.Contents, CommonPrefixes: v2.CommonPrefixes,
	}
	if v2.IsTruncated && in.Delimiter != "" {
		last := ""
		if n := len(v2.Contents); n > 0 {
			last = v2.Contents[n-1].Key
		}
		if n := len(v2.CommonPrefixes); n > 0 && v2.CommonPrefixes[n-1] > last {
			last = v2.CommonPrefixes[n-1]
		}
		out.NextMarker = last
	}
	return out, nil
}
