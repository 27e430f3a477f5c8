package stack

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/cloudlet-dev/cloudlet/internal/awserr"
	"github.com/cloudlet-dev/cloudlet/internal/store"
	"github.com/cloudlet-dev/cloudlet/internal/template"
)

// CreateInput is a CreateStack request.
type CreateInput struct {
	StackName string
	// TemplateBody, or TemplateURL read through the TemplateSource.
	TemplateBody []byte
	TemplateURL  string
	// TemplateName names the template in error messages (a file name);
	// defaults to the URL's last part or "template".
	TemplateName     string
	Parameters       map[string]string
	Capabilities     []string
	DisableRollback  bool
	Tags             map[string]string
	NotificationARNs []string
	// EnableTerminationProtection refuses DeleteStack until it is
	// switched off (UpdateTerminationProtection).
	EnableTerminationProtection bool

	// parent is set for nested stacks.
	parent          *Stack
	parentLogicalID string
	// review is the REVIEW_IN_PROGRESS stack a CREATE change set made.
	review *Stack
}

// CreateStack validates the template and starts creating the stack. It
// returns once the stack is CREATE_IN_PROGRESS; use Wait for the end.
func (e *Engine) CreateStack(ctx context.Context, in CreateInput) (*Stack, error) {
	r, err := e.startCreate(ctx, in)
	if err != nil {
		return nil, err
	}
	st := *r.st
	end, _ := e.begin(r.st.ID)
	go func() {
		defer end()
		r.runCreate(e.ctx)
	}()
	return &st, nil
}

// startCreate validates, registers the stack name and commits the stack
// as CREATE_IN_PROGRESS.
func (e *Engine) startCreate(ctx context.Context, in CreateInput) (*run, error) {
	if err := validateStackName(in.StackName); err != nil {
		return nil, err
	}
	name, body, err := e.templateOf(ctx, in.TemplateName, in.TemplateBody, in.TemplateURL)
	if err != nil {
		return nil, err
	}
	id := e.stackARN(in.StackName)
	if in.review != nil {
		id = in.review.ID
	}
	p, err := e.prepare(ctx, prepareInput{name: name, body: body, supplied: in.Parameters, caps: in.Capabilities,
		stackName: in.StackName, stackID: id, direct: in.review == nil && in.parent == nil})
	if err != nil {
		return nil, err
	}
	st := &Stack{ID: id, Name: in.StackName, Region: e.cfg.Region, AccountID: e.cfg.AccountID,
		Description: p.tmpl.Description, TemplateBody: string(body), TemplateName: name,
		Parameters: p.record, Capabilities: in.Capabilities, DisableRollback: in.DisableRollback,
		CreationTime: e.now().UTC(), Tags: in.Tags, NotificationARNs: in.NotificationARNs,
		TerminationProtect: in.EnableTerminationProtection}
	if in.review != nil {
		st.Status, st.CreationTime, st.ChangeSetID = ReviewInProgress, in.review.CreationTime, in.review.ChangeSetID
	}
	if in.parent != nil {
		st.ParentID = in.parent.ID
		st.RootID = in.parent.RootID
		if st.RootID == "" {
			st.RootID = in.parent.ID
		}
		st.ParentLogicalID = in.parentLogicalID
	}
	r := e.newRun(st, p.tmpl, p.params)
	r.scope.Conditions = p.conds
	err = r.setStatusWith(CreateInProgress, "User Initiated", func(tx *store.Tx) error {
		cur, err := lookup(tx, in.StackName)
		if err != nil {
			return err
		}
		if cur != nil && cur.Status != DeleteComplete && cur.ID != st.ID {
			return awserr.New(awserr.CodeAlreadyExistsException, "Stack [%s] already exists", in.StackName)
		}
		return tx.Put(bucketNames, in.StackName, id)
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// templateOf returns the template's display name and body, reading
// TemplateURL through the TemplateSource when no body is given.
func (e *Engine) templateOf(ctx context.Context, name string, body []byte, url string) (string, []byte, error) {
	if body == nil && url == "" {
		return "", nil, awserr.New(awserr.CodeValidationError, "Either Template URL or Template Body must be specified.")
	}
	if body == nil {
		if e.cfg.Templates == nil {
			return "", nil, awserr.New(awserr.CodeValidationError, "TemplateURL must be a supported URL.")
		}
		n, b, err := e.cfg.Templates.FetchTemplate(ctx, url)
		if err != nil {
			return "", nil, err
		}
		if name == "" {
			name = n
		}
		body = b
	}
	if name == "" {
		name = "template"
	}
	return name, body, nil
}

// runCreate creates every resource, then the outputs; on failure it rolls
// back (unless rollback is disabled).
func (r *run) runCreate(ctx context.Context) {
	conds := r.scope.Conditions
	ids, deps := r.dependencyMap(conds)
	failed, _ := walk(ctx, ids, deps, r.e.par, stopOnFailure, r.createResource)
	if r.stopping() {
		return
	}
	var reason string
	if len(failed) == 0 {
		outs, err := r.evalOutputs(conds)
		if err == nil {
			err = r.e.putExports(r.st.ID, outs)
		}
		if err == nil {
			err = r.putImports()
		}
		if err == nil {
			r.st.Outputs = outs
			r.finish(CreateComplete, "")
			return
		}
		r.fail("Outputs", err)
		reason = reasonOf(err) + ". "
	} else {
		reason = fmt.Sprintf("The following resource(s) failed to create: %s. ", failedList(failed))
	}
	if r.st.DisableRollback {
		r.finish(CreateFailed, strings.TrimSpace(reason))
		return
	}
	// The rollback runs even when the create's own context was cancelled
	// (a nested stack whose sibling failed); only shutdown stops it.
	r.rollbackCreate(r.e.ctx, reason+"Rollback requested by user.")
}

// rollbackCreate deletes everything a failed create made.
func (r *run) rollbackCreate(ctx context.Context, reason string) {
	if r.st.Status != RollbackInProgress {
		if err := r.setStatus(RollbackInProgress, reason); err != nil {
			r.e.log.Error("stack rollback", "stack", r.st.Name, "err", err)
			return
		}
	}
	ok := r.deleteAll(ctx, true)
	if r.stopping() {
		return
	}
	if ok {
		r.finish(RollbackComplete, reason)
	} else {
		r.finish(RollbackFailed, reason)
	}
}

// createResource creates one resource, recording AWS's event sequence
// (spec §5.3). The planned physical ID is committed before the provider
// is called.
func (r *run) createResource(ctx context.Context, id string) error {
	tr := r.templateResource(id)
	p, _ := r.e.cfg.Registry.Lookup(tr.Type)
	res := &Resource{LogicalID: id, Type: tr.Type, DeletionPolicy: tr.DeletionPolicy, UpdateReplacePolicy: tr.UpdateReplacePolicy}
	props, err := r.evalProperties(tr)
	if err == nil {
		err = checkRequired(id, p.Schema(), props)
	}
	req := r.request(res)
	req.suffix = randomSuffix(12, alnum)
	if err == nil {
		res.Properties = props
		res.Metadata = r.evalMetadata(tr)
		req.Properties = props
		if pl, ok := p.(Planner); ok {
			res.PlannedID, err = pl.PlannedID(req)
		}
	}
	if rerr := r.record(res, CreateInProgress, "", err == nil); rerr != nil {
		return rerr
	}
	if err == nil {
		var out *Result
		out, err = p.Create(ctx, req)
		if err == nil {
			res.PhysicalID, res.Attributes, res.PlannedID = out.PhysicalID, out.Attributes, ""
			return r.recordSteps(res, nil,
				step{CreateInProgress, "Resource creation Initiated", true},
				step{CreateComplete, "", true})
		}
		if r.stopping() {
			return err
		}
		// Create either succeeded or left nothing behind, or says what
		// it left. A cancelled Create's outcome is unknown (a custom
		// resource may still act on it): the planned ID stays, and the
		// rollback deletes by it.
		if !cancelled(ctx) {
			res.PlannedID = ""
		}
		var left *LeftoverError
		if errors.As(err, &left) {
			res.PhysicalID = left.PhysicalID
		}
	}
	reason := reasonOf(err)
	if cancelled(ctx) {
		reason = "Resource creation cancelled"
	} else {
		r.fail(id, positioned(tr, err))
	}
	_ = r.record(res, CreateFailed, reason, false)
	return err
}

// evalMetadata renders a resource's Metadata as JSON text ("" if none).
func (r *run) evalMetadata(tr *template.Resource) string {
	if tr.Metadata == nil {
		return ""
	}
	v, err := template.Eval(tr.Metadata, r.scope)
	if err != nil {
		return ""
	}
	m, _ := v.(map[string]any)
	return propertiesJSON(m)
}
