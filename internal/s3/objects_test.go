package s3_test

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
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/awserr"
	"github.com/cloudlet-dev/cloudlet/internal/s3"
	"github.com/cloudlet-dev/cloudlet/internal/store"
	"github.com/google/go-cmp/cmp"
)

var t0 = time.Date(2026, 11, 25, 12, 0, 0, 123456789, time.UTC)

type env struct {
	svc *s3.Service
	db  *store.DB
	dir string // Config.Dir
}

func newEnv(t testing.TB) *env {
	t.Helper()
	root := t.TempDir()
	db, err := store.Open(root)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	dir := filepath.Join(root, "s3")
	svc, err := s3.New(s3.Config{Dir: dir, DB: db, Now: func() time.Time { return t0 }})
	if err != nil {
		t.Fatal(err)
	}
	return &env{svc: svc, db: db, dir: dir}
}

func (e *env) bucket(t testing.TB, name string) {
	t.Helper()
	if err := e.svc.CreateBucket(context.Background(), name, ""); err != nil {
		t.Fatal(err)
	}
}

func (e *env) put(t testing.TB, bucket, key, body string) *s3.ObjectInfo {
	t.Helper()
	info, err := e.svc.PutObject(context.Background(), bucket, key, strings.NewReader(body), s3.ObjectMeta{})
	if err != nil {
		t.Fatalf("PutObject(%s/%s): %v", bucket, key, err)
	}
	return info
}

func (e *env) get(t testing.TB, bucket, key string) string {
	t.Helper()
	rc, _, err := e.svc.GetObject(context.Background(), bucket, key, nil)
	if err != nil {
		t.Fatalf("GetObject(%s/%s): %v", bucket, key, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// bodyFiles lists the files under the bodies folder (temporary ones
// included).
func (e *env) bodyFiles(t testing.TB) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(e.dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			out = append(out, path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func wantErr(t *testing.T, what string, err error, code string, status int) {
	t.Helper()
	e, ok := awserr.As(err)
	if !ok || e.Code != code || e.HTTPStatus() != status {
		t.Errorf("%s error = %v, want %s (%d)", what, err, code, status)
	}
}

func md5hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

func TestPutGetRoundTrip(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.bucket(t, "bkt")
	body := "AWSTemplateFormatVersion: '2010-09-09'\n"
	sum := md5.Sum([]byte(body))
	info, err := e.svc.PutObject(ctx, "bkt", "fa-005/fa-005.yaml", strings.NewReader(body), s3.ObjectMeta{
		ContentType: "application/x-yaml",
		Metadata:    map[string]string{"Owner": "me"},
		ContentMD5:  base64.StdEncoding.EncodeToString(sum[:]),
	})
	if err != nil {
		t.Fatal(err)
	}
	want := &s3.ObjectInfo{
		Key: "fa-005/fa-005.yaml", Size: int64(len(body)), ETag: `"` + md5hex(body) + `"`,
		LastModified: t0.Truncate(time.Millisecond), ContentType: "application/x-yaml",
		Metadata: map[string]string{"owner": "me"}, StorageClass: "STANDARD", ContentLength: int64(len(body)),
	}
	if diff := cmp.Diff(want, info); diff != "" {
		t.Errorf("PutObject info (-want +got):\n%s", diff)
	}
	rc, got, err := e.svc.GetObject(ctx, "bkt", "fa-005/fa-005.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(rc)
	rc.Close()
	if string(b) != body {
		t.Errorf("GetObject body = %q, want %q", b, body)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("GetObject info (-want +got):\n%s", diff)
	}
	head, err := e.svc.HeadObject(ctx, "bkt", "fa-005/fa-005.yaml")
	if err != nil || !cmp.Equal(head, want) {
		t.Errorf("HeadObject = %+v, %v; want %+v", head, err, want)
	}

	// An empty object with no content type gets S3's default.
	info = e.put(t, "bkt", "empty", "")
	if info.ETag != `"d41d8cd98f00b204e9800998ecf8427e"` || info.ContentType != "binary/octet-stream" || info.Size != 0 {
		t.Errorf("empty object info = %+v", info)
	}

	// Overwriting replaces the bytes and leaves one body file per object.
	e.put(t, "bkt", "fa-005/fa-005.yaml", "v2")
	if got := e.get(t, "bkt", "fa-005/fa-005.yaml"); got != "v2" {
		t.Errorf("after overwrite GetObject = %q, want v2", got)
	}
	if files := e.bodyFiles(t); len(files) != 2 {
		t.Errorf("body files after overwrite = %d, want 2: %v", len(files), files)
	}

	// "a" and "a/b" coexist; keys with odd characters are just keys.
	for _, k := range []string{"a", "a/b", "a/b/", "sp ace+plus%25", "日本/語"} {
		e.put(t, "bkt", k, "body of "+k)
	}
	for _, k := range []string{"a", "a/b", "a/b/", "sp ace+plus%25", "日本/語"} {
		if got := e.get(t, "bkt", k); got != "body of "+k {
			t.Errorf("GetObject(%q) = %q", k, got)
		}
	}
}

func TestObjectErrors(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.bucket(t, "bkt")
	e.put(t, "bkt", "k", "0123456789")
	badMD5 := md5.Sum([]byte("other"))
	tests := []struct {
		name   string
		call   func() error
		code   string
		status int
	}{
		{"put-no-bucket", func() error {
			_, err := e.svc.PutObject(ctx, "nope", "k", strings.NewReader("x"), s3.ObjectMeta{})
			return err
		}, "NoSuchBucket", 404},
		{"get-no-bucket", func() error { _, _, err := e.svc.GetObject(ctx, "nope", "k", nil); return err }, "NoSuchBucket", 404},
		{"get-no-key", func() error { _, _, err := e.svc.GetObject(ctx, "bkt", "missing", nil); return err }, "NoSuchKey", 404},
		{"head-no-key", func() error { _, err := e.svc.HeadObject(ctx, "bkt", "missing"); return err }, "NoSuchKey", 404},
		{"delete-no-bucket", func() error { return e.svc.DeleteObject(ctx, "nope", "k") }, "NoSuchBucket", 404},
		{"bad-md5", func() error {
			_, err := e.svc.PutObject(ctx, "bkt", "k", strings.NewReader("x"), s3.ObjectMeta{ContentMD5: base64.StdEncoding.EncodeToString(badMD5[:])})
			return err
		}, "BadDigest", 400},
		{"malformed-md5", func() error {
			_, err := e.svc.PutObject(ctx, "bkt", "k", strings.NewReader("x"), s3.ObjectMeta{ContentMD5: "nope"})
			return err
		}, "InvalidDigest", 400},
		{"metadata-too-large", func() error {
			_, err := e.svc.PutObject(ctx, "bkt", "k", strings.NewReader("x"), s3.ObjectMeta{Metadata: map[string]string{"big": strings.Repeat("v", 2048)}})
			return err
		}, "MetadataTooLarge", 400},
		{"range-past-end", func() error {
			_, _, err := e.svc.GetObject(ctx, "bkt", "k", &s3.ByteRange{First: 10, Last: -1})
			return err
		}, "InvalidRange", 416},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { wantErr(t, tt.name, tt.call(), tt.code, tt.status) })
	}
	if got := e.get(t, "bkt", "k"); got != "0123456789" {
		t.Errorf("object after failed writes = %q, want it unchanged", got)
	}
	// Deleting a missing key succeeds, as in S3.
	if err := e.svc.DeleteObject(ctx, "bkt", "missing"); err != nil {
		t.Errorf("DeleteObject(missing) = %v, want nil", err)
	}
	if err := e.svc.DeleteObject(ctx, "bkt", "k"); err != nil {
		t.Fatal(err)
	}
	_, err := e.svc.HeadObject(ctx, "bkt", "k")
	wantErr(t, "HeadObject after delete", err, "NoSuchKey", 404)
	if files := e.bodyFiles(t); len(files) != 0 {
		t.Errorf("body files after delete: %v", files)
	}
}

func TestEscapingKeysAreRefused(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.bucket(t, "bkt")
	for _, key := range []string{"../../etc/passwd", "/etc/passwd", "a/../../b", "a\x00b", `..\x`, strings.Repeat("k", 1025)} {
		_, err := e.svc.PutObject(ctx, "bkt", key, strings.NewReader("x"), s3.ObjectMeta{})
		if c := awserr.Code(err); c != "InvalidArgument" && c != "KeyTooLongError" {
			t.Errorf("PutObject(%.30q) = %v, want InvalidArgument or KeyTooLongError", key, err)
		}
		_, err = e.svc.CopyObject(ctx, s3.CopyInput{SourceBucket: "bkt", SourceKey: "x", Bucket: "bkt", Key: key})
		if c := awserr.Code(err); c != "InvalidArgument" && c != "KeyTooLongError" {
			t.Errorf("CopyObject(to %.30q) = %v, want InvalidArgument or KeyTooLongError", key, err)
		}
		_, err = e.svc.CreateMultipartUpload(ctx, "bkt", key, s3.ObjectMeta{})
		if c := awserr.Code(err); c != "InvalidArgument" && c != "KeyTooLongError" {
			t.Errorf("CreateMultipartUpload(%.30q) = %v, want InvalidArgument or KeyTooLongError", key, err)
		}
	}
	if files := e.bodyFiles(t); len(files) != 0 {
		t.Errorf("refused keys left files: %v", files)
	}
}

// failingReader yields n bytes, then an error: a client that drops the
// connection half way through an upload.
type failingReader struct{ n int }

var errDropped = errors.New("connection dropped")

func (r *failingReader) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, errDropped
	}
	k := min(len(p), r.n)
	for i := range k {
		p[i] = 'x'
	}
	r.n -= k
	return k, nil
}

func TestInterruptedWriteLeavesNoPartialObject(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.bucket(t, "bkt")
	e.put(t, "bkt", "k", "old")

	_, err := e.svc.PutObject(ctx, "bkt", "k", &failingReader{n: 1 << 20}, s3.ObjectMeta{})
	if !errors.Is(err, errDropped) {
		t.Errorf("PutObject(failing reader) = %v, want the reader's error", err)
	}
	if got := e.get(t, "bkt", "k"); got != "old" {
		t.Errorf("after a failed overwrite GetObject = %q, want old", got)
	}
	_, err = e.svc.PutObject(ctx, "bkt", "new", &failingReader{n: 1000}, s3.ObjectMeta{})
	if err == nil {
		t.Fatal("PutObject(failing reader) succeeded")
	}
	_, err = e.svc.HeadObject(ctx, "bkt", "new")
	wantErr(t, "HeadObject after failed create", err, "NoSuchKey", 404)

	// A cancelled context stops the upload the same way.
	cctx, cancel := context.WithCancel(ctx)
	pr, pw := io.Pipe()
	go func() {
		pw.Write([]byte("partial"))
		cancel()
		pw.Write([]byte("more"))
		pw.Close()
	}()
	if _, err := e.svc.PutObject(cctx, "bkt", "k", pr, s3.ObjectMeta{}); err == nil {
		t.Error("PutObject with a cancelled context succeeded")
	}
	pr.Close() // release the writer goroutine
	if got := e.get(t, "bkt", "k"); got != "old" {
		t.Errorf("after a cancelled overwrite GetObject = %q, want old", got)
	}
	if files := e.bodyFiles(t); len(files) != 1 {
		t.Errorf("files after failed writes = %v, want only the old body", files)
	}
}

func TestNewCollectsGarbage(t *testing.T) {
	e := newEnv(t)
	e.bucket(t, "bkt")
	e.put(t, "bkt", "keep", "kept")
	files := e.bodyFiles(t)
	// What a crash leaves: a temporary file mid-write, and a renamed body
	// whose record was never committed.
	dir := filepath.Dir(files[0])
	for _, name := range []string{".tmp-123456", "00000000000000000000000000000000"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("junk"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s3.New(s3.Config{Dir: e.dir, DB: e.db}); err != nil {
		t.Fatal(err)
	}
	if got := e.bodyFiles(t); !cmp.Equal(got, files) {
		t.Errorf("files after New = %v, want %v", got, files)
	}
	if got := e.get(t, "bkt", "keep"); got != "kept" {
		t.Errorf("GetObject(keep) = %q after garbage collection", got)
	}
}

func TestGetObjectRanges(t *testing.T) {
	e := newEnv(t)
	e.bucket(t, "bkt")
	e.put(t, "bkt", "k", "0123456789")
	tests := []struct {
		name   string
		header string
		body   string
		crange string
	}{
		{"first-last", "bytes=2-5", "2345", "bytes 2-5/10"},
		{"open-end", "bytes=7-", "789", "bytes 7-9/10"},
		{"suffix", "bytes=-3", "789", "bytes 7-9/10"},
		{"suffix-longer-than-object", "bytes=-50", "0123456789", "bytes 0-9/10"},
		{"last-past-end", "bytes=8-100", "89", "bytes 8-9/10"},
		{"one-byte", "bytes=0-0", "0", "bytes 0-0/10"},
		// Headers S3 ignores: the whole object comes back.
		{"multi-range", "bytes=0-1,3-4", "0123456789", ""},
		{"garbage", "bytes=x-y", "0123456789", ""},
		{"reversed", "bytes=5-2", "0123456789", ""},
		{"other-unit", "items=0-1", "0123456789", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rng, _ := s3.ParseRange(tt.header)
			rc, info, err := e.svc.GetObject(context.Background(), "bkt", "k", rng)
			if err != nil {
				t.Fatalf("GetObject(%s) error: %v", tt.header, err)
			}
			b, _ := io.ReadAll(rc)
			rc.Close()
			if string(b) != tt.body || info.ContentRange != tt.crange || info.ContentLength != int64(len(tt.body)) || info.Size != 10 {
				t.Errorf("GetObject(%s) = %q, range %q, length %d, size %d; want %q, %q, %d, 10",
					tt.header, b, info.ContentRange, info.ContentLength, info.Size, tt.body, tt.crange, len(tt.body))
			}
		})
	}
	e.put(t, "bkt", "empty", "")
	_, _, err := e.svc.GetObject(context.Background(), "bkt", "empty", &s3.ByteRange{Suffix: 1})
	wantErr(t, "GetObject(empty, bytes=-1)", err, "InvalidRange", 416)
}

// Readers and writers of one key at once: every read sees one whole
// version, never a mix or a missing object.
func TestConcurrentOverwriteAndRead(t *testing.T) {
	e := newEnv(t)
	e.bucket(t, "bkt")
	versions := make([]string, 20)
	for i := range versions {
		versions[i] = strings.Repeat(fmt.Sprintf("v%02d|", i), 5000)
	}
	e.put(t, "bkt", "k", versions[0])
	valid := map[string]bool{}
	for _, v := range versions {
		valid[v] = true
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		for _, v := range versions[1:] {
			e.put(t, "bkt", "k", v)
		}
	})
	for range 2 {
		wg.Go(func() {
			for range 50 {
				rc, _, err := e.svc.GetObject(context.Background(), "bkt", "k", nil)
				if err != nil {
					t.Errorf("GetObject during overwrites: %v", err)
					return
				}
				b, err := io.ReadAll(rc)
				rc.Close()
				if err != nil || !valid[string(b)] {
					t.Errorf("GetObject during overwrites read %d bytes (%v), not one whole version", len(b), err)
					return
				}
			}
		})
	}
	wg.Wait()
	if got := e.get(t, "bkt", "k"); got != versions[len(versions)-1] {
		t.Errorf("final version wrong")
	}
}

func TestCopyObject(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.bucket(t, "src")
	e.bucket(t, "dst")
	_, err := e.svc.PutObject(ctx, "src", "k", strings.NewReader("payload"), s3.ObjectMeta{ContentType: "text/plain", Metadata: map[string]string{"a": "1"}})
	if err != nil {
		t.Fatal(err)
	}
	info, err := e.svc.CopyObject(ctx, s3.CopyInput{SourceBucket: "src", SourceKey: "k", Bucket: "dst", Key: "copy"})
	if err != nil {
		t.Fatal(err)
	}
	if info.ETag != `"`+md5hex("payload")+`"` || info.ContentType != "text/plain" || info.Metadata["a"] != "1" {
		t.Errorf("CopyObject(COPY) = %+v, want the source's ETag and metadata", info)
	}
	info, err = e.svc.CopyObject(ctx, s3.CopyInput{SourceBucket: "src", SourceKey: "k", Bucket: "src", Key: "k",
		MetadataDirective: s3.MetadataDirectiveReplace, Meta: s3.ObjectMeta{ContentType: "text/yaml"}})
	if err != nil {
		t.Fatal(err)
	}
	if info.ContentType != "text/yaml" || info.Metadata != nil {
		t.Errorf("CopyObject(REPLACE onto itself) = %+v, want new metadata", info)
	}
	// The copies are independent: deleting the source keeps the copy.
	if err := e.svc.DeleteObject(ctx, "src", "k"); err != nil {
		t.Fatal(err)
	}
	if got := e.get(t, "dst", "copy"); got != "payload" {
		t.Errorf("copy after deleting the source = %q", got)
	}
	e.put(t, "src", "k", "again")
	_, err = e.svc.CopyObject(ctx, s3.CopyInput{SourceBucket: "src", SourceKey: "k", Bucket: "src", Key: "k"})
	wantErr(t, "CopyObject(onto itself)", err, "InvalidRequest", 400)
	_, err = e.svc.CopyObject(ctx, s3.CopyInput{SourceBucket: "src", SourceKey: "nope", Bucket: "dst", Key: "x"})
	wantErr(t, "CopyObject(missing source)", err, "NoSuchKey", 404)
	_, err = e.svc.CopyObject(ctx, s3.CopyInput{SourceBucket: "src", SourceKey: "k", Bucket: "nope", Key: "x"})
	wantErr(t, "CopyObject(missing destination bucket)", err, "NoSuchBucket", 404)
	_, err = e.svc.CopyObject(ctx, s3.CopyInput{SourceBucket: "src", SourceKey: "k", Bucket: "dst", Key: "x", MetadataDirective: "MERGE"})
	wantErr(t, "CopyObject(MERGE)", err, "InvalidArgument", 400)
}

func TestDeleteObjects(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.bucket(t, "bkt")
	e.put(t, "bkt", "a", "1")
	e.put(t, "bkt", "b", "2")
	out, err := e.svc.DeleteObjects(ctx, "bkt", []string{"a", "b", "never-existed"})
	if err != nil {
		t.Fatal(err)
	}
	want := &s3.DeleteObjectsOutput{Deleted: []s3.DeletedObject{{Key: "a"}, {Key: "b"}, {Key: "never-existed"}}, Errors: []s3.DeleteError{}}
	if diff := cmp.Diff(want, out); diff != "" {
		t.Errorf("DeleteObjects (-want +got):\n%s", diff)
	}
	_, err = e.svc.DeleteObjects(ctx, "bkt", nil)
	wantErr(t, "DeleteObjects(none)", err, "MalformedXML", 400)
	_, err = e.svc.DeleteObjects(ctx, "bkt", make([]string, 1001))
	wantErr(t, "DeleteObjects(1001)", err, "MalformedXML", 400)
	_, err = e.svc.DeleteObjects(ctx, "nope", []string{"a"})
	wantErr(t, "DeleteObjects(missing bucket)", err, "NoSuchBucket", 404)
}

func BenchmarkPutObject(b *testing.B) {
	e := newEnv(b)
	e.bucket(b, "bkt")
	body := bytes.Repeat([]byte("x"), 64<<10)
	b.SetBytes(int64(len(body)))
	for i := 0; b.Loop(); i++ {
		if _, err := e.svc.PutObject(context.Background(), "bkt", fmt.Sprint("k", i%100), bytes.NewReader(body), s3.ObjectMeta{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGetObject(b *testing.B) {
	e := newEnv(b)
	e.bucket(b, "bkt")
	e.put(b, "bkt", "k", strings.Repeat("x", 64<<10))
	b.SetBytes(64 << 10)
	for b.Loop() {
		rc, _, err := e.svc.GetObject(context.Background(), "bkt", "k", nil)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, rc)
		rc.Close()
	}
}
