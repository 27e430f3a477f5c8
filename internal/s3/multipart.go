package s3

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/store"
)

// Multipart limits, from S3's documentation.
const (
	maxPartNumber = 10000
	minPartSize   = 5 << 20 // every part but the last
)

type uploadRecord struct {
	UploadID  string     `json:"UploadId"`
	Bucket    string     `json:"Bucket"`
	Key       string     `json:"Key"`
	Initiated time.Time  `json:"Initiated"`
	Meta      ObjectMeta `json:"Meta"`
}

// Part describes an uploaded part.
type Part struct {
	PartNumber   int       `json:"PartNumber"`
	ETag         string    `json:"ETag"`
	Size         int64     `json:"Size"`
	LastModified time.Time `json:"LastModified"`
}

type partRecord struct {
	Part
	BodyID string `json:"BodyID"`
}

// CompletedPart names a part in CompleteMultipartUpload's list.
type CompletedPart struct {
	PartNumber int
	ETag       string // quoted or not
}

func partKey(uploadID string, n int) string { return fmt.Sprintf("%s%s%05d", uploadID, sep, n) }

// CreateMultipartUpload starts an upload of bucket/key and returns its id.
// meta (without ContentMD5) describes the object Complete will make.
func (s *Service) CreateMultipartUpload(ctx context.Context, bucket, key string, meta ObjectMeta) (string, error) {
	if err := ValidateKey(key); err != nil {
		return "", err
	}
	meta.ContentMD5 = ""
	if err := meta.validate(); err != nil {
		return "", err
	}
	if err := ctx.Err(); err != nil {
		return "", err
	}
	id := newID() + newID()
	err := s.db.Update(func(tx *store.Tx) error {
		if _, err := getBucket(tx, bucket); err != nil {
			return err
		}
		return tx.Put(bucketUploads, id, uploadRecord{UploadID: id, Bucket: bucket, Key: key, Initiated: s.timestamp(), Meta: meta})
	})
	if err != nil {
		return "", fmt.Errorf("create multipart upload %s/%s: %w", bucket, key, err)
	}
	return id, nil
}

// getUpload loads an upload of bucket/key, or NoSuchUpload.
func getUpload(tx *store.Tx, bucket, key, uploadID string) (uploadRecord, error) {
	if _, err := getBucket(tx, bucket); err != nil {
		return uploadRecord{}, err
	}
	if strings.Contains(uploadID, sep) {
		return uploadRecord{}, errNoSuchUpload(uploadID)
	}
	u, ok, err := store.Get[uploadRecord](tx, bucketUploads, uploadID)
	if err != nil {
		return uploadRecord{}, err
	}
	if !ok || u.Bucket != bucket || u.Key != key {
		return uploadRecord{}, errNoSuchUpload(uploadID)
	}
	return u, nil
}

// UploadPart stores part partNumber (1–10000) of an upload, replacing an
// earlier upload of the same number, and returns its quoted-MD5 ETag.
func (s *Service) UploadPart(ctx context.Context, bucket, key, uploadID string, partNumber int, body io.Reader) (*Part, error) {
	if partNumber < 1 || partNumber > maxPartNumber {
		return nil, errInvalidArgument("Part number must be an integer between 1 and 10000, inclusive",
			"ArgumentName", "partNumber", "ArgumentValue", fmt.Sprint(partNumber))
	}
	what := fmt.Sprintf("upload part %d of %s/%s", partNumber, bucket, key)
	if err := s.db.View(func(tx *store.Tx) error {
		_, err := getUpload(tx, bucket, key, uploadID)
		return err
	}); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	b, err := s.writeBody(ctx, body, maxObjectSize)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	rec := partRecord{Part: Part{PartNumber: partNumber, ETag: quoteETag(b.md5), Size: b.size, LastModified: s.timestamp()}, BodyID: b.id}
	var old string
	err = s.db.Update(func(tx *store.Tx) error {
		if _, err := getUpload(tx, bucket, key, uploadID); err != nil {
			return err // aborted or completed meanwhile
		}
		prev, ok, err := store.Get[partRecord](tx, bucketParts, partKey(uploadID, partNumber))
		if err != nil {
			return err
		}
		if ok {
			old = prev.BodyID
		}
		return tx.Put(bucketParts, partKey(uploadID, partNumber), rec)
	})
	if err != nil {
		s.removeBody(b.id)
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	s.removeBody(old)
	return &rec.Part, nil
}

// ListParts returns an upload's parts in part-number order.
func (s *Service) ListParts(ctx context.Context, bucket, key, uploadID string) ([]Part, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out := []Part{}
	err := s.db.View(func(tx *store.Tx) error {
		if _, err := getUpload(tx, bucket, key, uploadID); err != nil {
			return err
		}
		parts, err := store.List[partRecord](tx, bucketParts, uploadID+sep)
		for _, p := range parts {
			out = append(out, p.Part)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list parts of %s/%s: %w", bucket, key, err)
	}
	return out, nil
}

// AbortMultipartUpload discards an upload and its parts.
func (s *Service) AbortMultipartUpload(ctx context.Context, bucket, key, uploadID string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	var bodies []string
	err := s.db.Update(func(tx *store.Tx) error {
		if _, err := getUpload(tx, bucket, key, uploadID); err != nil {
			return err
		}
		var err error
		bodies, err = dropUploads(tx, func(u uploadRecord) bool { return u.UploadID == uploadID })
		return err
	})
	if err != nil {
		return fmt.Errorf("abort multipart upload of %s/%s: %w", bucket, key, err)
	}
	for _, id := range bodies {
		s.removeBody(id)
	}
	return nil
}

// dropUploads deletes the uploads that match, with their parts, and
// returns the part bodies to remove once the transaction commits.
func dropUploads(tx *store.Tx, match func(uploadRecord) bool) ([]string, error) {
	var ids, bodies []string
	err := tx.ForEach(bucketUploads, "", func(k string, raw []byte) error {
		var u uploadRecord
		if err := json.Unmarshal(raw, &u); err != nil {
			return fmt.Errorf("load upload %q: %w", k, err)
		}
		if match(u) {
			ids = append(ids, k)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		parts, err := store.List[partRecord](tx, bucketParts, id+sep)
		if err != nil {
			return nil, err
		}
		for _, p := range parts {
			bodies = append(bodies, p.BodyID)
			if err := tx.Delete(bucketParts, partKey(id, p.PartNumber)); err != nil {
				return nil, err
			}
		}
		if err := tx.Delete(bucketUploads, id); err != nil {
			return nil, err
		}
	}
	return bodies, nil
}

// CompleteMultipartUpload joins the listed parts, in ascending part order,
// into the object bucket/key. Its ETag is the MD5 of the parts' binary
// MD5s followed by "-" and the number of parts, as S3's is.
func (s *Service) CompleteMultipartUpload(ctx context.Context, bucket, key, uploadID string, parts []CompletedPart) (*ObjectInfo, error) {
	what := fmt.Sprintf("complete multipart upload of %s/%s", bucket, key)
	if len(parts) == 0 {
		return nil, errMalformedXML()
	}
	for i := 1; i < len(parts); i++ {
		if parts[i].PartNumber <= parts[i-1].PartNumber {
			return nil, s3Error(http.StatusBadRequest, CodeInvalidPartOrder,
				"The list of parts was not in ascending order. The parts list must be specified in order by part number.", "UploadId", uploadID)
		}
	}
	var upload uploadRecord
	var chosen []partRecord
	err := s.db.View(func(tx *store.Tx) error {
		var err error
		if upload, err = getUpload(tx, bucket, key, uploadID); err != nil {
			return err
		}
		for i, cp := range parts {
			p, ok, err := store.Get[partRecord](tx, bucketParts, partKey(uploadID, cp.PartNumber))
			if err != nil {
				return err
			}
			if !ok || strings.Trim(cp.ETag, `"`) != strings.Trim(p.ETag, `"`) {
				return s3Error(http.StatusBadRequest, CodeInvalidPart,
					"One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
					"UploadId", uploadID, "PartNumber", fmt.Sprint(cp.PartNumber), "ETag", cp.ETag)
			}
			if i < len(parts)-1 && p.Size < minPartSize {
				return s3Error(http.StatusBadRequest, CodeEntityTooSmall, "Your proposed upload is smaller than the minimum allowed object size.",
					"ProposedSize", fmt.Sprint(p.Size), "MinSizeAllowed", fmt.Sprint(minPartSize), "PartNumber", fmt.Sprint(p.PartNumber))
			}
			chosen = append(chosen, p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}

	// Join the parts into one new body; the parts stay until the object
	// record is committed, so a failure here loses nothing.
	pr, pw := io.Pipe()
	go func() {
		for _, p := range chosen {
			f, err := os.Open(s.bodyPath(p.BodyID))
			if err != nil {
				pw.CloseWithError(err)
				return
			}
			_, err = io.Copy(pw, f)
			f.Close()
			if err != nil {
				pw.CloseWithError(err)
				return
			}
		}
		pw.Close()
	}()
	b, err := s.writeBody(ctx, pr, int64(maxPartNumber)*maxObjectSize)
	pr.Close()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	sums := md5.New()
	for _, p := range chosen {
		raw, _ := hex.DecodeString(strings.Trim(p.ETag, `"`))
		sums.Write(raw)
	}
	rec := objectRecord{ObjectInfo: ObjectInfo{
		Key:          key,
		Size:         b.size,
		ETag:         fmt.Sprintf(`"%s-%d"`, hex.EncodeToString(sums.Sum(nil)), len(chosen)),
		StorageClass: "STANDARD",
		PartsCount:   len(chosen),
	}, BodyID: b.id}
	upload.Meta.apply(&rec.ObjectInfo)
	rec.LastModified = s.timestamp()

	var old string
	var partBodies []string
	err = s.db.Update(func(tx *store.Tx) error {
		if _, err := getUpload(tx, bucket, key, uploadID); err != nil {
			return err // completed or aborted by someone else meanwhile
		}
		prev, ok, err := store.Get[objectRecord](tx, bucketObjects, objectKey(bucket, key))
		if err != nil {
			return err
		}
		if ok {
			old = prev.BodyID
		}
		if partBodies, err = dropUploads(tx, func(u uploadRecord) bool { return u.UploadID == uploadID }); err != nil {
			return err
		}
		return tx.Put(bucketObjects, objectKey(bucket, key), rec)
	})
	if err != nil {
		s.removeBody(b.id)
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	s.removeBody(old)
	for _, id := range partBodies {
		s.removeBody(id)
	}
	info := rec.ObjectInfo
	info.ContentLength = info.Size
	return &info, nil
}
