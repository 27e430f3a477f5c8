package lambda_test

import (
	"archive/zip"
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/cloudlet-dev/cloudlet/internal/awserr"
	"github.com/cloudlet-dev/cloudlet/internal/lambda"
	"github.com/cloudlet-dev/cloudlet/internal/store"
)

// fuzzZip builds an archive from the fuzzer's entries: names and bodies
// are newline-separated, and kinds[i] makes entry i a file (0), an
// executable (1), a folder (2) or a symbolic link whose body is its
// target (3). Headers are written raw, so names are exactly as given.
func fuzzZip(names string, kinds []byte, bodies string) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	bs := strings.Split(bodies, "\n")
	for i, name := range strings.Split(names, "\n") {
		var kind byte
		if i < len(kinds) {
			kind = kinds[i] % 4
		}
		body := ""
		if i < len(bs) {
			body = bs[i]
		}
		h := &zip.FileHeader{Name: name, Method: zip.Store}
		switch kind {
		case 1:
			h.SetMode(0o755)
		case 2:
			h.SetMode(fs.ModeDir | 0o755)
			body = ""
		case 3:
			h.SetMode(fs.ModeSymlink | 0o777)
		}
		w, err := zw.CreateHeader(h)
		if err != nil {
			return nil
		}
		_, _ = w.Write([]byte(body))
	}
	if zw.Close() != nil {
		return nil
	}
	return buf.Bytes()
}

// FuzzFunctionZip: whatever archive a caller uploads, CreateFunction
// either unpacks it inside its own folder — no link leading out, nothing
// written elsewhere — or refuses it with AWS's 400
// InvalidParameterValueException; never a panic or an internal error.
// raw, when not empty, is the archive itself (the mutator corrupts real
// archives). The seed corpus is under testdata/fuzz/FuzzFunctionZip.
func FuzzFunctionZip(f *testing.F) {
	f.Add("index.py\nlib/\nlib/a.py\nlib/b.py", []byte{0, 2, 0, 3}, "def handler(e, c):\n\n\na.py", []byte(nil))
	f.Add("a\na/b", []byte{0, 0}, "x\ny", []byte(nil))
	f.Add("d\nd/x", []byte{3, 0}, ".\nx", []byte(nil))
	f.Add("../x\n/abs\nok", []byte{0, 0, 0}, "1\n2\n3", []byte(nil))
	f.Add("", []byte(nil), "", fuzzZip("index.py\nbin/run", []byte{0, 1}, "x\ny"))
	dir := f.TempDir()
	db, err := store.Open(dir)
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { db.Close() })
	s, err := lambda.New(lambda.Config{DB: db, DataDir: dir, Region: testRegion, AccountID: testAcct,
		Runtimes: runtimes, MaxUnzippedSize: 1 << 20})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { _ = s.Shutdown(context.Background()) })
	codeDir := filepath.Join(dir, "lambda", "code")
	var n int
	f.Fuzz(func(t *testing.T, names string, kinds []byte, bodies string, raw []byte) {
		archive := raw
		if len(archive) == 0 {
			if archive = fuzzZip(names, kinds, bodies); archive == nil {
				return
			}
		}
		n++
		in := inline("fuzz-" + strconv.Itoa(n))
		in.Code = lambda.Code{ZipFile: archive}
		_, err := s.CreateFunction(context.Background(), in)
		if err != nil {
			if e, ok := awserr.As(err); !ok || e.HTTPStatus() != 400 || e.Code != "InvalidParameterValueException" {
				t.Fatalf("CreateFunction(%q) = %v, want a 400 InvalidParameterValueException", archive, err)
			}
			return
		}
		defer func() { _ = s.DeleteFunction(context.Background(), in.FunctionName) }()
		if err := linksStayInside(codeDir); err != nil {
			t.Fatalf("CreateFunction(%q): %v", archive, err)
		}
	})
}

// linksStayInside checks that every symbolic link under each code folder
// of root resolves inside that folder.
func linksStayInside(root string) error {
	dirs, err := os.ReadDir(root)
	if err != nil {
		return err
	}
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		top := filepath.Join(root, d.Name())
		err := filepath.WalkDir(top, func(p string, e fs.DirEntry, err error) error {
			if err != nil || e.Type()&fs.ModeSymlink == 0 {
				return err
			}
			dest, err := os.Readlink(p)
			if err != nil {
				return err
			}
			if filepath.IsAbs(dest) {
				return &fs.PathError{Op: "link to an absolute path", Path: p, Err: fs.ErrPermission}
			}
			rel, err := filepath.Rel(top, filepath.Join(filepath.Dir(p), dest))
			if err != nil || rel == ".." || strings.HasPrefix(rel, "../") {
				return &fs.PathError{Op: "link out of its folder", Path: p, Err: fs.ErrPermission}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}
