package lambda

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// CodeSource reads zip archives from cloudlet's object store.
type CodeSource interface {
	GetObjectBytes(ctx context.Context, bucket, key string) ([]byte, error)
}

// MaxUnzippedSize is AWS's limit on a function's unpacked code.
const MaxUnzippedSize = 262144000

// codeRecord says where a function's unpacked code lives.
type codeRecord struct {
	Dir    string // absolute folder
	Sha256 string // base64 SHA-256 of the package, as AWS reports it
	Size   int64
}

// storeCode materialises code under dataDir/lambda/code/<sha>. Identical
// packages share a folder.
func (s *Service) storeCode(ctx context.Context, c Code, runtime string) (*codeRecord, error) {
	switch {
	case c.LocalDir != "":
		abs, err := filepath.Abs(c.LocalDir)
		if err != nil {
			return nil, err
		}
		if fi, err := os.Stat(abs); err != nil || !fi.IsDir() {
			return nil, invalid("Code folder %s does not exist", c.LocalDir)
		}
		sum := sha256.Sum256([]byte(abs))
		return &codeRecord{Dir: abs, Sha256: base64.StdEncoding.EncodeToString(sum[:])}, nil
	case c.InlineSource != nil:
		zipped, err := inlineZip(*c.InlineSource, runtime)
		if err != nil {
			return nil, err
		}
		return s.unpack(zipped)
	case c.ZipFile != nil:
		return s.unpack(c.ZipFile)
	case c.S3Bucket != "" && c.S3Key != "":
		if s.cfg.Code == nil {
			return nil, invalid("Error occurred while GetObject. S3 Error Code: NoSuchBucket. S3 Error Message: The specified bucket does not exist")
		}
		raw, err := s.cfg.Code.GetObjectBytes(ctx, c.S3Bucket, c.S3Key)
		if err != nil {
			return nil, invalid("Error occurred while GetObject. S3 Error Code: NoSuchKey. S3 Error Message: %v", err)
		}
		return s.unpack(raw)
	}
	return nil, invalid("Please provide a source for function code.")
}

// inlineZip wraps CloudFormation's inline source into a one-file archive
// named index.py or index.js, as CloudFormation does.
func inlineZip(src, runtime string) ([]byte, error) {
	name := "index.py"
	if strings.HasPrefix(runtime, "nodejs") {
		name = "index.js"
	}
	if len(src) > 4<<20 {
		return nil, invalid("Inline code is limited to 4 MB")
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create(name)
	if err == nil {
		_, err = io.WriteString(w, src)
	}
	if err == nil {
		err = zw.Close()
	}
	return buf.Bytes(), err
}

// unpack extracts a zip into its content-addressed folder. Entries with
// absolute paths or ".." are refused, and the total size is capped, so a
// hostile archive cannot write outside the folder or fill the disk.
func (s *Service) unpack(zipped []byte) (*codeRecord, error) {
	sum := sha256.Sum256(zipped)
	rec := &codeRecord{Sha256: base64.StdEncoding.EncodeToString(sum[:]), Size: int64(len(zipped))}
	rec.Dir = filepath.Join(s.cfg.DataDir, "lambda", "code", fmt.Sprintf("%x", sum[:16]))
	if _, err := os.Stat(filepath.Join(rec.Dir, ".complete")); err == nil {
		return rec, nil
	}
	zr, err := zip.NewReader(bytes.NewReader(zipped), int64(len(zipped)))
	if err != nil {
		return nil, invalid("Could not unzip uploaded file. Please check your file, then try to upload again.")
	}
	tmp, err := os.MkdirTemp(filepath.Dir(rec.Dir), ".unpack-")
	if err != nil {
		if err := os.MkdirAll(filepath.Dir(rec.Dir), 0o755); err != nil {
			return nil, err
		}
		if tmp, err = os.MkdirTemp(filepath.Dir(rec.Dir), ".unpack-"); err != nil {
			return nil, err
		}
	}
	defer os.RemoveAll(tmp)
	if err := extract(zr, tmp); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(tmp, ".complete"), nil, 0o644); err != nil {
		return nil, err
	}
	if err := os.Rename(tmp, rec.Dir); err != nil && !os.IsExist(err) && !errors.Is(err, os.ErrExist) {
		// Another create raced us to the same content: theirs is as good.
		if _, statErr := os.Stat(filepath.Join(rec.Dir, ".complete")); statErr != nil {
			return nil, err
		}
	}
	return rec, nil
}

// extract writes the archive's entries under dir.
func extract(zr *zip.Reader, dir string) error {
	var total int64
	for _, f := range zr.File {
		name := f.Name
		if strings.Contains(name, "\\") || strings.HasPrefix(name, "/") || path.IsAbs(name) {
			return invalid("Could not unzip uploaded file: entry %q has an absolute path", name)
		}
		clean := path.Clean(name)
		if clean == ".." || strings.HasPrefix(clean, "../") {
			return invalid("Could not unzip uploaded file: entry %q points outside the archive", name)
		}
		target := filepath.Join(dir, filepath.FromSlash(clean))
		if f.FileInfo().IsDir() {
			if err := os.MkdirAll(target, 0o755); err != nil {
				return err
			}
			continue
		}
		if f.Mode()&os.ModeSymlink != 0 {
			return invalid("Could not unzip uploaded file: entry %q is a symbolic link", name)
		}
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		mode := os.FileMode(0o644)
		if f.Mode()&0o111 != 0 {
			mode = 0o755
		}
		n, err := writeEntry(f, target, mode, MaxUnzippedSize-total)
		if err != nil {
			return err
		}
		total += n
	}
	return nil
}

func writeEntry(f *zip.File, target string, mode os.FileMode, room int64) (int64, error) {
	rc, err := f.Open()
	if err != nil {
		return 0, invalid("Could not unzip uploaded file. Please check your file, then try to upload again.")
	}
	defer rc.Close()
	out, err := os.OpenFile(target, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
	if err != nil {
		return 0, err
	}
	n, err := io.Copy(out, io.LimitReader(rc, room+1))
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return n, invalid("Could not unzip uploaded file. Please check your file, then try to upload again.")
	}
	if n > room {
		return n, invalid("Unzipped size must be smaller than %d bytes", MaxUnzippedSize)
	}
	return n, nil
}
