package console

import (
	"context"
	"io/fs"
	"path"
	"sort"
	"strings"
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

// functionCode returns the function's code files and the stack that
// created it, with a note when the code cannot be shown. The Lambda
// service's code (Config.Code) is preferred; without it, the inline
// source (Code.ZipFile) of the creating stack's template is shown.
func (c *Console) functionCode(ctx context.Context, name string) ([]codeFile, *stack.Stack, string) {
	st, inline := c.creatingStack(ctx, name)
	if c.cfg.Code != nil {
		if fsys, err := c.cfg.Code(ctx, name); err == nil {
			files, note := readCode(fsys)
			return files, st, note
		}
	}
	if inline != "" {
		file := "index.py"
		if fn, err := c.cfg.Functions.GetFunctionConfiguration(ctx, name, ""); err == nil && strings.HasPrefix(fn.Runtime, "nodejs") {
			file = "index.js"
		}
		return []codeFile{{Name: file, Size: int64(len(inline)), Text: inline}}, st, "Inline source (Code.ZipFile) from the stack's template."
	}
	return nil, st, "The code of this function is not available to the console."
}

// creatingStack finds the live stack whose resource is the function, and
// that resource's inline source if it has one.
func (c *Console) creatingStack(ctx context.Context, name string) (*stack.Stack, string) {
	all, err := c.cfg.Stacks.ListStacks(ctx)
	if err != nil {
		return nil, ""
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
			if r.Type != "AWS::Lambda::Function" || r.PhysicalID != name {
				continue
			}
			inline := ""
			if code, ok := r.Properties["Code"].(map[string]any); ok {
				inline, _ = code["ZipFile"].(string)
			}
			return st, inline
		}
	}
	return nil, ""
}

// readCode lists the text files of a code folder.
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
