package lambda_test

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cloudlet-dev/cloudlet/internal/lambda"
	"github.com/cloudlet-dev/cloudlet/internal/s3"
	"github.com/cloudlet-dev/cloudlet/internal/store"
)

// s3Code reads packages from a real object store, as the platform's
// adapter does.
type s3Code struct{ s3 *s3.Service }

func (c s3Code) GetObjectBytes(ctx context.Context, bucket, key string) ([]byte, error) {
	rc, _, err := c.s3.GetObject(ctx, bucket, key, nil)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}

func TestCodeFromS3(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	objects, err := s3.New(s3.Config{Dir: filepath.Join(dir, "s3"), DB: db})
	if err != nil {
		t.Fatal(err)
	}
	if err := objects.CreateBucket(ctx, "code", ""); err != nil {
		t.Fatal(err)
	}
	pkg := zipOf(t, map[string]string{"app.py": "def handler(event, context):\n    return 'from s3'\n"})
	if _, err := objects.PutObject(ctx, "code", "fn.zip", bytes.NewReader(pkg), s3.ObjectMeta{}); err != nil {
		t.Fatal(err)
	}
	s := newService(t, lambda.Config{Code: s3Code{objects}, EndpointURL: "http://127.0.0.1:4566"})
	in := pyFunction(t, "fn", "")
	in.Code = lambda.Code{S3Bucket: "code", S3Key: "fn.zip"}
	create(t, s, in)
	if out := invoke(t, s, "fn", `{}`); string(out.Payload) != `"from s3"` {
		t.Errorf("Invoke(fn) = %s, want \"from s3\"", out.Payload)
	}
	got, err := s.GetFunction(ctx, "fn", "")
	if err != nil {
		t.Fatal(err)
	}
	if got.Code.RepositoryType != "S3" || !strings.HasPrefix(got.Code.Location, "http://127.0.0.1:4566/_cloudlet/api/functions/fn/code?X-Amz-Date=") {
		t.Errorf("GetFunctionDetails(fn).Code = %+v, want S3 and a presigned link", got.Code)
	}
	if raw, err := s.FunctionCodeZip(ctx, "fn", ""); err != nil || !bytes.Equal(raw, pkg) {
		t.Errorf("FunctionCodeZip(fn) = %d bytes, %v, want the package uploaded", len(raw), err)
	}
	in.FunctionName, in.Code.S3Key = "missing", "nope.zip"
	if _, err := s.CreateFunction(ctx, in); err == nil || !strings.HasPrefix(err.Error(), "InvalidParameterValueException: Error occurred while GetObject. S3 Error Code: NoSuchKey.") {
		t.Errorf("CreateFunction with a missing S3 key = %v", err)
	}
}

// entry is one member of a hand-made archive.
type entry struct {
	name, body string
	mode       fs.FileMode
}

func rawZip(t *testing.T, entries ...entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.name, Method: zip.Store}
		if e.mode != 0 {
			h.SetMode(e.mode)
		}
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(w, e.body); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// lyingZip has one stored entry whose header claims 10 bytes but holds n.
func lyingZip(t *testing.T, n int) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.CreateRaw(&zip.FileHeader{Name: "big", Method: zip.Store, CompressedSize64: uint64(n), UncompressedSize64: 10})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(bytes.Repeat([]byte("x"), n)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestUnsafeZipsRefused(t *testing.T) {
	s := newService(t, lambda.Config{MaxUnzippedSize: 1000})
	tests := []struct {
		name string
		zip  []byte
		want string
	}{
		{"absolute", rawZip(t, entry{name: "/tmp/evil", body: "x"}), `InvalidParameterValueException: Could not unzip uploaded file: entry "/tmp/evil" has an absolute path`},
		{"dotdot", rawZip(t, entry{name: "../evil", body: "x"}), `InvalidParameterValueException: Could not unzip uploaded file: entry "../evil" points outside the archive`},
		{"dotdot-inside", rawZip(t, entry{name: "a/../../evil", body: "x"}), `InvalidParameterValueException: Could not unzip uploaded file: entry "a/../../evil" points outside the archive`},
		{"backslash", rawZip(t, entry{name: `..\evil`, body: "x"}), `InvalidParameterValueException: Could not unzip uploaded file: entry "..\\evil" has an absolute path`},
		{"symlink-absolute", rawZip(t, entry{name: "link", body: "/etc/passwd", mode: fs.ModeSymlink | 0o777}), `InvalidParameterValueException: Could not unzip uploaded file: symbolic link "link" points outside the archive`},
		{"symlink-up", rawZip(t, entry{name: "a/link", body: "../../etc", mode: fs.ModeSymlink | 0o777}), `InvalidParameterValueException: Could not unzip uploaded file: symbolic link "a/link" points outside the archive`},
		{"write-through-link", rawZip(t, entry{name: "d", body: ".", mode: fs.ModeSymlink | 0o777}, entry{name: "d/x", body: "x"}), `InvalidParameterValueException: Could not unzip uploaded file: entry "d": symlink . `},
		{"too-big", rawZip(t, entry{name: "big", body: strings.Repeat("x", 1001)}), `InvalidParameterValueException: Unzipped size must be smaller than 262144000 bytes`},
		{"too-big-together", rawZip(t, entry{name: "a", body: strings.Repeat("x", 600)}, entry{name: "b", body: strings.Repeat("x", 600)}), `InvalidParameterValueException: Unzipped size must be smaller than 262144000 bytes`},
		{"size-header-lies", lyingZip(t, 5000), `InvalidParameterValueException: `},
		{"not-a-zip", []byte("hello"), `InvalidParameterValueException: Could not unzip uploaded file. Please check your file, then try to upload again.`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := inline("fn-" + tt.name)
			in.Code = lambda.Code{ZipFile: tt.zip}
			_, err := s.CreateFunction(context.Background(), in)
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("CreateFunction(%s) = %v, want %s", tt.name, err, tt.want)
			}
		})
	}
	// Nothing escaped into the data directory's other folders.
	for _, p := range []string{"/tmp/evil"} {
		if _, err := os.Lstat(p); err == nil {
			t.Errorf("%s was written", p)
		}
	}
}

// Links inside the archive are kept, as AWS keeps them.
func TestZipLinksInsideKept(t *testing.T) {
	s := newService(t, lambda.Config{})
	in := pyFunction(t, "fn", "")
	in.Code = lambda.Code{ZipFile: rawZip(t,
		entry{name: "lib/real.py", body: "VALUE = 'linked'\n"},
		entry{name: "app.py", body: "from lib import alias\ndef handler(event, context):\n    return alias.VALUE\n"},
		entry{name: "lib/__init__.py", body: ""},
		entry{name: "lib/alias.py", body: "real.py", mode: fs.ModeSymlink | 0o777},
	)}
	create(t, s, in)
	if out := invoke(t, s, "fn", `{}`); string(out.Payload) != `"linked"` {
		t.Errorf("Invoke(fn) through a link = %s (%s)", out.Payload, out.FunctionError)
	}
}

func TestLocalDirCode(t *testing.T) {
	ctx := context.Background()
	s := newService(t, lambda.Config{})
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "app.py"), []byte("def handler(event, context):\n    return 'local'\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	in := pyFunction(t, "fn", "")
	in.Code = lambda.Code{LocalDir: dir}
	create(t, s, in)
	if out := invoke(t, s, "fn", `{}`); string(out.Payload) != `"local"` {
		t.Errorf("Invoke(fn) = %s", out.Payload)
	}
	raw, err := s.FunctionCodeZip(ctx, "fn", "")
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil || len(zr.File) != 1 || zr.File[0].Name != "app.py" {
		t.Errorf("FunctionCodeZip(fn) of a local folder = %v, %v, want app.py", zr, err)
	}
	in.FunctionName, in.Code.LocalDir = "gone", filepath.Join(dir, "missing")
	if _, err := s.CreateFunction(ctx, in); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("CreateFunction with a missing folder = %v", err)
	}
}
