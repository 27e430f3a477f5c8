package s3_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/cloudlet-dev/cloudlet/internal/s3"
)

const mib = 1 << 20

func TestMultipartUpload(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.bucket(t, "bkt")
	up, err := e.svc.CreateMultipartUpload(ctx, "bkt", "big.zip", s3.ObjectMeta{ContentType: "application/zip", Metadata: map[string]string{"k": "v"}})
	if err != nil {
		t.Fatal(err)
	}
	parts := [][]byte{bytes.Repeat([]byte("a"), 5*mib), bytes.Repeat([]byte("b"), 5*mib), []byte("tail")}
	// Part 2 is uploaded twice; the second upload wins.
	if _, err := e.svc.UploadPart(ctx, "bkt", "big.zip", up, 2, strings.NewReader("wrong, replaced below")); err != nil {
		t.Fatal(err)
	}
	var completed []s3.CompletedPart
	for i, p := range parts {
		part, err := e.svc.UploadPart(ctx, "bkt", "big.zip", up, i+1, bytes.NewReader(p))
		if err != nil {
			t.Fatal(err)
		}
		sum := md5.Sum(p)
		if want := `"` + hex.EncodeToString(sum[:]) + `"`; part.ETag != want || part.Size != int64(len(p)) {
			t.Errorf("UploadPart(%d) = %+v, want ETag %s", i+1, part, want)
		}
		completed = append(completed, s3.CompletedPart{PartNumber: i + 1, ETag: strings.Trim(part.ETag, `"`)})
	}
	listed, err := e.svc.ListParts(ctx, "bkt", "big.zip", up)
	if err != nil || len(listed) != 3 || listed[1].Size != 5*mib {
		t.Errorf("ListParts = %+v, %v; want 3 parts with the second replaced", listed, err)
	}
	// Nothing is visible before Complete.
	_, err = e.svc.HeadObject(ctx, "bkt", "big.zip")
	wantErr(t, "HeadObject before Complete", err, "NoSuchKey", 404)

	info, err := e.svc.CompleteMultipartUpload(ctx, "bkt", "big.zip", up, completed)
	if err != nil {
		t.Fatal(err)
	}
	// S3's multipart ETag: MD5 of the parts' binary MD5s, "-", part count.
	var cat []byte
	for _, p := range parts {
		sum := md5.Sum(p)
		cat = append(cat, sum[:]...)
	}
	sum := md5.Sum(cat)
	wantETag := fmt.Sprintf(`"%s-3"`, hex.EncodeToString(sum[:]))
	if info.ETag != wantETag || info.Size != 10*mib+4 || info.PartsCount != 3 || info.ContentType != "application/zip" || info.Metadata["k"] != "v" {
		t.Errorf("CompleteMultipartUpload = %+v, want ETag %s, size %d, 3 parts, the upload's metadata", info, wantETag, 10*mib+4)
	}
	rc, _, err := e.svc.GetObject(ctx, "bkt", "big.zip", &s3.ByteRange{First: 5*mib - 2, Last: 5*mib + 1})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(rc)
	rc.Close()
	if string(b) != "aabb" {
		t.Errorf("bytes across the part boundary = %q, want aabb", b)
	}
	rc, _, err = e.svc.GetObject(ctx, "bkt", "big.zip", &s3.ByteRange{Suffix: 4})
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(rc)
	rc.Close()
	if string(b) != "tail" {
		t.Errorf("last bytes = %q, want tail", b)
	}
	// The upload is gone, and so are the part files.
	_, err = e.svc.ListParts(ctx, "bkt", "big.zip", up)
	wantErr(t, "ListParts after Complete", err, "NoSuchUpload", 404)
	if files := e.bodyFiles(t); len(files) != 1 {
		t.Errorf("files after Complete = %v, want the object's body only", files)
	}

	// A copy of a multipart object is a single-part object.
	cp, err := e.svc.CopyObject(ctx, s3.CopyInput{SourceBucket: "bkt", SourceKey: "big.zip", Bucket: "bkt", Key: "copy.zip"})
	if err != nil {
		t.Fatal(err)
	}
	whole := md5.Sum(bytes.Join(parts, nil))
	if want := `"` + hex.EncodeToString(whole[:]) + `"`; cp.ETag != want || cp.PartsCount != 0 {
		t.Errorf("copy of multipart object ETag = %s (%d parts), want %s", cp.ETag, cp.PartsCount, want)
	}
}

func TestMultipartErrors(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.bucket(t, "bkt")
	up, err := e.svc.CreateMultipartUpload(ctx, "bkt", "k", s3.ObjectMeta{})
	if err != nil {
		t.Fatal(err)
	}
	small, err := e.svc.UploadPart(ctx, "bkt", "k", up, 1, strings.NewReader("small"))
	if err != nil {
		t.Fatal(err)
	}
	last, err := e.svc.UploadPart(ctx, "bkt", "k", up, 2, strings.NewReader("last"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		call   func() error
		code   string
		status int
	}{
		{"part-zero", func() error { _, err := e.svc.UploadPart(ctx, "bkt", "k", up, 0, strings.NewReader("x")); return err }, "InvalidArgument", 400},
		{"part-10001", func() error {
			_, err := e.svc.UploadPart(ctx, "bkt", "k", up, 10001, strings.NewReader("x"))
			return err
		}, "InvalidArgument", 400},
		{"unknown-upload", func() error {
			_, err := e.svc.UploadPart(ctx, "bkt", "k", "nope", 1, strings.NewReader("x"))
			return err
		}, "NoSuchUpload", 404},
		{"other-key", func() error {
			_, err := e.svc.UploadPart(ctx, "bkt", "other", up, 1, strings.NewReader("x"))
			return err
		}, "NoSuchUpload", 404},
		{"no-bucket", func() error { _, err := e.svc.CreateMultipartUpload(ctx, "nope", "k", s3.ObjectMeta{}); return err }, "NoSuchBucket", 404},
		{"empty-list", func() error { _, err := e.svc.CompleteMultipartUpload(ctx, "bkt", "k", up, nil); return err }, "MalformedXML", 400},
		{"out-of-order", func() error {
			_, err := e.svc.CompleteMultipartUpload(ctx, "bkt", "k", up, []s3.CompletedPart{{2, last.ETag}, {1, small.ETag}})
			return err
		}, "InvalidPartOrder", 400},
		{"wrong-etag", func() error {
			_, err := e.svc.CompleteMultipartUpload(ctx, "bkt", "k", up, []s3.CompletedPart{{1, `"00000000000000000000000000000000"`}})
			return err
		}, "InvalidPart", 400},
		{"missing-part", func() error {
			_, err := e.svc.CompleteMultipartUpload(ctx, "bkt", "k", up, []s3.CompletedPart{{3, last.ETag}})
			return err
		}, "InvalidPart", 400},
		{"small-part", func() error {
			_, err := e.svc.CompleteMultipartUpload(ctx, "bkt", "k", up, []s3.CompletedPart{{1, small.ETag}, {2, last.ETag}})
			return err
		}, "EntityTooSmall", 400},
		{"abort-unknown", func() error { return e.svc.AbortMultipartUpload(ctx, "bkt", "k", "nope") }, "NoSuchUpload", 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { wantErr(t, tt.name, tt.call(), tt.code, tt.status) })
	}
	// A single small part is fine: only parts before the last have a
	// minimum size.
	if _, err := e.svc.CompleteMultipartUpload(ctx, "bkt", "k", up, []s3.CompletedPart{{1, small.ETag}}); err != nil {
		t.Errorf("CompleteMultipartUpload(one small part) = %v", err)
	}
	if got := e.get(t, "bkt", "k"); got != "small" {
		t.Errorf("object = %q, want small", got)
	}

	up2, _ := e.svc.CreateMultipartUpload(ctx, "bkt", "k2", s3.ObjectMeta{})
	if _, err := e.svc.UploadPart(ctx, "bkt", "k2", up2, 1, strings.NewReader("x")); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.AbortMultipartUpload(ctx, "bkt", "k2", up2); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.CompleteMultipartUpload(ctx, "bkt", "k2", up2, []s3.CompletedPart{{1, "x"}})
	wantErr(t, "Complete after Abort", err, "NoSuchUpload", 404)
	if files := e.bodyFiles(t); len(files) != 1 {
		t.Errorf("files after abort = %v, want only k's body", files)
	}
}
