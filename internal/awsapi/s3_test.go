package awsapi_test

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	s3sdk "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

func s3Client(e *env, pathStyle bool, keys ...string) *s3sdk.Client {
	return s3sdk.NewFromConfig(e.cfg(keys...), func(o *s3sdk.Options) { o.UsePathStyle = pathStyle })
}

func TestS3BucketsAndObjects(t *testing.T) {
	e := newEnv(t)
	c := s3Client(e, true)
	cx := ctx(t)
	if _, err := c.CreateBucket(cx, &s3sdk.CreateBucketInput{Bucket: aws.String("my-bucket")}); err != nil {
		t.Fatalf("CreateBucket: %v", err)
	}
	if _, err := c.HeadBucket(cx, &s3sdk.HeadBucketInput{Bucket: aws.String("my-bucket")}); err != nil {
		t.Fatalf("HeadBucket: %v", err)
	}
	lb, err := c.ListBuckets(cx, &s3sdk.ListBucketsInput{})
	if err != nil || len(lb.Buckets) != 1 || aws.ToString(lb.Buckets[0].Name) != "my-bucket" {
		t.Fatalf("ListBuckets = %+v, %v; want my-bucket", lb, err)
	}
	body := strings.Repeat("hello world ", 1000)
	put, err := c.PutObject(cx, &s3sdk.PutObjectInput{Bucket: aws.String("my-bucket"), Key: aws.String("dir/a b+c.txt"),
		Body: strings.NewReader(body), ContentType: aws.String("text/plain"), Metadata: map[string]string{"color": "blue"}})
	if err != nil {
		t.Fatalf("PutObject: %v", err)
	}
	if aws.ToString(put.ETag) == "" {
		t.Errorf("PutObject ETag empty")
	}
	get, err := c.GetObject(cx, &s3sdk.GetObjectInput{Bucket: aws.String("my-bucket"), Key: aws.String("dir/a b+c.txt")})
	if err != nil {
		t.Fatalf("GetObject: %v", err)
	}
	got, _ := io.ReadAll(get.Body)
	get.Body.Close()
	if string(got) != body || aws.ToString(get.ContentType) != "text/plain" || get.Metadata["color"] != "blue" {
		t.Errorf("GetObject = %d bytes, %q, %v; want the object back", len(got), aws.ToString(get.ContentType), get.Metadata)
	}
	rng, err := c.GetObject(cx, &s3sdk.GetObjectInput{Bucket: aws.String("my-bucket"), Key: aws.String("dir/a b+c.txt"), Range: aws.String("bytes=6-10")})
	if err != nil {
		t.Fatalf("GetObject range: %v", err)
	}
	got, _ = io.ReadAll(rng.Body)
	rng.Body.Close()
	if string(got) != "world" || aws.ToString(rng.ContentRange) != "bytes 6-10/12000" {
		t.Errorf("GetObject(Range 6-10) = %q %q, want world bytes 6-10/12000", got, aws.ToString(rng.ContentRange))
	}
	head, err := c.HeadObject(cx, &s3sdk.HeadObjectInput{Bucket: aws.String("my-bucket"), Key: aws.String("dir/a b+c.txt")})
	if err != nil || aws.ToInt64(head.ContentLength) != int64(len(body)) {
		t.Fatalf("HeadObject = %v, %v; want length %d", head, err, len(body))
	}
	if _, err := c.CopyObject(cx, &s3sdk.CopyObjectInput{Bucket: aws.String("my-bucket"), Key: aws.String("copy.txt"),
		CopySource: aws.String("my-bucket/dir/a b+c.txt")}); err != nil {
		t.Fatalf("CopyObject: %v", err)
	}
	for _, k := range []string{"dir/x/1", "dir/x/2", "dir/y", "top"} {
		if _, err := c.PutObject(cx, &s3sdk.PutObjectInput{Bucket: aws.String("my-bucket"), Key: aws.String(k), Body: strings.NewReader(k)}); err != nil {
			t.Fatalf("PutObject %s: %v", k, err)
		}
	}
	l, err := c.ListObjectsV2(cx, &s3sdk.ListObjectsV2Input{Bucket: aws.String("my-bucket"), Prefix: aws.String("dir/"), Delimiter: aws.String("/")})
	if err != nil {
		t.Fatalf("ListObjectsV2: %v", err)
	}
	var keys, prefixes []string
	for _, o := range l.Contents {
		keys = append(keys, aws.ToString(o.Key))
	}
	for _, p := range l.CommonPrefixes {
		prefixes = append(prefixes, aws.ToString(p.Prefix))
	}
	if strings.Join(keys, ",") != "dir/a b+c.txt,dir/y" || strings.Join(prefixes, ",") != "dir/x/" {
		t.Errorf("ListObjectsV2(dir/, /) = %v %v, want [dir/a b+c.txt dir/y] [dir/x/]", keys, prefixes)
	}
	// Pagination, one key a page.
	p := s3sdk.NewListObjectsV2Paginator(c, &s3sdk.ListObjectsV2Input{Bucket: aws.String("my-bucket"), MaxKeys: aws.Int32(1)})
	n := 0
	for p.HasMorePages() {
		pg, err := p.NextPage(cx)
		if err != nil {
			t.Fatalf("ListObjectsV2 page: %v", err)
		}
		n += len(pg.Contents)
	}
	if n != 6 {
		t.Errorf("paginated ListObjectsV2 found %d keys, want 6", n)
	}
	del, err := c.DeleteObjects(cx, &s3sdk.DeleteObjectsInput{Bucket: aws.String("my-bucket"), Delete: &types.Delete{
		Objects: []types.ObjectIdentifier{{Key: aws.String("dir/x/1")}, {Key: aws.String("dir/x/2")}}}})
	if err != nil || len(del.Deleted) != 2 {
		t.Fatalf("DeleteObjects = %+v, %v; want 2 deleted", del, err)
	}
	if _, err := c.DeleteObject(cx, &s3sdk.DeleteObjectInput{Bucket: aws.String("my-bucket"), Key: aws.String("top")}); err != nil {
		t.Fatalf("DeleteObject: %v", err)
	}
	_, err = c.GetObject(cx, &s3sdk.GetObjectInput{Bucket: aws.String("my-bucket"), Key: aws.String("top")})
	var nsk *types.NoSuchKey
	if !errors.As(err, &nsk) {
		t.Errorf("GetObject(deleted) = %v, want NoSuchKey", err)
	}
	_, err = c.DeleteBucket(cx, &s3sdk.DeleteBucketInput{Bucket: aws.String("my-bucket")})
	if code, _, status := apiErr(err); code != "BucketNotEmpty" || status != 409 {
		t.Errorf("DeleteBucket(non-empty) = %s %d, want BucketNotEmpty 409", code, status)
	}
	_, err = c.GetObject(cx, &s3sdk.GetObjectInput{Bucket: aws.String("nope"), Key: aws.String("k")})
	if code, _, status := apiErr(err); code != "NoSuchBucket" || status != 404 {
		t.Errorf("GetObject(no bucket) = %s %d, want NoSuchBucket 404", code, status)
	}
}

func TestS3VirtualHostedAndMultipart(t *testing.T) {
	e := newEnv(t)
	cx := ctx(t)
	pc := s3Client(e, true)
	if _, err := pc.CreateBucket(cx, &s3sdk.CreateBucketInput{Bucket: aws.String("vbucket")}); err != nil {
		t.Fatal(err)
	}
	// Virtual-hosted: the SDK puts the bucket in the host; the test's
	// transport sends it to loopback with that Host header.
	vc := s3sdk.NewFromConfig(e.cfg(), func(o *s3sdk.Options) {
		o.BaseEndpoint = aws.String(strings.Replace(e.URL, "127.0.0.1", "s3.localhost", 1))
		o.HTTPClient = loopbackClient(e.URL)
	})
	if _, err := vc.PutObject(cx, &s3sdk.PutObjectInput{Bucket: aws.String("vbucket"), Key: aws.String("k"), Body: strings.NewReader("v")}); err != nil {
		t.Fatalf("virtual-hosted PutObject: %v", err)
	}
	obj, err := pc.GetObject(cx, &s3sdk.GetObjectInput{Bucket: aws.String("vbucket"), Key: aws.String("k")})
	if err != nil {
		t.Fatalf("GetObject after virtual-hosted put: %v", err)
	}
	obj.Body.Close()

	mp, err := pc.CreateMultipartUpload(cx, &s3sdk.CreateMultipartUploadInput{Bucket: aws.String("vbucket"), Key: aws.String("big")})
	if err != nil {
		t.Fatalf("CreateMultipartUpload: %v", err)
	}
	part1 := bytes.Repeat([]byte("a"), 5<<20)
	var parts []types.CompletedPart
	for i, b := range [][]byte{part1, []byte("tail")} {
		up, err := pc.UploadPart(cx, &s3sdk.UploadPartInput{Bucket: aws.String("vbucket"), Key: aws.String("big"), UploadId: mp.UploadId,
			PartNumber: aws.Int32(int32(i + 1)), Body: bytes.NewReader(b)})
		if err != nil {
			t.Fatalf("UploadPart %d: %v", i+1, err)
		}
		parts = append(parts, types.CompletedPart{ETag: up.ETag, PartNumber: aws.Int32(int32(i + 1))})
	}
	lp, err := pc.ListParts(cx, &s3sdk.ListPartsInput{Bucket: aws.String("vbucket"), Key: aws.String("big"), UploadId: mp.UploadId})
	if err != nil || len(lp.Parts) != 2 {
		t.Fatalf("ListParts = %v, %v; want 2 parts", lp, err)
	}
	done, err := pc.CompleteMultipartUpload(cx, &s3sdk.CompleteMultipartUploadInput{Bucket: aws.String("vbucket"), Key: aws.String("big"),
		UploadId: mp.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}})
	if err != nil || !strings.HasSuffix(aws.ToString(done.ETag), `-2"`) {
		t.Fatalf("CompleteMultipartUpload = %v, %v; want an ETag ending -2", done, err)
	}
	head, err := pc.HeadObject(cx, &s3sdk.HeadObjectInput{Bucket: aws.String("vbucket"), Key: aws.String("big")})
	if err != nil || aws.ToInt64(head.ContentLength) != int64(len(part1)+4) {
		t.Fatalf("HeadObject(big) = %v, %v", head, err)
	}
	mp2, err := pc.CreateMultipartUpload(cx, &s3sdk.CreateMultipartUploadInput{Bucket: aws.String("vbucket"), Key: aws.String("gone")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pc.AbortMultipartUpload(cx, &s3sdk.AbortMultipartUploadInput{Bucket: aws.String("vbucket"), Key: aws.String("gone"), UploadId: mp2.UploadId}); err != nil {
		t.Fatalf("AbortMultipartUpload: %v", err)
	}
}
