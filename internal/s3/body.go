package s3

import (
	"context"
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/cloudlet-dev/cloudlet/internal/store"
)

// Bodies are files named by a random 32-hex-digit id, spread over 256
// subdirectories by the id's first two digits. Temporary files share the
// final directory (so the rename is atomic) and start with tmpPrefix.
const tmpPrefix = ".tmp-"

// maxObjectSize is S3's limit for a single PUT (5 GiB).
const maxObjectSize = 5 << 30

func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand documents it)
	return hex.EncodeToString(b[:])
}

func (s *Service) bodyPath(id string) string {
	return filepath.Join(s.bodies, id[:2], id)
}

// body is a body file just written.
type body struct {
	id   string
	size int64
	md5  []byte
}

// writeBody copies r into a new body file: a temporary file in the final
// directory, fsynced, renamed into place, and the directory fsynced. On
// any error (r failing, ctx ending, more than limit bytes) nothing is left
// behind.
func (s *Service) writeBody(ctx context.Context, r io.Reader, limit int64) (body, error) {
	id := newID()
	dir := filepath.Dir(s.bodyPath(id))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return body{}, fmt.Errorf("write object body: %w", err)
	}
	f, err := os.CreateTemp(dir, tmpPrefix+"*")
	if err != nil {
		return body{}, fmt.Errorf("write object body: %w", err)
	}
	tmp := f.Name()
	ok := false
	defer func() {
		if !ok {
			f.Close()
			os.Remove(tmp)
		}
	}()
	h := md5.New()
	n, err := io.Copy(io.MultiWriter(f, h), io.LimitReader(ctxReader{ctx, r}, limit+1))
	if err != nil {
		return body{}, fmt.Errorf("write object body: %w", err)
	}
	if n > limit {
		return body{}, s3Error(http.StatusBadRequest, CodeEntityTooLarge, "Your proposed upload exceeds the maximum allowed object size.",
			"MaxSizeAllowed", fmt.Sprint(limit))
	}
	if err := f.Sync(); err != nil {
		return body{}, fmt.Errorf("write object body: sync: %w", err)
	}
	if err := f.Close(); err != nil {
		return body{}, fmt.Errorf("write object body: close: %w", err)
	}
	if err := os.Rename(tmp, s.bodyPath(id)); err != nil {
		return body{}, fmt.Errorf("write object body: %w", err)
	}
	ok = true
	if err := syncDir(dir); err != nil {
		os.Remove(s.bodyPath(id))
		return body{}, fmt.Errorf("write object body: %w", err)
	}
	return body{id: id, size: n, md5: h.Sum(nil)}, nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}

// ctxReader fails reads once ctx is done, so a cancelled upload stops
// and leaves nothing behind.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// removeBody deletes a body no record names any more. A failure only
// leaves garbage, which New collects.
func (s *Service) removeBody(id string) {
	if id != "" {
		_ = os.Remove(s.bodyPath(id))
	}
}

// linkBody gives an existing body a second name, so a copy costs no I/O:
// bodies are never modified in place, only replaced. Where hard links
// are not available it copies the bytes.
func (s *Service) linkBody(ctx context.Context, id string) (string, error) {
	nid := newID()
	if err := os.MkdirAll(filepath.Dir(s.bodyPath(nid)), 0o755); err != nil {
		return "", fmt.Errorf("link object body: %w", err)
	}
	if err := os.Link(s.bodyPath(id), s.bodyPath(nid)); err == nil {
		return nid, syncDir(filepath.Dir(s.bodyPath(nid)))
	}
	f, err := os.Open(s.bodyPath(id))
	if err != nil {
		return "", fmt.Errorf("copy object body: %w", err)
	}
	defer f.Close()
	b, err := s.writeBody(ctx, f, maxObjectSize)
	if err != nil {
		return "", err
	}
	return b.id, nil
}

// collectGarbage removes temporary files and bodies that no object or
// part record names: what a crash between writing a body and committing
// its record (or between committing and removing the old body) leaves.
func (s *Service) collectGarbage() error {
	live := map[string]bool{}
	err := s.db.View(func(tx *store.Tx) error {
		for _, b := range []string{bucketObjects, bucketParts} {
			err := tx.ForEach(b, "", func(k string, raw []byte) error {
				var r struct{ BodyID string }
				if err := json.Unmarshal(raw, &r); err != nil {
					return fmt.Errorf("load %s/%q: %w", b, k, err)
				}
				live[r.BodyID] = true
				return nil
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return filepath.WalkDir(s.bodies, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if d.IsDir() {
			return nil
		}
		if name := d.Name(); strings.HasPrefix(name, tmpPrefix) || !live[name] {
			if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return err
			}
		}
		return nil
	})
}
