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
	"syscall"
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
	// Local marks a folder used in place (Code.LocalDir); there is no
	// archive beside it.
	Local bool `json:",omitempty"`
}

// storeCode materialises code under dataDir/lambda/code/<sha>. Identical
// packages share a folder; the archive is kept beside it (<sha>.zip) for
// GetFunction's download link.
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
		return &codeRecord{Dir: abs, Sha256: base64.StdEncoding.EncodeToString(sum[:]), Local: true}, nil
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

// errUnzip is AWS's answer to an archive it cannot read.
func errUnzip() error {
	return invalid("Could not unzip uploaded file. Please check your file, then try to upload again.")
}

// unpack extracts a zip into its content-addressed folder, through a
// temporary folder renamed into place, so that a half-written folder is
// never used. Hostile archives are refused: see extract.
func (s *Service) unpack(zipped []byte) (*codeRecord, error) {
	sum := sha256.Sum256(zipped)
	rec := &codeRecord{Sha256: base64.StdEncoding.EncodeToString(sum[:]), Size: int64(len(zipped))}
	rec.Dir = filepath.Join(s.cfg.DataDir, "lambda", "code", fmt.Sprintf("%x", sum[:16]))
	if _, err := os.Stat(filepath.Join(rec.Dir, ".complete")); err == nil {
		return rec, nil
	}
	zr, err := zip.NewReader(bytes.NewReader(zipped), int64(len(zipped)))
	if err != nil {
		return nil, errUnzip()
	}
	if err := os.MkdirAll(filepath.Dir(rec.Dir), 0o755); err != nil {
		return nil, fmt.Errorf("unpack code: %w", err)
	}
	tmp, err := os.MkdirTemp(filepath.Dir(rec.Dir), ".unpack-")
	if err != nil {
		return nil, fmt.Errorf("unpack code: %w", err)
	}
	defer os.RemoveAll(tmp)
	if err := extract(zr, tmp, s.cfg.MaxUnzippedSize); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(tmp, ".complete"), nil, 0o644); err != nil {
		return nil, fmt.Errorf("unpack code: %w", err)
	}
	if err := writeFileAtomic(rec.Dir+".zip", zipped); err != nil {
		return nil, fmt.Errorf("keep code archive: %w", err)
	}
	if err := os.Rename(tmp, rec.Dir); err != nil {
		// Another create raced us to the same content: theirs is as good.
		if _, statErr := os.Stat(filepath.Join(rec.Dir, ".complete")); statErr != nil {
			return nil, fmt.Errorf("unpack code: %w", err)
		}
	}
	return rec, nil
}

func writeFileAtomic(name string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(name), ".zip-")
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), name)
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}

// extract writes the archive's entries under dir. Entries with absolute
// paths or ".." are refused and the total size is capped, so a hostile
// archive can neither write outside the folder nor fill the disk.
// Symbolic links are kept, as AWS keeps them (node_modules/.bin is made of
// them), but only when they point inside the archive, and they are made
// last, once every folder exists as a real folder: nothing is ever
// written through a link.
func extract(zr *zip.Reader, dir string, limit int64) error {
	var total int64
	var links []*zip.File
	for _, f := range zr.File {
		clean, err := entryPath(f.Name)
		if err != nil {
			return err
		}
		if clean == "." {
			continue
		}
		target := filepath.Join(dir, filepath.FromSlash(clean))
		switch {
		case f.Mode()&os.ModeSymlink != 0:
			links = append(links, f)
		case f.FileInfo().IsDir():
			if err := os.MkdirAll(target, 0o755); err != nil {
				return unpackError(f.Name, err)
			}
		default:
			if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
				return unpackError(f.Name, err)
			}
			mode := os.FileMode(0o644)
			if f.Mode()&0o111 != 0 {
				mode = 0o755
			}
			n, err := writeEntry(f, target, mode, limit-total)
			if err != nil {
				return err
			}
			total += n
		}
	}
	for _, f := range links {
		clean, _ := entryPath(f.Name)
		if err := os.MkdirAll(filepath.Join(dir, filepath.FromSlash(path.Dir(clean))), 0o755); err != nil {
			return unpackError(f.Name, err)
		}
	}
	for _, f := range links {
		clean, _ := entryPath(f.Name)
		if err := writeLink(f, clean, filepath.Join(dir, filepath.FromSlash(clean))); err != nil {
			return err
		}
	}
	return nil
}

// unpackError is the error of writing an entry into the fresh folder. An
// archive whose entries collide — a file "a" and an entry "a/b", a folder
// and a file of one name — is the caller's fault and gets AWS's 400 for an
// archive it cannot unzip; anything else (a full disk) is cloudlet's.
func unpackError(name string, err error) error {
	if errors.Is(err, syscall.ENOTDIR) || errors.Is(err, syscall.EISDIR) || errors.Is(err, syscall.EEXIST) {
		return invalid("Could not unzip uploaded file: entry %q collides with another entry", name)
	}
	return fmt.Errorf("unpack %s: %w", name, err)
}

// entryPath is an entry's cleaned relative path, or AWS's refusal.
func entryPath(name string) (string, error) {
	if strings.Contains(name, "\\") || strings.HasPrefix(name, "/") || path.IsAbs(name) || strings.Contains(name, "\x00") {
		return "", invalid("Could not unzip uploaded file: entry %q has an absolute path", name)
	}
	clean := path.Clean(name)
	if clean == ".." || strings.HasPrefix(clean, "../") {
		return "", invalid("Could not unzip uploaded file: entry %q points outside the archive", name)
	}
	return clean, nil
}

// writeLink makes a symbolic link entry whose target stays in the archive.
func writeLink(f *zip.File, clean, target string) error {
	rc, err := f.Open()
	if err != nil {
		return errUnzip()
	}
	raw, err := io.ReadAll(io.LimitReader(rc, 4097))
	rc.Close()
	if err != nil || len(raw) > 4096 {
		return errUnzip()
	}
	dest := string(raw)
	resolved := path.Clean(path.Join(path.Dir(clean), dest))
	if dest == "" || path.IsAbs(dest) || strings.ContainsAny(dest, "\\\x00") || resolved == ".." || strings.HasPrefix(resolved, "../") {
		return invalid("Could not unzip uploaded file: symbolic link %q points outside the archive", f.Name)
	}
	if err := os.Symlink(filepath.FromSlash(dest), target); err != nil {
		return invalid("Could not unzip uploaded file: entry %q: %v", f.Name, err)
	}
	return nil
}

func writeEntry(f *zip.File, target string, mode os.FileMode, room int64) (int64, error) {
	if room < 0 || f.UncompressedSize64 > uint64(room) {
		return 0, invalid("Unzipped size must be smaller than %d bytes", MaxUnzippedSize)
	}
	rc, err := f.Open()
	if err != nil {
		return 0, errUnzip()
	}
	defer rc.Close()
	out, err := os.OpenFile(target, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
	if err != nil {
		return 0, unpackError(f.Name, err)
	}
	n, err := io.Copy(out, io.LimitReader(rc, room+1))
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return n, errUnzip()
	}
	if n > room {
		return n, invalid("Unzipped size must be smaller than %d bytes", MaxUnzippedSize)
	}
	return n, nil
}
