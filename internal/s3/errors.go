package s3

import (
	"net/http"

	"github.com/cloudlet-dev/cloudlet/internal/awserr"
)

// S3 error codes.
const (
	CodeNoSuchBucket            = "NoSuchBucket"
	CodeNoSuchKey               = "NoSuchKey"
	CodeNoSuchUpload            = "NoSuchUpload"
	CodeBucketAlreadyOwnedByYou = "BucketAlreadyOwnedByYou"
	CodeBucketNotEmpty          = "BucketNotEmpty"
	CodeInvalidBucketName       = "InvalidBucketName"
	CodeInvalidArgument         = "InvalidArgument"
	CodeInvalidRequest          = "InvalidRequest"
	CodeKeyTooLong              = "KeyTooLongError"
	CodeInvalidRange            = "InvalidRange"
	CodeBadDigest               = "BadDigest"
	CodeInvalidDigest           = "InvalidDigest"
	CodeEntityTooLarge          = "EntityTooLarge"
	CodeEntityTooSmall          = "EntityTooSmall"
	CodeInvalidPart             = "InvalidPart"
	CodeInvalidPartOrder        = "InvalidPartOrder"
	CodeMalformedXML            = "MalformedXML"
	CodeMetadataTooLarge        = "MetadataTooLarge"
)

// s3Error builds an *awserr.Error; fields are extra elements S3 puts in
// its XML error body (BucketName, Key, …).
func s3Error(status int, code, msg string, fields ...string) error {
	e := &awserr.Error{Code: code, Message: msg, Status: status}
	if len(fields) > 0 {
		e.Fields = map[string]string{}
		for i := 0; i+1 < len(fields); i += 2 {
			e.Fields[fields[i]] = fields[i+1]
		}
	}
	return e
}

func errNoSuchBucket(bucket string) error {
	return s3Error(http.StatusNotFound, CodeNoSuchBucket, "The specified bucket does not exist", "BucketName", bucket)
}

func errNoSuchKey(key string) error {
	return s3Error(http.StatusNotFound, CodeNoSuchKey, "The specified key does not exist.", "Key", key)
}

func errNoSuchUpload(uploadID string) error {
	return s3Error(http.StatusNotFound, CodeNoSuchUpload,
		"The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.",
		"UploadId", uploadID)
}

func errInvalidArgument(msg string, fields ...string) error {
	return s3Error(http.StatusBadRequest, CodeInvalidArgument, msg, fields...)
}

func errMalformedXML() error {
	return s3Error(http.StatusBadRequest, CodeMalformedXML,
		"The XML you provided was not well-formed or did not validate against our published schema")
}
