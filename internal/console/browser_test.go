package console_test

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// chromium finds a Chromium to drive, or skips the test naming it.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	t.Skip("no Chromium found (chromium, chromium-browser or google-chrome): install Debian's chromium package (.ci/run does)")
	return ""
}

// artifacts is where screenshots go: $CLOUDLET_ARTIFACTS, or
// test-artifacts/ at the repository root.
func artifacts(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("CLOUDLET_ARTIFACTS")
	if dir == "" {
		root, err := filepath.Abs("../..")
		if err != nil {
			t.Fatal(err)
		}
		dir = filepath.Join(root, "test-artifacts")
	}
	dir = filepath.Join(dir, "console")
	if err := os.RemoveAll(dir); err != nil { // no stale screenshots from an earlier run
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// browser starts a headless Chromium with a fresh profile; it is closed
// before the platform shuts down (cleanups run last-in first-out), so no
// live stream holds the shutdown.
func browser(t *testing.T) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium(t)), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck, chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(actx)
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc()
	})
	// The first action starts the browser and binds it to ctx, which has
	// no deadline; each step then gets its own (step).
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start %s: %v", chromium(t), err)
	}
	// Confirmation dialogs (delete) are accepted, as a user would.
	dialogs := chromedp.Events(ctx, page.JavascriptDialogOpening)
	go func() {
		for _, err := range dialogs {
			if err != nil {
				return
			}
			_, _ = chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
		}
	}()
	return ctx
}

// step bounds one browser action, so a missing element fails the test
// with its name instead of hanging it.
func step(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, 30*time.Second)
}

// TestBrowserSeedWalkthrough drives a real Chromium through the issue's
// story: open the console, find the seed stack, open its API, see the
// route GET / and its integration, run "try it" and see "Hello form Awstut
// !", open the function, test-invoke it, see the invocation and its log
// lines. Each page is saved as a screenshot.
func TestBrowserSeedWalkthrough(t *testing.T) {
	ctx := browser(t)
	dir := artifacts(t)
	p := start(t)
	deploySeed(t, p)

	n := 0
	shot := func(name string) {
		t.Helper()
		n++
		sctx, cancel := step(ctx)
		defer cancel()
		png, err := chromedp.Run(sctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		file := filepath.Join(dir, fmt.Sprintf("%02d-%s.png", n, name))
		if err := os.WriteFile(file, png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	do := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		sctx, cancel := step(ctx)
		defer cancel()
		if err := chromedp.Do(sctx, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	// follow clicks a link or button and waits for the page it loads.
	follow := func(what string, sel chromedp.CSS) {
		t.Helper()
		sctx, cancel := step(ctx)
		defer cancel()
		resp, err := chromedp.RunResponse(sctx, chromedp.Click(sel, chromedp.NodeVisible))
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if resp.Status != 200 {
			t.Fatalf("%s: HTTP %d", what, resp.Status)
		}
	}
	text := func(sel chromedp.CSS) string {
		t.Helper()
		sctx, cancel := step(ctx)
		defer cancel()
		s, err := chromedp.Run(sctx, chromedp.Text(sel, chromedp.NodeVisible))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return s
	}
	mustShow := func(page string, sel chromedp.CSS, wants ...string) {
		t.Helper()
		got := text(sel)
		for _, w := range wants {
			if !strings.Contains(got, w) {
				t.Errorf("%s does not show %q in %s:\n%s", page, w, sel, got)
			}
		}
	}

	// Without its token the console only says how to get in.
	do("open the console without its token", chromedp.Navigate(p.URL()+"/_cloudlet/"))
	mustShow("the 401 page", "body", "401 Unauthorized", "Open the console URL cloudlet printed")
	shot("locked")
	// Open the console at the URL cloudlet prints: the browser keeps the
	// token, and the address bar no longer shows it.
	do("open the console URL", chromedp.Navigate(p.ConsoleURL()))
	sctx, cancel := step(ctx)
	at, err := chromedp.Run(sctx, chromedp.Location())
	cancel()
	if err != nil {
		t.Fatalf("read the address: %v", err)
	}
	if at != p.URL()+"/_cloudlet/" {
		t.Errorf("the console URL leads to %s, want %s/_cloudlet/ (no token in the address bar)", at, p.URL())
	}
	mustShow("overview", "main", "fa-005", "CREATE_COMPLETE")
	shot("overview")
	// Roots come first, each followed by its nested stacks.
	follow("open the seed stack", `main table a[href^="/_cloudlet/stacks/"]`)
	mustShow("stack page", "main", "fa-005", "LambdaStack", "ApiGatewayStack", "Nested stacks")
	shot("stack")

	// Open its API through the nested stack that holds it.
	follow("open the API stack", `#resources + table a[href*="ApiGatewayStack"]`)
	shot("api-stack")
	follow("open the API", `#resources + table a[href^="/_cloudlet/apis/"]`)
	mustShow("API routes", "#routes + table", "GET /", "NONE", "integrations/")
	mustShow("API integrations", "#integrations + table", "AWS_PROXY", "fa-005-function", "2.0", "ApiGatewayRole")
	shot("api")

	// Try it: the form defaults to the route GET /.
	follow("send the try-it request", `form.try button[type="submit"]`)
	mustShow("try it", "#try-result", "Hello form Awstut !", `"routeKey": "GET /"`, "200 OK")
	shot("try-it")

	// Open the function and test-invoke it.
	follow("open the function", `#try-result h3 a[href^="/_cloudlet/functions/"]`)
	mustShow("function page", "#configuration + dl", "python3.8", "index.lambda_handler", "arm64")
	do("type the test event", chromedp.SetValue(chromedp.CSS(`form.invoke textarea[name="payload"]`), `{"hello": "console"}`))
	shot("function")
	follow("invoke", `form.invoke button[type="submit"]`)
	mustShow("invoke result", "#invoke-result", "succeeded", "Hello form Awstut !", "START RequestId:", "REPORT RequestId:")
	reqID := text(`#invoke-result dl code`)
	mustShow("recent invocations", "#invocations ~ table", reqID, "success")
	shot("invoked")

	// The invocation's log lines, from the request ID's link.
	follow("open the invocation's logs", chromedp.CSS(`#invocations ~ table a[href*="`+reqID+`"]`))
	mustShow("log search", "#search ~ table", "START RequestId: "+reqID, "END RequestId: "+reqID, "REPORT RequestId: "+reqID)
	shot("logs")

	// The live tail of the function's log group shows a request made now,
	// without reloading.
	follow("open the log group", `main p.crumbs a[href^="/_cloudlet/logs"]`)
	follow("open the function's log group", `main table a[href*="fa-005-function"]`)
	do("wait for the tail to connect", chromedp.WaitVisible(chromedp.CSS(`table.tail.connected`)))
	eps, err := p.Endpoints(ctx, mustDescribe(t, p, "fa-005").ID)
	if err != nil || len(eps) == 0 {
		t.Fatalf("Endpoints = %v, %v", eps, err)
	}
	if r := get(t, eps[0].URLs[1]); r.status != 200 {
		t.Fatalf("GET %s = %d", eps[0].URLs[1], r.status)
	}
	do("see the new request in the live tail", chromedp.WaitVisible(chromedp.CSS(`table.tail tbody tr`)))
	mustShow("live tail", "table.tail tbody", "START RequestId:")
	shot("live-tail")

	// IAM: the roles and the denials page.
	follow("open IAM", `header nav a[href="/_cloudlet/iam/roles"]`)
	shot("iam-roles")
	follow("open the API Gateway role", `main table a[href*="ApiGatewayRole"]`)
	mustShow("role page", "main", "apigateway.amazonaws.com", "lambda:InvokeFunction")
	shot("iam-role")

	// The other pages, for the record.
	for _, pg := range []struct{ name, path, want string }{
		{"stacks", "stacks", "fa-005-LambdaStack-"},
		{"apis", "apis", "fa-005-HttpApi"},
		{"functions", "functions", "fa-005-function"},
		{"log-groups", "logs", "/aws/lambda/fa-005-function"},
		{"denials", "iam/denials", "Why was this denied?"},
	} {
		do("open "+pg.name, chromedp.Navigate(p.URL()+"/_cloudlet/"+pg.path))
		mustShow(pg.name, "main", pg.want)
		shot(pg.name)
	}
	do("open the function's log group", chromedp.Navigate(p.URL()+"/_cloudlet/logs/group?name="+url.QueryEscape("/aws/lambda/fa-005-function")))
	follow("open a log stream", `#streams + table a`)
	mustShow("log stream", "main", "START RequestId:", "REPORT RequestId:")
	shot("log-stream")

	// Reading needs no JavaScript: the pages are rendered on the server.
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatal(err)
	}
	do("open the function without JavaScript", chromedp.Navigate(p.URL()+"/_cloudlet/functions/fa-005-function"))
	mustShow("function page without JavaScript", "main", "index.lambda_handler", "Hello form Awstut !", reqID, "Estimated AWS cost")
	do("open the API without JavaScript", chromedp.Navigate(p.URL()+"/_cloudlet/apis/"+eps[0].APIID))
	mustShow("API page without JavaScript", "#routes + table", "GET /")
	shot("no-javascript")
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: false}); err != nil {
		t.Fatal(err)
	}

	// Delete the stack from the console: confirm, then watch it go.
	do("back to the stack", chromedp.Navigate(p.URL()+"/_cloudlet/stacks/"+url.PathEscape(mustDescribe(t, p, "fa-005").ID)))
	follow("delete the stack", `form.danger button`)
	do("wait for DELETE_COMPLETE", chromedp.WaitVisible(chromedp.Search(`//h1/span[text()="DELETE_COMPLETE"]`)))
	shot("deleted")
}
