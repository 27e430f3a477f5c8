package console

import (
	"context"
	"io/fs"
	"path"
	"sort"
	"unicode/utf8"

	"github.com/cloudlet-dev/cloudlet/internal/stack"
)

// codeFile is one file of a function's code as the page shows it.
type codeFile struct {
	Name string
	Size int64
	// Text is the content, or "" when the file is binary or too large.
	Text string
}

// Limits of the code view: enough for handlers, not for a vendored SDK.
const (
	maxCodeFiles    = 100
	maxCodeFileSize = 256 << 10
)

// functionCode returns the function's code files, with a note when they
// cannot all be shown.
func (c *Console) functionCode(ctx context.Context, name string) ([]codeFile, string) {
	fsys, err := c.cfg.Functions.CodeFS(ctx, name)
	if err != nil {
		return nil, "The code is not available: " + err.Error()
	}
	return readCode(fsys)
}

// creatingStack finds the live stack whose resource is the function.
func (c *Console) creatingStack(ctx context.Context, name string) *stack.Stack {
	all, err := c.cfg.Stacks.ListStacks(ctx)
	if err != nil {
		return nil
	}
	for _, st := range all {
		if st.Status == stack.DeleteComplete {
			continue
		}
		res, err := c.cfg.Stacks.Resources(ctx, st.ID)
		if err != nil {
			continue
		}
		for _, r := range res {
			if r.Type == "AWS::Lambda::Function" && r.PhysicalID == name {
				return st
			}
		}
	}
	return nil
}

// readCode lists the files of a code folder, with the text of those that
// are small text files.
func readCode(fsys fs.FS) ([]codeFile, string) {
	var files []codeFile
	note := ""
	_ = fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		if len(files) == maxCodeFiles {
			note = "Only the first files are shown."
			return fs.SkipAll
		}
		info, err := d.Info()
		if err != nil {
			return nil
		}
		f := codeFile{Name: path.Clean(p), Size: info.Size()}
		if info.Size() <= maxCodeFileSize {
			if b, err := fs.ReadFile(fsys, p); err == nil && utf8.Valid(b) {
				f.Text = string(b)
			}
		}
		files = append(files, f)
		return nil
	})
	sort.Slice(files, func(i, j int) bool { return files[i].Name < files[j].Name })
	return files, note
}
