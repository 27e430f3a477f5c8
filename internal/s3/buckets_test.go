package s3_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/s3"
	"github.com/cloudlet-dev/cloudlet/internal/store"
	"github.com/google/go-cmp/cmp"
)

func TestBuckets(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if err := e.svc.CreateBucket(ctx, "zeta", ""); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.CreateBucket(ctx, "alpha", "ap-northeast-1"); err != nil {
		t.Fatal(err)
	}
	list, err := e.svc.ListBuckets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	created := t0.Truncate(time.Millisecond)
	want := []s3.Bucket{{Name: "alpha", CreationDate: created, BucketRegion: "ap-northeast-1"}, {Name: "zeta", CreationDate: created, BucketRegion: "us-east-1"}}
	if diff := cmp.Diff(want, list); diff != "" {
		t.Errorf("ListBuckets (-want +got):\n%s", diff)
	}
	if b, err := e.svc.HeadBucket(ctx, "alpha"); err != nil || b.BucketRegion != "ap-northeast-1" {
		t.Errorf("HeadBucket(alpha) = %+v, %v", b, err)
	}

	// S3's legacy us-east-1 answer: creating a bucket you own succeeds
	// there and fails elsewhere.
	if err := e.svc.CreateBucket(ctx, "zeta", ""); err != nil {
		t.Errorf("CreateBucket(zeta) again in us-east-1 = %v, want success", err)
	}
	wantErr(t, "CreateBucket(alpha) again", e.svc.CreateBucket(ctx, "alpha", "ap-northeast-1"), "BucketAlreadyOwnedByYou", 409)
	wantErr(t, "CreateBucket(Bad_Name)", e.svc.CreateBucket(ctx, "Bad_Name", ""), "InvalidBucketName", 400)
	_, err = e.svc.HeadBucket(ctx, "nope")
	wantErr(t, "HeadBucket(nope)", err, "NoSuchBucket", 404)
	wantErr(t, "DeleteBucket(nope)", e.svc.DeleteBucket(ctx, "nope"), "NoSuchBucket", 404)

	e.put(t, "alpha", "k", "v")
	wantErr(t, "DeleteBucket(not empty)", e.svc.DeleteBucket(ctx, "alpha"), "BucketNotEmpty", 409)
	// An unfinished upload does not keep a bucket alive.
	up, err := e.svc.CreateMultipartUpload(ctx, "alpha", "big", s3.ObjectMeta{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.UploadPart(ctx, "alpha", "big", up, 1, strings.NewReader("part")); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.DeleteObject(ctx, "alpha", "k"); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.DeleteBucket(ctx, "alpha"); err != nil {
		t.Fatal(err)
	}
	if files := e.bodyFiles(t); len(files) != 0 {
		t.Errorf("files left after deleting the bucket: %v", files)
	}
	list, _ = e.svc.ListBuckets(ctx)
	if len(list) != 1 || list[0].Name != "zeta" {
		t.Errorf("ListBuckets after delete = %+v, want only zeta", list)
	}
}

func TestObjectsSurviveRestart(t *testing.T) {
	root := t.TempDir()
	ctx := context.Background()
	open := func() (*s3.Service, *store.DB) {
		db, err := store.Open(root)
		if err != nil {
			t.Fatal(err)
		}
		svc, err := s3.New(s3.Config{Dir: filepath.Join(root, "s3"), DB: db})
		if err != nil {
			t.Fatal(err)
		}
		return svc, db
	}
	svc, db := open()
	if err := svc.CreateBucket(ctx, "bkt", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.PutObject(ctx, "bkt", "t.yaml", strings.NewReader("Resources: {}\n"), s3.ObjectMeta{}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	svc, db = open()
	defer db.Close()
	rc, info, err := svc.GetObject(ctx, "bkt", "t.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	rc.Close()
	if info.Size != int64(len("Resources: {}\n")) {
		t.Errorf("after restart size = %d", info.Size)
	}
}
