package s3

import (
	"net/url"
	"strings"

	"github.com/cloudlet-dev/cloudlet/internal/awserr"
)

// ParseURL maps an object URL, such as a nested stack's TemplateURL, to a
// bucket and key (cloudformation.md §7). It accepts:
//
//   - AWS path style: https://s3.amazonaws.com/b/k,
//     https://s3.<region>.amazonaws.com/b/k, https://s3-<region>.amazonaws.com/b/k
//     (and the dualstack forms);
//   - AWS virtual-hosted style: https://b.s3.amazonaws.com/k,
//     https://b.s3.<region>.amazonaws.com/k, https://b.s3-<region>.amazonaws.com/k;
//   - local endpoints: http://localhost:4566/b/k, http://127.0.0.1:4566/b/k,
//     http://s3.localhost:4566/b/k, http://b.s3.localhost:4566/k, and the
//     same under localhost.localstack.cloud.
//
// A query (?versionId=…) is ignored. s3:// URLs fail as CloudFormation
// fails them ("S3 error: Domain name specified in <bucket> is not a valid
// S3 domain"); anything else fails with "TemplateURL must be a supported
// URL." Both are ValidationError.
func ParseURL(raw string) (bucket, key string, err error) {
	unsupported := awserr.New(awserr.CodeValidationError, "TemplateURL must be a supported URL.")
	raw = strings.TrimSpace(raw)
	if len(raw) >= 5 && strings.EqualFold(raw[:5], "s3://") {
		b, _, _ := strings.Cut(raw[5:], "/")
		return "", "", awserr.New(awserr.CodeValidationError, "S3 error: Domain name specified in %s is not a valid S3 domain", b)
	}
	u, perr := url.Parse(raw)
	if perr != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Opaque != "" {
		return "", "", unsupported
	}
	host := strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
	vhost, ok := bucketFromHost(host)
	if !ok {
		return "", "", unsupported
	}
	path := strings.TrimPrefix(u.Path, "/")
	if vhost != "" {
		bucket, key = vhost, path
	} else {
		bucket, key, _ = strings.Cut(path, "/")
	}
	if bucket == "" || key == "" {
		return "", "", unsupported
	}
	return bucket, key, nil
}

// bucketFromHost reports whether host is an S3 endpoint and, for
// virtual-hosted style, the bucket it names ("" for path style).
func bucketFromHost(host string) (string, bool) {
	switch host {
	case "localhost", "127.0.0.1", "::1", "s3.localhost", "localhost.localstack.cloud", "s3.localhost.localstack.cloud":
		return "", true
	}
	for _, local := range []string{".s3.localhost", ".s3.localhost.localstack.cloud"} {
		if b, ok := strings.CutSuffix(host, local); ok && b != "" {
			return b, true
		}
	}
	rest, ok := strings.CutSuffix(host, ".amazonaws.com")
	if !ok {
		if rest, ok = strings.CutSuffix(host, ".amazonaws.com.cn"); !ok {
			return "", false
		}
	}
	labels := strings.Split(rest, ".")
	// The endpoint is the last "s3" label followed only by a region
	// and/or "dualstack"; labels before it are the bucket (which may
	// itself contain dots, and even an "s3" label).
	for i := len(labels) - 1; i >= 0; i-- {
		if !isS3Label(labels[i]) {
			continue
		}
		tail := labels[i+1:]
		okTail := len(tail) <= 2
		for _, l := range tail {
			okTail = okTail && (l == "dualstack" || isRegion(l))
		}
		if !okTail {
			continue
		}
		return strings.Join(labels[:i], "."), true
	}
	return "", false
}

func isS3Label(l string) bool {
	if l == "s3" || l == "s3-external-1" {
		return true
	}
	r, ok := strings.CutPrefix(l, "s3-")
	return ok && isRegion(r)
}

// isRegion matches AWS region names: us-east-1, ap-northeast-1,
// us-gov-west-1, cn-north-1, eu-central-2, …
func isRegion(s string) bool {
	parts := strings.Split(s, "-")
	if len(parts) < 3 || len(parts[0]) != 2 {
		return false
	}
	for _, p := range parts[:len(parts)-1] {
		if p == "" || strings.Trim(p, "abcdefghijklmnopqrstuvwxyz") != "" {
			return false
		}
	}
	last := parts[len(parts)-1]
	return last != "" && strings.Trim(last, "0123456789") == ""
}
