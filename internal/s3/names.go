package s3

import (
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"unicode/utf8"
)

// MaxKeyLength is S3's limit on a key, in bytes of UTF-8.
const MaxKeyLength = 1024

// ValidateBucketName applies S3's naming rules for general purpose
// buckets and returns InvalidBucketName when name breaks one.
func ValidateBucketName(name string) error {
	if !validBucketName(name) {
		return s3Error(http.StatusBadRequest, CodeInvalidBucketName, "The specified bucket is not valid.", "BucketName", name)
	}
	return nil
}

func validBucketName(name string) bool {
	if len(name) < 3 || len(name) > 63 {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-') {
			return false
		}
	}
	if !isAlnum(name[0]) || !isAlnum(name[len(name)-1]) || strings.Contains(name, "..") {
		return false
	}
	if _, err := netip.ParseAddr(name); err == nil {
		return false // formatted like an IP address
	}
	for _, p := range []string{"xn--", "sthree-", "amzn-s3-demo-"} {
		if strings.HasPrefix(name, p) {
			return false
		}
	}
	for _, s := range []string{"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"} {
		if strings.HasSuffix(name, s) {
			return false
		}
	}
	return true
}

func isAlnum(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }

// ValidateKey checks an object key against S3's length limit and
// cloudlet's safety rule (see the package documentation): it returns
// KeyTooLongError or InvalidArgument, or nil for a key cloudlet accepts.
func ValidateKey(key string) error {
	refuse := func(why string) error {
		return errInvalidArgument("cloudlet refuses this object key: "+why, "ArgumentName", "key", "ArgumentValue", key)
	}
	switch {
	case key == "":
		return refuse("it is empty")
	case len(key) > MaxKeyLength:
		return s3Error(http.StatusBadRequest, CodeKeyTooLong, "Your key is too long", "Size", strconv.Itoa(len(key)), "MaxSizeAllowed", strconv.Itoa(MaxKeyLength))
	case !utf8.ValidString(key):
		return refuse("it is not valid UTF-8")
	case strings.IndexByte(key, 0) >= 0:
		return refuse("it contains a NUL character")
	case key[0] == '/' || key[0] == '\\':
		return refuse("it starts with a path separator")
	}
	for seg := range strings.FieldsFuncSeq(key, func(r rune) bool { return r == '/' || r == '\\' }) {
		if seg == ".." {
			return refuse(`it has a ".." path segment`)
		}
	}
	return nil
}
