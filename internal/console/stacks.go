package console

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/awserr"
	"github.com/cloudlet-dev/cloudlet/internal/stack"
)

// stackNode is a stack in the nested-stack tree.
type stackNode struct {
	Stack    *stack.Stack
	Depth    int
	Children []*stackNode
}

// stackTree orders stacks as a tree: roots newest first, each followed
// by its nested stacks. Deleted stacks are left out unless withDeleted.
func stackTree(all []*stack.Stack, withDeleted bool) []*stackNode {
	byID := map[string]*stackNode{}
	var keep []*stack.Stack
	for _, s := range all {
		if !withDeleted && s.Status == stack.DeleteComplete {
			continue
		}
		keep = append(keep, s)
		byID[s.ID] = &stackNode{Stack: s}
	}
	var roots []*stackNode
	for _, s := range keep {
		n := byID[s.ID]
		if p := byID[s.ParentID]; p != nil && s.ParentID != "" {
			p.Children = append(p.Children, n)
			continue
		}
		roots = append(roots, n)
	}
	var flat []*stackNode
	var walk func(n *stackNode, depth int)
	walk = func(n *stackNode, depth int) {
		n.Depth = depth
		flat = append(flat, n)
		for _, c := range n.Children {
			walk(c, depth+1)
		}
	}
	for _, r := range roots {
		walk(r, 0)
	}
	return flat
}

func stackURL(id string) string { return Prefix + "stacks/" + url.PathEscape(id) }

// resourceLink is the console page of a stack resource, or "".
func resourceLink(r stack.Resource) string {
	id := r.PhysicalID
	if id == "" {
		return ""
	}
	apiOf := func() string {
		if s, ok := r.Properties["ApiId"].(string); ok && s != "" {
			return Prefix + "apis/" + url.PathEscape(s)
		}
		return ""
	}
	switch r.Type {
	case stack.StackType:
		return stackURL(id)
	case "AWS::Lambda::Function":
		return functionURL(id)
	case "AWS::Lambda::Permission", "AWS::Lambda::Version", "AWS::Lambda::Alias", "AWS::Lambda::EventInvokeConfig", "AWS::Lambda::Url":
		if s, ok := r.Properties["FunctionName"].(string); ok && s != "" {
			return functionURL(functionNameOf(s))
		}
	case "AWS::ApiGatewayV2::Api":
		return Prefix + "apis/" + url.PathEscape(id)
	case "AWS::ApiGatewayV2::Stage":
		if u := apiOf(); u != "" {
			return u + "#stages"
		}
	case "AWS::ApiGatewayV2::Route":
		if u := apiOf(); u != "" {
			return u + "#routes"
		}
	case "AWS::ApiGatewayV2::Integration":
		if u := apiOf(); u != "" {
			return u + "#integrations"
		}
	case "AWS::ApiGatewayV2::Authorizer":
		if u := apiOf(); u != "" {
			return u + "#authorizers"
		}
	case "AWS::ApiGatewayV2::Deployment":
		if u := apiOf(); u != "" {
			return u + "#stages"
		}
	case "AWS::IAM::Role":
		return roleURL(id)
	case "AWS::Logs::LogGroup":
		return logGroupURL(id)
	}
	return ""
}

// functionNameOf takes a function name out of a name or (partial) ARN.
func functionNameOf(s string) string {
	if i := strings.Index(s, "function:"); i >= 0 {
		s = s[i+len("function:"):]
	}
	name, _, _ := strings.Cut(s, ":")
	return name
}

type overviewPage struct {
	Stacks                          []*stackNode
	APIs, Functions, Roles, Denials int
	URL                             string
}

func (c *Console) overview(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	all, err := c.cfg.Stacks.ListStacks(ctx)
	if err != nil {
		return fmt.Errorf("list stacks: %w", err)
	}
	apis, err := c.cfg.APIs.ListAPIs(ctx)
	if err != nil {
		return fmt.Errorf("list APIs: %w", err)
	}
	fns, err := c.cfg.Functions.ListAllFunctions(ctx)
	if err != nil {
		return fmt.Errorf("list functions: %w", err)
	}
	roles, err := c.allRoles(ctx)
	if err != nil {
		return err
	}
	c.render(w, r, http.StatusOK, "overview", "cloudlet console", "", overviewPage{
		Stacks: stackTree(all, false), APIs: len(apis), Functions: len(fns), Roles: len(roles),
		Denials: len(c.cfg.IAM.RecentDenials()), URL: c.cfg.URL(),
	})
	return nil
}

type stackListPage struct {
	Stacks      []*stackNode
	WithDeleted bool
}

func (c *Console) stackList(w http.ResponseWriter, r *http.Request) error {
	all, err := c.cfg.Stacks.ListStacks(r.Context())
	if err != nil {
		return fmt.Errorf("list stacks: %w", err)
	}
	withDeleted := r.URL.Query().Get("deleted") != ""
	c.render(w, r, http.StatusOK, "stacks", "Stacks", "stacks", stackListPage{Stacks: stackTree(all, withDeleted), WithDeleted: withDeleted})
	return nil
}

// stackResource is a resource row with its console link.
type stackResource struct {
	stack.Resource
	Link string
}

type stackPage struct {
	Stack      *stack.Stack
	Parameters []stack.Parameter
	Resources  []stackResource
	Events     []stack.Event
	Nested     []*stackNode
	Parent     *stack.Stack
	InProgress bool
	// Since is the newest event's time, from which the live view streams.
	Since string
}

// describe loads a stack; a missing one is a 404 page.
func (c *Console) describe(ctx context.Context, id string) (*stack.Stack, error) {
	st, err := c.cfg.Stacks.Describe(ctx, id)
	if e, ok := awserr.As(err); ok && e.Code == awserr.CodeValidationError {
		return nil, notFound("%s", e.Message)
	}
	return st, err
}

func (c *Console) stackPage(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	st, err := c.describe(ctx, r.PathValue("id"))
	if err != nil {
		return err
	}
	res, err := c.cfg.Stacks.Resources(ctx, st.ID)
	if err != nil {
		return fmt.Errorf("stack %s: resources: %w", st.Name, err)
	}
	evs, err := c.cfg.Stacks.Events(ctx, st.ID)
	if err != nil {
		return fmt.Errorf("stack %s: events: %w", st.Name, err)
	}
	all, err := c.cfg.Stacks.ListStacks(ctx)
	if err != nil {
		return fmt.Errorf("list stacks: %w", err)
	}
	p := stackPage{Stack: st, Parameters: maskParams(st.Parameters), Events: evs, InProgress: !stack.IsTerminal(st.Status) && st.Status != stack.DeleteComplete}
	for _, rs := range res {
		p.Resources = append(p.Resources, stackResource{Resource: rs, Link: resourceLink(rs)})
	}
	for _, n := range stackTree(all, st.Status == stack.DeleteComplete) {
		if n.Stack.ID == st.ID {
			p.Nested = n.Children
		}
		if n.Stack.ID == st.ParentID {
			p.Parent = n.Stack
		}
	}
	p.Nested = flatten(p.Nested, 0)
	if len(evs) > 0 {
		p.Since = evs[0].Timestamp.UTC().Format(time.RFC3339Nano)
	}
	refresh := 0
	if p.InProgress {
		refresh = 2
	}
	c.renderRefresh(w, r, http.StatusOK, "stack", st.Name, "stacks", refresh, p)
	return nil
}

// flatten lists a subtree depth first with depths.
func flatten(nodes []*stackNode, depth int) []*stackNode {
	var out []*stackNode
	for _, n := range nodes {
		n.Depth = depth
		out = append(out, n)
		out = append(out, flatten(n.Children, depth+1)...)
	}
	return out
}

// eventRow is a stack event as the live view receives it.
type eventRow struct {
	Time       string `json:"time"`
	LogicalID  string `json:"logicalId"`
	PhysicalID string `json:"physicalId"`
	Type       string `json:"type"`
	Status     string `json:"status"`
	Class      string `json:"class"`
	Reason     string `json:"reason"`
}

// stackEvents streams a stack's new events as Server-Sent Events while
// its operation runs, then an "end" event; without an event-stream Accept
// header it redirects to the stack page.
func (c *Console) stackEvents(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	st, err := c.describe(ctx, r.PathValue("id"))
	if err != nil {
		return err
	}
	if !strings.Contains(r.Header.Get("Accept"), "text/event-stream") {
		http.Redirect(w, r, stackURL(st.ID)+"#events", http.StatusSeeOther)
		return nil
	}
	// A reconnecting browser says where it stopped.
	from := r.URL.Query().Get("since")
	if id := r.Header.Get("Last-Event-ID"); id != "" {
		from = id
	}
	since, _ := time.Parse(time.RFC3339Nano, from)
	sse, err := c.startSSE(w)
	if err != nil {
		return err
	}
	defer sse.stop()
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	for {
		evs, err := c.cfg.Stacks.Events(ctx, st.ID)
		if err != nil {
			return nil // the stream has started; the browser reconnects
		}
		for i := len(evs) - 1; i >= 0; i-- {
			e := evs[i]
			if !e.Timestamp.After(since) {
				continue
			}
			since = e.Timestamp
			at := e.Timestamp.UTC().Format(time.RFC3339Nano)
			b, _ := json.Marshal(eventRow{Time: fmtTime(e.Timestamp), LogicalID: e.LogicalResourceID, PhysicalID: e.PhysicalResourceID,
				Type: e.ResourceType, Status: e.ResourceStatus, Class: statusClass(e.ResourceStatus), Reason: e.ResourceStatusReason})
			sse.send(at, "", string(b))
		}
		cur, err := c.cfg.Stacks.Describe(ctx, st.ID)
		if err != nil || stack.IsTerminal(cur.Status) || cur.Status == stack.DeleteComplete {
			sse.send("", "end", "{}")
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-c.ctx.Done():
			return nil
		case <-sse.end:
			return nil
		case <-tick.C:
		}
	}
}

type deletePage struct {
	Stack     *stack.Stack
	Resources int
}

func (c *Console) stackDeleteConfirm(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	st, err := c.describe(ctx, r.PathValue("id"))
	if err != nil {
		return err
	}
	res, err := c.cfg.Stacks.Resources(ctx, st.ID)
	if err != nil {
		return fmt.Errorf("stack %s: resources: %w", st.Name, err)
	}
	c.render(w, r, http.StatusOK, "delete", "Delete "+st.Name, "stacks", deletePage{Stack: st, Resources: len(res)})
	return nil
}

// stackDelete deletes a stack once confirmed: the form on the stack page
// carries confirm=yes when the script asked, else this shows the
// confirmation page first.
func (c *Console) stackDelete(w http.ResponseWriter, r *http.Request) error {
	if r.PostFormValue("confirm") != "yes" {
		return c.stackDeleteConfirm(w, r)
	}
	ctx := r.Context()
	st, err := c.describe(ctx, r.PathValue("id"))
	if err != nil {
		return err
	}
	if err := c.cfg.Stacks.DeleteStack(ctx, st.ID); err != nil {
		var e *awserr.Error
		if errors.As(err, &e) {
			return badRequest("%s", e.Message)
		}
		return fmt.Errorf("delete stack %s: %w", st.Name, err)
	}
	http.Redirect(w, r, stackURL(st.ID), http.StatusSeeOther)
	return nil
}
