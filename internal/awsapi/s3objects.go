package awsapi

import (
	"encoding/xml"

	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/awserr"
	"github.com/cloudlet-dev/cloudlet/internal/s3"
)

// s3Time renders S3's XML timestamps: 2009-10-12T17:50:30.000Z.
type s3Time struct{ time.Time }

func (t s3Time) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	return e.EncodeElement(t.UTC().Format("2006-01-02T15:04:05.000Z"), start)
}

func (h *Handler) serveS3Object(c *call, q url.Values) error {
	r := c.r
	switch r.Method {
	case http.MethodPut:
		switch {
		case q.Has("uploadId") && q.Has("partNumber"):
			if r.Header.Get("X-Amz-Copy-Source") != "" {
				return notImplemented(c, "UploadPartCopy")
			}
			c.op = "UploadPart"
			return h.s3UploadPart(c, q)
		case r.Header.Get("X-Amz-Copy-Source") != "":
			c.op = "CopyObject"
			return h.s3CopyObject(c)
		case len(q) > 0 && (q.Has("tagging") || q.Has("acl") || q.Has("retention") || q.Has("legal-hold")):
			return notImplemented(c, "PUT object?"+firstKey(q))
		}
		c.op = "PutObject"
		return h.s3PutObject(c)
	case http.MethodGet, http.MethodHead:
		if q.Has("uploadId") {
			c.op = "ListParts"
			return h.s3ListParts(c, q)
		}
		if q.Has("tagging") || q.Has("acl") || q.Has("attributes") {
			return notImplemented(c, "GET object?"+firstKey(q))
		}
		c.op = "GetObject"
		if r.Method == http.MethodHead {
			c.op = "HeadObject"
		}
		return h.s3GetObject(c)
	case http.MethodDelete:
		if q.Has("uploadId") {
			c.op = "AbortMultipartUpload"
			if err := h.authorize(c, "s3:AbortMultipartUpload", s3ARN(c.bucket, c.key)); err != nil {
				return err
			}
			if err := h.cfg.S3.AbortMultipartUpload(c.ctx(), c.bucket, c.key, q.Get("uploadId")); err != nil {
				return err
			}
			c.w.WriteHeader(http.StatusNoContent)
			return nil
		}
		c.op = "DeleteObject"
		if err := h.authorize(c, "s3:DeleteObject", s3ARN(c.bucket, c.key)); err != nil {
			return err
		}
		if err := h.cfg.S3.DeleteObject(c.ctx(), c.bucket, c.key); err != nil {
			return err
		}
		c.w.WriteHeader(http.StatusNoContent)
		return nil
	case http.MethodPost:
		switch {
		case q.Has("uploads"):
			c.op = "CreateMultipartUpload"
			return h.s3CreateMultipart(c)
		case q.Has("uploadId"):
			c.op = "CompleteMultipartUpload"
			return h.s3CompleteMultipart(c, q)
		}
	}
	return notImplemented(c, r.Method+" object")
}

func firstKey(q url.Values) string {
	for k := range q {
		return k
	}
	return ""
}

// objectMeta reads what a writer says about an object from its headers.
func objectMeta(r *http.Request) s3.ObjectMeta {
	m := s3.ObjectMeta{
		ContentType:        r.Header.Get("Content-Type"),
		ContentDisposition: r.Header.Get("Content-Disposition"),
		ContentLanguage:    r.Header.Get("Content-Language"),
		CacheControl:       r.Header.Get("Cache-Control"),
		Expires:            r.Header.Get("Expires"),
		ContentMD5:         r.Header.Get("Content-MD5"),
	}
	// aws-chunked is the transfer framing, not the object's encoding.
	var enc []string
	for _, e := range strings.Split(r.Header.Get("Content-Encoding"), ",") {
		if e = strings.TrimSpace(e); e != "" && !strings.EqualFold(e, "aws-chunked") {
			enc = append(enc, e)
		}
	}
	m.ContentEncoding = strings.Join(enc, ",")
	for k, v := range r.Header {
		if name, ok := strings.CutPrefix(strings.ToLower(k), "x-amz-meta-"); ok && len(v) > 0 {
			if m.Metadata == nil {
				m.Metadata = map[string]string{}
			}
			m.Metadata[name] = strings.Join(v, ",")
		}
	}
	return m
}

func (h *Handler) s3PutObject(c *call) error {
	if err := h.authorize(c, "s3:PutObject", s3ARN(c.bucket, c.key)); err != nil {
		return err
	}
	info, err := h.cfg.S3.PutObject(c.ctx(), c.bucket, c.key, c.r.Body, objectMeta(c.r))
	if err != nil {
		return err
	}
	c.w.Header().Set("ETag", info.ETag)
	c.w.WriteHeader(http.StatusOK)
	return nil
}

func (h *Handler) s3GetObject(c *call) error {
	if err := h.authorize(c, "s3:GetObject", s3ARN(c.bucket, c.key)); err != nil {
		return err
	}
	var rng *s3.ByteRange
	if rh := c.r.Header.Get("Range"); rh != "" {
		rng, _ = s3.ParseRange(rh)
	}
	if c.r.Method == http.MethodHead && rng == nil {
		info, err := h.cfg.S3.HeadObject(c.ctx(), c.bucket, c.key)
		if err != nil {
			return err
		}
		if writeObjectHeaders(c, info) {
			c.w.WriteHeader(http.StatusOK)
		}
		return nil
	}
	body, info, err := h.cfg.S3.GetObject(c.ctx(), c.bucket, c.key, rng)
	if err != nil {
		return err
	}
	defer body.Close()
	if !writeObjectHeaders(c, info) {
		return nil
	}
	status := http.StatusOK
	if info.ContentRange != "" {
		c.w.Header().Set("Content-Range", info.ContentRange)
		status = http.StatusPartialContent
	}
	c.w.WriteHeader(status)
	if c.r.Method == http.MethodHead {
		return nil
	}
	// Once the status is sent a copy error (the client went away) has no
	// one left to tell.
	_, _ = io.Copy(c.w, body)
	return nil
}

// writeObjectHeaders sets an object's headers and answers the
// conditional headers; it reports false when it already wrote 304 or 412.
func writeObjectHeaders(c *call, info *s3.ObjectInfo) bool {
	hd := c.w.Header()
	if inm := c.r.Header.Get("If-None-Match"); inm != "" && etagMatch(inm, info.ETag) {
		hd.Set("ETag", info.ETag)
		c.w.WriteHeader(http.StatusNotModified)
		return false
	}
	if im := c.r.Header.Get("If-Match"); im != "" && !etagMatch(im, info.ETag) {
		writeS3Error(c, http.StatusPreconditionFailed, awserr.WithStatus(http.StatusPreconditionFailed, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold"))
		return false
	}
	hd.Set("Content-Type", info.ContentType)
	hd.Set("Content-Length", strconv.FormatInt(info.ContentLength, 10))
	hd.Set("ETag", info.ETag)
	hd.Set("Last-Modified", info.LastModified.UTC().Format(http.TimeFormat))
	hd.Set("Accept-Ranges", "bytes")
	for k, v := range map[string]string{"Content-Encoding": info.ContentEncoding, "Content-Disposition": info.ContentDisposition,
		"Content-Language": info.ContentLanguage, "Cache-Control": info.CacheControl, "Expires": info.Expires} {
		if v != "" {
			hd.Set(k, v)
		}
	}
	for k, v := range info.Metadata {
		hd["x-amz-meta-"+k] = []string{v}
	}
	if info.PartsCount > 0 && c.r.URL.Query().Has("partNumber") {
		hd.Set("x-amz-mp-parts-count", strconv.Itoa(info.PartsCount))
	}
	return true
}

func etagMatch(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.Trim(t, `"`) == strings.Trim(etag, `"`) {
			return true
		}
	}
	return false
}

func (h *Handler) s3CopyObject(c *call) error {
	src := c.r.Header.Get("X-Amz-Copy-Source")
	src, _, _ = strings.Cut(src, "?") // versionId: cloudlet keeps no versions
	if dec, err := url.PathUnescape(src); err == nil {
		src = dec
	}
	sb, sk, ok := strings.Cut(strings.TrimPrefix(src, "/"), "/")
	if !ok || sb == "" || sk == "" {
		return awserr.WithStatus(http.StatusBadRequest, s3.CodeInvalidArgument, "Invalid copy source object key")
	}
	if err := h.authorize(c, "s3:GetObject", s3ARN(sb, sk)); err != nil {
		return err
	}
	if err := h.authorize(c, "s3:PutObject", s3ARN(c.bucket, c.key)); err != nil {
		return err
	}
	in := s3.CopyInput{SourceBucket: sb, SourceKey: sk, Bucket: c.bucket, Key: c.key,
		MetadataDirective: c.r.Header.Get("X-Amz-Metadata-Directive")}
	if strings.EqualFold(in.MetadataDirective, s3.MetadataDirectiveReplace) {
		in.Meta = objectMeta(c.r)
		in.Meta.ContentMD5 = ""
	}
	info, err := h.cfg.S3.CopyObject(c.ctx(), in)
	if err != nil {
		return err
	}
	writeS3XML(c, http.StatusOK, struct {
		XMLName      xml.Name `xml:"CopyObjectResult"`
		Xmlns        string   `xml:"xmlns,attr"`
		LastModified s3Time   `xml:"LastModified"`
		ETag         string   `xml:"ETag"`
	}{Xmlns: xmlnsS3, LastModified: s3Time{info.LastModified}, ETag: info.ETag})
	return nil
}

func (h *Handler) s3CreateMultipart(c *call) error {
	if err := h.authorize(c, "s3:PutObject", s3ARN(c.bucket, c.key)); err != nil {
		return err
	}
	id, err := h.cfg.S3.CreateMultipartUpload(c.ctx(), c.bucket, c.key, objectMeta(c.r))
	if err != nil {
		return err
	}
	writeS3XML(c, http.StatusOK, struct {
		XMLName  xml.Name `xml:"InitiateMultipartUploadResult"`
		Xmlns    string   `xml:"xmlns,attr"`
		Bucket   string   `xml:"Bucket"`
		Key      string   `xml:"Key"`
		UploadID string   `xml:"UploadId"`
	}{Xmlns: xmlnsS3, Bucket: c.bucket, Key: c.key, UploadID: id})
	return nil
}

func (h *Handler) s3UploadPart(c *call, q url.Values) error {
	if err := h.authorize(c, "s3:PutObject", s3ARN(c.bucket, c.key)); err != nil {
		return err
	}
	n, err := strconv.Atoi(q.Get("partNumber"))
	if err != nil {
		return awserr.WithStatus(http.StatusBadRequest, s3.CodeInvalidArgument, "Part number must be an integer between 1 and 10000, inclusive")
	}
	part, err := h.cfg.S3.UploadPart(c.ctx(), c.bucket, c.key, q.Get("uploadId"), n, c.r.Body)
	if err != nil {
		return err
	}
	c.w.Header().Set("ETag", part.ETag)
	c.w.WriteHeader(http.StatusOK)
	return nil
}

func (h *Handler) s3CompleteMultipart(c *call, q url.Values) error {
	if err := h.authorize(c, "s3:PutObject", s3ARN(c.bucket, c.key)); err != nil {
		return err
	}
	raw, err := io.ReadAll(io.LimitReader(c.r.Body, maxS3XMLBody))
	if err != nil {
		return err
	}
	var req struct {
		Parts []struct {
			PartNumber int    `xml:"PartNumber"`
			ETag       string `xml:"ETag"`
		} `xml:"Part"`
	}
	if err := xml.Unmarshal(raw, &req); err != nil {
		return awserr.WithStatus(http.StatusBadRequest, s3.CodeMalformedXML, "The XML you provided was not well-formed or did not validate against our published schema")
	}
	parts := make([]s3.CompletedPart, len(req.Parts))
	for i, p := range req.Parts {
		parts[i] = s3.CompletedPart{PartNumber: p.PartNumber, ETag: p.ETag}
	}
	info, err := h.cfg.S3.CompleteMultipartUpload(c.ctx(), c.bucket, c.key, q.Get("uploadId"), parts)
	if err != nil {
		return err
	}
	writeS3XML(c, http.StatusOK, struct {
		XMLName  xml.Name `xml:"CompleteMultipartUploadResult"`
		Xmlns    string   `xml:"xmlns,attr"`
		Location string   `xml:"Location"`
		Bucket   string   `xml:"Bucket"`
		Key      string   `xml:"Key"`
		ETag     string   `xml:"ETag"`
	}{Xmlns: xmlnsS3, Location: "/" + c.bucket + "/" + c.key, Bucket: c.bucket, Key: c.key, ETag: info.ETag})
	return nil
}

func (h *Handler) s3ListParts(c *call, q url.Values) error {
	if err := h.authorize(c, "s3:ListMultipartUploadParts", s3ARN(c.bucket, c.key)); err != nil {
		return err
	}
	parts, err := h.cfg.S3.ListParts(c.ctx(), c.bucket, c.key, q.Get("uploadId"))
	if err != nil {
		return err
	}
	type part struct {
		PartNumber   int    `xml:"PartNumber"`
		LastModified s3Time `xml:"LastModified"`
		ETag         string `xml:"ETag"`
		Size         int64  `xml:"Size"`
	}
	res := struct {
		XMLName     xml.Name `xml:"ListPartsResult"`
		Xmlns       string   `xml:"xmlns,attr"`
		Bucket      string   `xml:"Bucket"`
		Key         string   `xml:"Key"`
		UploadID    string   `xml:"UploadId"`
		IsTruncated bool     `xml:"IsTruncated"`
		Parts       []part   `xml:"Part"`
	}{Xmlns: xmlnsS3, Bucket: c.bucket, Key: c.key, UploadID: q.Get("uploadId")}
	for _, p := range parts {
		res.Parts = append(res.Parts, part{p.PartNumber, s3Time{p.LastModified}, p.ETag, p.Size})
	}
	writeS3XML(c, http.StatusOK, res)
	return nil
}
