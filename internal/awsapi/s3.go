package awsapi

import (
	"bytes"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/cloudlet-dev/cloudlet/internal/awserr"
	"github.com/cloudlet-dev/cloudlet/internal/s3"
)

// xmlnsS3 is the namespace of S3's XML documents.
const xmlnsS3 = "http://s3.amazonaws.com/doc/2006-03-01/"

// maxS3XMLBody bounds the XML documents S3 requests carry (a
// DeleteObjects of 1,000 keys of 1,024 bytes fits).
const maxS3XMLBody = 2 << 20

// bucketSubresources are query keys that name a bucket operation cloudlet
// has no answer for; a request carrying one gets 501 rather than being
// mistaken for a listing.
var bucketSubresources = []string{"accelerate", "acl", "analytics", "cors", "encryption", "intelligent-tiering",
	"inventory", "lifecycle", "logging", "metrics", "notification", "object-lock", "ownershipControls", "policy",
	"policyStatus", "publicAccessBlock", "replication", "requestPayment", "tagging", "website", "versions"}

// serveS3 routes S3's REST-XML: path-style (/bucket/key) and
// virtual-hosted (bucket.s3.localhost/key, bucket.s3.amazonaws.com/key).
func (h *Handler) serveS3(c *call) error {
	r := c.r
	c.bucket, c.key = s3Target(r)
	if h.cfg.S3 == nil {
		return serviceMissing(c, r.Method+" "+r.URL.Path)
	}
	q := r.URL.Query()
	if c.bucket == "" {
		if r.Method == http.MethodGet {
			c.op = "ListBuckets"
			return h.s3ListBuckets(c)
		}
		return notImplemented(c, r.Method+" /")
	}
	if c.key == "" {
		return h.serveS3Bucket(c, q)
	}
	return h.serveS3Object(c, q)
}

// s3Target returns the bucket and key a request names.
func s3Target(r *http.Request) (bucket, key string) {
	host := r.Host
	if h, _, ok := strings.Cut(host, ":"); ok && !strings.HasPrefix(host, "[") {
		host = h
	}
	path := r.URL.Path
	if host != "" {
		// A virtual-hosted URL parses with the path as its key; a
		// path-style one names no bucket in its host and fails.
		if b, _, err := s3.ParseURL("http://" + host + "/k"); err == nil && b != "" {
			return b, strings.TrimPrefix(path, "/")
		}
	}
	rest := strings.TrimPrefix(path, "/")
	bucket, key, _ = strings.Cut(rest, "/")
	return bucket, key
}

func (h *Handler) serveS3Bucket(c *call, q url.Values) error {
	r := c.r
	for _, sub := range bucketSubresources {
		if q.Has(sub) {
			return notImplemented(c, r.Method+" bucket?"+sub)
		}
	}
	switch r.Method {
	case http.MethodPut:
		c.op = "CreateBucket"
		return h.s3CreateBucket(c)
	case http.MethodHead:
		c.op = "HeadBucket"
		if err := h.authorize(c, "s3:ListBucket", s3ARN(c.bucket, "")); err != nil {
			return err
		}
		b, err := h.cfg.S3.HeadBucket(c.ctx(), c.bucket)
		if err != nil {
			return err
		}
		c.w.Header().Set("x-amz-bucket-region", b.BucketRegion)
		c.w.WriteHeader(http.StatusOK)
		return nil
	case http.MethodDelete:
		c.op = "DeleteBucket"
		if err := h.authorize(c, "s3:DeleteBucket", s3ARN(c.bucket, "")); err != nil {
			return err
		}
		if err := h.cfg.S3.DeleteBucket(c.ctx(), c.bucket); err != nil {
			return err
		}
		c.w.WriteHeader(http.StatusNoContent)
		return nil
	case http.MethodPost:
		if q.Has("delete") {
			c.op = "DeleteObjects"
			return h.s3DeleteObjects(c)
		}
	case http.MethodGet:
		switch {
		case q.Has("location"):
			c.op = "GetBucketLocation"
			if err := h.authorize(c, "s3:GetBucketLocation", s3ARN(c.bucket, "")); err != nil {
				return err
			}
			b, err := h.cfg.S3.HeadBucket(c.ctx(), c.bucket)
			if err != nil {
				return err
			}
			loc := b.BucketRegion
			if loc == "us-east-1" {
				loc = "" // S3's legacy answer for us-east-1 is an empty constraint
			}
			writeS3XML(c, http.StatusOK, struct {
				XMLName xml.Name `xml:"LocationConstraint"`
				Xmlns   string   `xml:"xmlns,attr"`
				Value   string   `xml:",chardata"`
			}{Xmlns: xmlnsS3, Value: loc})
			return nil
		case q.Has("versioning"):
			c.op = "GetBucketVersioning"
			if _, err := h.cfg.S3.HeadBucket(c.ctx(), c.bucket); err != nil {
				return err
			}
			writeS3XML(c, http.StatusOK, struct {
				XMLName xml.Name `xml:"VersioningConfiguration"`
				Xmlns   string   `xml:"xmlns,attr"`
			}{Xmlns: xmlnsS3})
			return nil
		case q.Has("uploads"):
			return notImplemented(c, "ListMultipartUploads")
		case q.Get("list-type") == "2":
			c.op = "ListObjectsV2"
			return h.s3List(c, q, true)
		default:
			c.op = "ListObjects"
			return h.s3List(c, q, false)
		}
	}
	return notImplemented(c, r.Method+" bucket")
}

func s3ARN(bucket, key string) string {
	if key == "" {
		return "arn:aws:s3:::" + bucket
	}
	return "arn:aws:s3:::" + bucket + "/" + key
}

func (h *Handler) s3ListBuckets(c *call) error {
	if err := h.authorize(c, "s3:ListAllMyBuckets", "*"); err != nil {
		return err
	}
	bs, err := h.cfg.S3.ListBuckets(c.ctx())
	if err != nil {
		return err
	}
	type bucket struct {
		Name         string `xml:"Name"`
		CreationDate s3Time `xml:"CreationDate"`
		BucketRegion string `xml:"BucketRegion"`
	}
	out := struct {
		XMLName xml.Name `xml:"ListAllMyBucketsResult"`
		Xmlns   string   `xml:"xmlns,attr"`
		Owner   s3Owner  `xml:"Owner"`
		Buckets []bucket `xml:"Buckets>Bucket"`
	}{Xmlns: xmlnsS3, Owner: h.s3Owner()}
	for _, b := range bs {
		out.Buckets = append(out.Buckets, bucket{Name: b.Name, CreationDate: s3Time{b.CreationDate}, BucketRegion: b.BucketRegion})
	}
	writeS3XML(c, http.StatusOK, out)
	return nil
}

type s3Owner struct {
	ID          string `xml:"ID"`
	DisplayName string `xml:"DisplayName"`
}

func (h *Handler) s3Owner() s3Owner {
	return s3Owner{ID: "75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a", DisplayName: "cloudlet"}
}

func (h *Handler) s3CreateBucket(c *call) error {
	if err := h.authorize(c, "s3:CreateBucket", s3ARN(c.bucket, "")); err != nil {
		return err
	}
	raw, err := io.ReadAll(io.LimitReader(c.r.Body, maxS3XMLBody))
	if err != nil {
		return err
	}
	var conf struct {
		LocationConstraint string `xml:"LocationConstraint"`
	}
	if len(bytes.TrimSpace(raw)) > 0 {
		if err := xml.Unmarshal(raw, &conf); err != nil {
			return awserr.WithStatus(http.StatusBadRequest, s3.CodeMalformedXML, "The XML you provided was not well-formed or did not validate against our published schema")
		}
	}
	if err := h.cfg.S3.CreateBucket(c.ctx(), c.bucket, conf.LocationConstraint); err != nil {
		return err
	}
	c.w.Header().Set("Location", "/"+c.bucket)
	c.w.WriteHeader(http.StatusOK)
	return nil
}

// s3List serves ListObjectsV2 and, through it, the older ListObjects.
func (h *Handler) s3List(c *call, q url.Values, v2 bool) error {
	if err := h.authorize(c, "s3:ListBucket", s3ARN(c.bucket, "")); err != nil {
		return err
	}
	in := s3.ListInput{Bucket: c.bucket, Prefix: q.Get("prefix"), Delimiter: q.Get("delimiter"),
		StartAfter: q.Get("start-after"), ContinuationToken: q.Get("continuation-token")}
	if !v2 {
		in.StartAfter = q.Get("marker")
	}
	if mk := q.Get("max-keys"); mk != "" {
		n, err := strconv.Atoi(mk)
		if err != nil {
			return awserr.WithStatus(http.StatusBadRequest, s3.CodeInvalidArgument, "Provided max-keys not an integer or within integer range")
		}
		in.MaxKeys = &n
	}
	out, err := h.cfg.S3.ListObjectsV2(c.ctx(), in)
	if err != nil {
		return err
	}
	enc := func(s string) string { return s }
	urlEncoding := q.Get("encoding-type") == "url"
	if urlEncoding {
		enc = s3URLEncode
	}
	type content struct {
		Key          string `xml:"Key"`
		LastModified s3Time `xml:"LastModified"`
		ETag         string `xml:"ETag"`
		Size         int64  `xml:"Size"`
		StorageClass string `xml:"StorageClass"`
	}
	type prefix struct {
		Prefix string `xml:"Prefix"`
	}
	res := struct {
		XMLName               xml.Name  `xml:"ListBucketResult"`
		Xmlns                 string    `xml:"xmlns,attr"`
		Name                  string    `xml:"Name"`
		Prefix                string    `xml:"Prefix"`
		Marker                *string   `xml:"Marker"`
		NextMarker            string    `xml:"NextMarker,omitempty"`
		StartAfter            string    `xml:"StartAfter,omitempty"`
		ContinuationToken     string    `xml:"ContinuationToken,omitempty"`
		NextContinuationToken string    `xml:"NextContinuationToken,omitempty"`
		KeyCount              *int      `xml:"KeyCount"`
		MaxKeys               int       `xml:"MaxKeys"`
		Delimiter             string    `xml:"Delimiter,omitempty"`
		EncodingType          string    `xml:"EncodingType,omitempty"`
		IsTruncated           bool      `xml:"IsTruncated"`
		Contents              []content `xml:"Contents"`
		CommonPrefixes        []prefix  `xml:"CommonPrefixes"`
	}{Xmlns: xmlnsS3, Name: out.Name, Prefix: enc(out.Prefix), MaxKeys: out.MaxKeys, Delimiter: enc(out.Delimiter),
		IsTruncated: out.IsTruncated}
	if urlEncoding {
		res.EncodingType = "url"
	}
	for _, o := range out.Contents {
		sc := o.StorageClass
		if sc == "" {
			sc = "STANDARD"
		}
		res.Contents = append(res.Contents, content{Key: enc(o.Key), LastModified: s3Time{o.LastModified}, ETag: o.ETag, Size: o.Size, StorageClass: sc})
	}
	for _, p := range out.CommonPrefixes {
		res.CommonPrefixes = append(res.CommonPrefixes, prefix{enc(p)})
	}
	if v2 {
		kc := out.KeyCount
		res.KeyCount = &kc
		res.StartAfter, res.ContinuationToken, res.NextContinuationToken = enc(out.StartAfter), out.ContinuationToken, out.NextContinuationToken
	} else {
		m := enc(q.Get("marker"))
		res.Marker = &m
		if out.IsTruncated && in.Delimiter != "" {
			// ListObjects (v1) gives NextMarker only with a delimiter; the
			// last key or prefix listed, whichever sorts later.
			last := ""
			if n := len(out.Contents); n > 0 {
				last = out.Contents[n-1].Key
			}
			if n := len(out.CommonPrefixes); n > 0 && out.CommonPrefixes[n-1] > last {
				last = out.CommonPrefixes[n-1]
			}
			res.NextMarker = enc(last)
		}
	}
	writeS3XML(c, http.StatusOK, res)
	return nil
}

// s3URLEncode is S3's encoding-type=url: everything but unreserved
// characters and '/' percent-encoded.
func s3URLEncode(s string) string {
	const hexdig = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if 'A' <= ch && ch <= 'Z' || 'a' <= ch && ch <= 'z' || '0' <= ch && ch <= '9' || strings.IndexByte("-_.~/", ch) >= 0 {
			b.WriteByte(ch)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexdig[ch>>4])
		b.WriteByte(hexdig[ch&15])
	}
	return b.String()
}

func (h *Handler) s3DeleteObjects(c *call) error {
	raw, err := io.ReadAll(io.LimitReader(c.r.Body, maxS3XMLBody))
	if err != nil {
		return err
	}
	var req struct {
		Quiet   bool `xml:"Quiet"`
		Objects []struct {
			Key string `xml:"Key"`
		} `xml:"Object"`
	}
	if err := xml.Unmarshal(raw, &req); err != nil {
		return awserr.WithStatus(http.StatusBadRequest, s3.CodeMalformedXML, "The XML you provided was not well-formed or did not validate against our published schema")
	}
	keys := make([]string, len(req.Objects))
	for i, o := range req.Objects {
		keys[i] = o.Key
		if err := h.authorize(c, "s3:DeleteObject", s3ARN(c.bucket, o.Key)); err != nil {
			return err
		}
	}
	out, err := h.cfg.S3.DeleteObjects(c.ctx(), c.bucket, keys)
	if err != nil {
		return err
	}
	type deleted struct {
		Key string `xml:"Key"`
	}
	type failed struct {
		Key     string `xml:"Key"`
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	}
	res := struct {
		XMLName xml.Name  `xml:"DeleteResult"`
		Xmlns   string    `xml:"xmlns,attr"`
		Deleted []deleted `xml:"Deleted"`
		Errors  []failed  `xml:"Error"`
	}{Xmlns: xmlnsS3}
	if !req.Quiet {
		for _, d := range out.Deleted {
			res.Deleted = append(res.Deleted, deleted{d.Key})
		}
	}
	for _, e := range out.Errors {
		res.Errors = append(res.Errors, failed{e.Key, e.Code, e.Message})
	}
	writeS3XML(c, http.StatusOK, res)
	return nil
}

// writeS3XML writes an S3 XML document.
func writeS3XML(c *call, status int, v any) {
	raw, err := xml.Marshal(v)
	if err != nil {
		writeS3Error(c, http.StatusInternalServerError, awserr.WithStatus(500, "InternalError", "We encountered an internal error. Please try again."))
		return
	}
	body := append([]byte(xml.Header), raw...)
	c.w.Header().Set("Content-Type", "application/xml")
	c.w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	c.w.WriteHeader(status)
	_, _ = c.w.Write(body)
}

// writeS3Error writes S3's <Error> document; a HEAD answer has no body.
func writeS3Error(c *call, status int, e *awserr.Error) {
	if c.r.Method == http.MethodHead {
		c.w.WriteHeader(status)
		return
	}
	var b bytes.Buffer
	b.WriteString(xml.Header)
	b.WriteString("<Error><Code>")
	_ = xml.EscapeText(&b, []byte(e.Code))
	b.WriteString("</Code><Message>")
	_ = xml.EscapeText(&b, []byte(e.Message))
	b.WriteString("</Message>")
	keys := make([]string, 0, len(e.Fields))
	for k := range e.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		b.WriteString("<" + k + ">")
		_ = xml.EscapeText(&b, []byte(e.Fields[k]))
		b.WriteString("</" + k + ">")
	}
	if c.bucket != "" && e.Fields["BucketName"] == "" && e.Code == s3.CodeNoSuchBucket {
		b.WriteString("<BucketName>")
		_ = xml.EscapeText(&b, []byte(c.bucket))
		b.WriteString("</BucketName>")
	}
	b.WriteString("<RequestId>" + c.requestID + "</RequestId><HostId>" + c.requestID + "</HostId></Error>")
	c.w.Header().Set("Content-Type", "application/xml")
	c.w.Header().Set("Content-Length", strconv.Itoa(b.Len()))
	c.w.WriteHeader(status)
	_, _ = c.w.Write(b.Bytes())
}
