package platform

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/cloudlet-dev/cloudlet/internal/awserr"
	"github.com/cloudlet-dev/cloudlet/internal/stack"
)

// DeployInput is what `cloudlet up` deploys.
type DeployInput struct {
	// TemplatePath is a local template file; nested stacks' TemplateURLs
	// may name files beside it.
	TemplatePath string
	// TemplateBody, when set, is used instead of reading TemplatePath (the
	// embedded example); TemplatePath still names it in messages.
	TemplateBody []byte
	// Dir is where nested templates are looked up when TemplateBody is
	// given; defaults to TemplatePath's folder.
	Dir        string
	StackName  string
	Parameters map[string]string
}

// DeployResult says what Deploy did.
type DeployResult struct {
	Stack *stack.Stack
	// Action is "create", "update" or "none" (nothing changed).
	Action string
}

// Deploy creates the stack, or updates it when it exists, and waits for
// the operation to end. It grants every capability: the user deploys
// their own template on their own machine.
func (p *Platform) Deploy(ctx context.Context, in DeployInput) (*DeployResult, error) {
	body := in.TemplateBody
	if body == nil {
		var err error
		if body, err = os.ReadFile(in.TemplatePath); err != nil {
			return nil, fmt.Errorf("read template: %w", err)
		}
	}
	dir := in.Dir
	if dir == "" {
		dir = filepath.Dir(in.TemplatePath)
	}
	if abs, err := filepath.Abs(dir); err == nil {
		p.templates.AddDir(abs)
	}
	name := filepath.Base(in.TemplatePath)
	cur, err := p.Stacks.Describe(ctx, in.StackName)
	var e *awserr.Error
	switch {
	case err == nil && cur.Status == stack.RollbackComplete:
		// AWS allows only a delete from here; up starts over for the user.
		if err := p.Stacks.DeleteStack(ctx, cur.ID); err != nil {
			return nil, err
		}
		if _, err := p.Stacks.Wait(ctx, cur.ID); err != nil {
			return nil, err
		}
		fallthrough
	case errors.As(err, &e) && e.Code == awserr.CodeValidationError:
		st, err := p.Stacks.CreateStack(ctx, stack.CreateInput{StackName: in.StackName, TemplateBody: body,
			TemplateName: name, Parameters: in.Parameters, Capabilities: stack.AllCapabilities})
		if err != nil {
			return nil, err
		}
		st, err = p.Stacks.Wait(ctx, st.ID)
		return &DeployResult{Stack: st, Action: "create"}, err
	case err != nil:
		return nil, err
	}
	st, err := p.Stacks.UpdateStack(ctx, stack.UpdateInput{StackName: in.StackName, TemplateBody: body,
		TemplateName: name, Parameters: in.Parameters, Capabilities: stack.AllCapabilities})
	if errors.Is(err, stack.ErrNoUpdates) {
		return &DeployResult{Stack: cur, Action: "none"}, nil
	}
	if err != nil {
		return nil, err
	}
	st, err = p.Stacks.Wait(ctx, st.ID)
	return &DeployResult{Stack: st, Action: "update"}, err
}

// Endpoint is an HTTP API's invoke URLs.
type Endpoint struct {
	LogicalID, APIID, Name string
	// URLs are the host form and the path form of each stage's base URL.
	URLs []string
}

// Endpoints lists the HTTP APIs of a stack and its nested stacks.
func (p *Platform) Endpoints(ctx context.Context, stackID string) ([]Endpoint, error) {
	var out []Endpoint
	var walk func(id string) error
	walk = func(id string) error {
		res, err := p.Stacks.Resources(ctx, id)
		if err != nil {
			return err
		}
		for _, r := range res {
			switch r.Type {
			case stack.StackType:
				if r.PhysicalID != "" {
					if err := walk(r.PhysicalID); err != nil {
						return err
					}
				}
			case "AWS::ApiGatewayV2::Api":
				if r.PhysicalID == "" {
					continue
				}
				ep := Endpoint{LogicalID: r.LogicalID, APIID: r.PhysicalID}
				if api, err := p.APIs.GetAPI(ctx, r.PhysicalID); err == nil {
					ep.Name = api.Name
				}
				stages, _ := p.APIs.ListStages(ctx, r.PhysicalID)
				for _, s := range stages {
					prefix := ""
					if s.StageName != "$default" {
						prefix = "/" + s.StageName
					}
					ep.URLs = append(ep.URLs, p.APIEndpoint(r.PhysicalID)+prefix+"/",
						fmt.Sprintf("%s/_aws/execute-api/%s%s/", p.URL(), r.PhysicalID, prefix))
				}
				out = append(out, ep)
			}
		}
		return nil
	}
	err := walk(stackID)
	sort.Slice(out, func(i, j int) bool { return out[i].APIID < out[j].APIID })
	return out, err
}
