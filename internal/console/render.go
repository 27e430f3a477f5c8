package console

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// pages holds one parsed template set per page: the layout and the
// partials, plus the page's own "content" block.
type pages struct {
	set map[string]*template.Template
}

func parsePages() (*pages, error) {
	base, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/_*.html")
	if err != nil {
		return nil, err
	}
	files, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	p := &pages{set: map[string]*template.Template{}}
	for _, f := range files {
		name := strings.TrimSuffix(path.Base(f), ".html")
		if name == "layout" || strings.HasPrefix(name, "_") {
			continue
		}
		t, err := base.Clone()
		if err != nil {
			return nil, err
		}
		if _, err := t.ParseFS(templateFS, f); err != nil {
			return nil, err
		}
		p.set[name] = t
	}
	return p, nil
}

// view is what the layout receives.
type view struct {
	Title string
	// Nav names the section highlighted in the header.
	Nav                        string
	Region, AccountID, Version string
	Now                        time.Time
	// Refresh, when positive, reloads the page every so many seconds:
	// live updates without JavaScript while an operation runs.
	Refresh int
	Data    any
}

// render writes a page. It renders into a buffer first so that a template
// failure becomes a clean 500 instead of half a page.
func (c *Console) render(w http.ResponseWriter, r *http.Request, status int, page, title, nav string, data any) {
	c.renderRefresh(w, r, status, page, title, nav, 0, data)
}

func (c *Console) renderRefresh(w http.ResponseWriter, r *http.Request, status int, page, title, nav string, refresh int, data any) {
	t := c.pages.set[page]
	var buf bytes.Buffer
	err := fmt.Errorf("no template %q", page)
	if t != nil {
		err = t.ExecuteTemplate(&buf, "layout.html", view{Title: title, Nav: nav, Region: c.cfg.Region,
			AccountID: c.cfg.AccountID, Version: c.cfg.Version, Now: c.now(), Refresh: refresh, Data: data})
	}
	if err != nil {
		c.log.Error("render console page", "page", page, "err", err)
		http.Error(w, "console: render "+page+": "+err.Error(), http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// staticHandler serves the embedded CSS and JavaScript. Their URLs carry
// a content hash (assetURL), so they may be cached for good.
func staticHandler() http.Handler {
	sub, _ := fs.Sub(staticFS, "static")
	files := http.FileServerFS(sub)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.RawQuery != "" {
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		}
		files.ServeHTTP(w, r)
	})
}

// assetVersions maps a static file to a hash of its content.
var assetVersions = func() map[string]string {
	out := map[string]string{}
	_ = fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		out[strings.TrimPrefix(p, "static/")] = hex.EncodeToString(sum[:4])
		return nil
	})
	return out
}()

var funcs = template.FuncMap{
	"asset": func(name string) string {
		return Prefix + "static/" + name + "?v=" + assetVersions[name]
	},
	"esc":   url.PathEscape,
	"query": url.QueryEscape,
	"time":  fmtTime,
	"millis": func(ms int64) string {
		if ms == 0 {
			return ""
		}
		return fmtTime(time.UnixMilli(ms))
	},
	"ptrMillis": func(ms *int64) string {
		if ms == nil {
			return ""
		}
		return fmtTime(time.UnixMilli(*ms))
	},
	"dur":         fmtDuration,
	"statusClass": statusClass,
	"pretty":      prettyJSON,
	"join":        strings.Join,
	"bytes":       fmtBytes,
	"usd":         func(v float64) string { return fmtUSD(v) },
	"price":       dollars,
	"add":         func(a, b int) int { return a + b },
	"deref": func(p *int) string {
		if p == nil {
			return ""
		}
		return strconv.Itoa(*p)
	},
	"boolp": func(p *bool) string {
		if p == nil {
			return ""
		}
		return strconv.FormatBool(*p)
	},
	"svg": func(s string) template.HTML { return template.HTML(s) }, // produced by charts.go, escaped there
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04:05.000Z")
}

func fmtDuration(d time.Duration) string {
	switch {
	case d == 0:
		return "0 ms"
	case d < 10*time.Second:
		return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 2, 64) + " ms"
	}
	return d.Round(time.Millisecond).String()
}

func fmtBytes(n int64) string {
	switch {
	case n >= 1<<20:
		return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MB"
	case n >= 1<<10:
		return strconv.FormatFloat(float64(n)/(1<<10), 'f', 1, 64) + " KB"
	}
	return strconv.FormatInt(n, 10) + " B"
}

// statusClass colours AWS statuses: green for success, red for failures,
// amber for work in progress.
func statusClass(s string) string {
	switch {
	case strings.HasSuffix(s, "_FAILED") || strings.Contains(s, "ROLLBACK") || s == "error" || s == "timeout" || s == "throttled" || s == "Failed":
		return "bad"
	case strings.HasSuffix(s, "_IN_PROGRESS") || s == "Pending":
		return "busy"
	case strings.HasSuffix(s, "_COMPLETE") || s == "success" || s == "Active" || s == "DEPLOYED" || s == "Successful":
		return "good"
	}
	return ""
}

// prettyJSON indents JSON text; anything else is returned as it is.
func prettyJSON(v any) string {
	var raw []byte
	switch x := v.(type) {
	case string:
		raw = []byte(x)
	case []byte:
		raw = x
	default:
		b, err := json.MarshalIndent(x, "", "  ")
		if err != nil {
			return fmt.Sprint(x)
		}
		return string(b)
	}
	var buf bytes.Buffer
	if json.Indent(&buf, raw, "", "  ") != nil {
		return string(raw)
	}
	return buf.String()
}
