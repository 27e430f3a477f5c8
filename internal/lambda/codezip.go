package lambda

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
)

// CodePath is where cloudlet serves function packages, below its
// endpoint: CodePath + name + "/code" (with "?Qualifier=" for a version
// or alias) and LayerPath + name + "/" + version for layers. These URLs
// stand in for the presigned S3 URLs AWS answers GetFunction and
// GetLayerVersion with (spec lambda §8.4), and are presigned likewise
// (codelink.go); internal/cliapi serves them.
const (
	CodePath  = "/_cloudlet/api/functions/"
	LayerPath = "/_cloudlet/api/layers/"
)

func (s *Service) codeLocation(name, qualifier string) string {
	q := url.Values{}
	if qualifier != "" {
		q.Set("Qualifier", qualifier)
	}
	return s.signedLink(CodePath+name+"/code", q)
}

func (s *Service) layerLocation(name string, v int64) string {
	return s.signedLink(LayerPath+name+"/"+strconv.FormatInt(v, 10), url.Values{})
}

// FunctionCodeZip returns the package of $LATEST, a version or an
// alias's version: the archive it was created from, or, for code used in
// place from a local folder, a zip of that folder made now.
func (s *Service) FunctionCodeZip(ctx context.Context, functionName, qualifier string) ([]byte, error) {
	name, qualifier, err := splitName(functionName, qualifier)
	if err != nil {
		return nil, err
	}
	fn, err := s.loadQualified(name, qualifier)
	if err != nil {
		return nil, err
	}
	t, err := s.target(fn, qualifier)
	if err != nil {
		return nil, err
	}
	return packageOf(t.code)
}

// CodeFS returns the unpacked code of $LATEST (or of the version or
// alias functionName is qualified with), read-only, for the console.
func (s *Service) CodeFS(ctx context.Context, functionName string) (fs.FS, error) {
	name, qualifier, err := splitName(functionName, "")
	if err != nil {
		return nil, err
	}
	fn, err := s.loadQualified(name, qualifier)
	if err != nil {
		return nil, err
	}
	t, err := s.target(fn, qualifier)
	if err != nil {
		return nil, err
	}
	return os.DirFS(t.code.Dir), nil
}

// LayerCodeZip returns a layer version's archive.
func (s *Service) LayerCodeZip(ctx context.Context, layerNameOrARN string, v int64) ([]byte, error) {
	name, err := layerName(layerNameOrARN)
	if err != nil {
		return nil, err
	}
	rec, err := s.loadLayer(name, v)
	if err != nil {
		return nil, err
	}
	return packageOf(rec.Code)
}

func packageOf(c codeRecord) ([]byte, error) {
	if !c.Local {
		if raw, err := os.ReadFile(c.Dir + ".zip"); err == nil {
			return raw, nil
		}
	}
	// A local folder, or code unpacked before archives were kept.
	raw, err := zipDir(c.Dir)
	if err != nil {
		return nil, fmt.Errorf("package code in %s: %w", c.Dir, err)
	}
	return raw, nil
}

// zipDir archives a folder's regular files and links.
func zipDir(dir string) ([]byte, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if rel == "." || rel == ".complete" {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		h, err := zip.FileInfoHeader(info)
		if err != nil {
			return err
		}
		h.Name = filepath.ToSlash(rel)
		switch {
		case d.IsDir():
			h.Name += "/"
			_, err = zw.CreateHeader(h)
			return err
		case info.Mode()&fs.ModeSymlink != 0:
			dest, err := os.Readlink(p)
			if err != nil {
				return err
			}
			w, err := zw.CreateHeader(h)
			if err == nil {
				_, err = w.Write([]byte(dest))
			}
			return err
		case info.Mode().IsRegular():
			h.Method = zip.Deflate
			w, err := zw.CreateHeader(h)
			if err != nil {
				return err
			}
			raw, err := os.ReadFile(p)
			if err == nil {
				_, err = w.Write(raw)
			}
			return err
		}
		return nil
	})
	if err == nil {
		err = zw.Close()
	}
	return buf.Bytes(), err
}
