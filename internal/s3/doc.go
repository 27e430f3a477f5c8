// Package s3 is cloudlet's object store: buckets, objects, ranged reads,
// listings with delimiters and continuation tokens, copies and multipart
// uploads, with S3's error codes, messages and ETags, so that `aws s3`,
// `aws cloudformation package` and `sam deploy` can upload templates and
// code to it. ParseURL maps the S3 URLs CloudFormation accepts (as a
// nested stack's TemplateURL, for instance) to a bucket and key.
//
// # Storage
//
// Object bodies are files under Config.Dir, and everything else about an
// object (key, size, ETag, content type, user metadata, last modified) is
// a record in the store. Bodies are named by random ids, never by key: S3
// lets "a" and "a/b" coexist and allows ".." in keys, neither of which a
// file system path can carry safely. A body is written to a temporary file
// in its final directory, fsynced and renamed into place, and only then
// does the store record point at it; so a crash or a failed upload never
// makes a partial object visible, and an overwritten or deleted body is
// removed only after the record stops naming it. New removes leftover
// temporary files and bodies no record names.
//
// # Keys cloudlet refuses
//
// S3 accepts any UTF-8 key of up to 1,024 bytes. cloudlet is stricter,
// because keys become paths the moment someone syncs a bucket to disk (as
// `aws s3 sync` and cloudlet's own console do), and a key that escapes its
// directory there is an attack: it refuses with InvalidArgument a key that
// is empty, is not valid UTF-8, contains NUL, starts with "/" or "\", or
// has a ".." segment (between "/" or "\" separators). A key over 1,024
// bytes is refused with KeyTooLongError, as in S3.
package s3
