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

	// parent is set for nested stacks.
	parent          *Stack
	parentLogicalID string
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
	p, err := e.prepare(ctx, name, body, in.Parameters, in.Capabilities, in.StackName, id)
	if err != nil {
		return nil, err
	}
	st := &Stack{ID: id, Name: in.StackName, Region: e.cfg.Region, AccountID: e.cfg.AccountID,
		Description: p.tmpl.Description, TemplateBody: string(body), TemplateName: name,
		Parameters: p.record, Capabilities: in.Capabilities, DisableRollback: in.DisableRollback,
		CreationTime: e.now().UTC(), Tags: in.Tags, NotificationARNs: in.NotificationARNs}
	if in.parent != nil {
		st.ParentID = in.parent.ID
		st.RootID = in.parent.RootID
		if st.RootID == "" {
			st.RootID = in.parent.ID
		}
		st.ParentLogicalID = in.parentLogicalID
	}
	err = e.db.Update(func(tx *store.Tx) error {
		if cur, err := lookup(tx, in.StackName); err != nil {
			return err
		} else if cur != nil && cur.Status != DeleteComplete {
			return awserr.New(awserr.CodeAlreadyExistsException, "Stack [%s] already exists", in.StackName)
		}
		if err := tx.Put(bucketNames, in.StackName, id); err != nil {
			return err
		}
		return tx.Put(bucketStacks, id, st)
	})
	if err != nil {
		return nil, err
	}
	r := e.newRun(st, p.tmpl, p.params)
	r.scope.Conditions = p.conds
	if err := r.setStatus(CreateInProgress, "User Initiated"); err != nil {
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
	failed, _ := walk(ctx, ids, deps, r.e.par, r.createResource)
	var reason string
	if len(failed) == 0 {
		outs, err := r.evalOutputs(conds)
		if err == nil {
			err = r.e.putExports(r.st.ID, outs)
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
	reason += "Rollback requested by user."
	if err := r.setStatus(RollbackInProgress, reason); err != nil {
		r.e.log.Error("stack rollback", "stack", r.st.Name, "err", err)
		return
	}
	if r.deleteAll(ctx) {
		r.finish(RollbackComplete, reason)
	} else {
		r.finish(RollbackFailed, reason)
	}
}

// finish commits the operation's final status and remembers its first
// failure for Wait's caller.
func (r *run) finish(status, reason string) {
	if err := r.setStatus(status, reason); err != nil {
		r.e.log.Error("stack status", "stack", r.st.Name, "status", status, "err", err)
	}
	r.e.mu.Lock()
	if err := r.firstError(); err != nil {
		r.e.detail[r.st.ID] = err
	} else {
		delete(r.e.detail, r.st.ID)
	}
	r.e.mu.Unlock()
}

// request builds a provider call for res.
func (r *run) request(res *Resource) *Request {
	return &Request{
		Stack:      StackInfo{Name: r.st.Name, ID: r.st.ID, Region: r.st.Region, AccountID: r.st.AccountID, Partition: partitionOf(r.st.Region)},
		LogicalID:  res.LogicalID,
		Type:       res.Type,
		Properties: res.Properties,
		PhysicalID: res.PhysicalID,
		Attributes: res.Attributes,
	}
}

// createResource creates one resource, recording AWS's event sequence
// (spec §5.3).
func (r *run) createResource(ctx context.Context, id string) error {
	tr := r.templateResource(id)
	p, _ := r.e.cfg.Registry.Lookup(tr.Type)
	res := &Resource{LogicalID: id, Type: tr.Type, DeletionPolicy: tr.DeletionPolicy, UpdateReplacePolicy: tr.UpdateReplacePolicy}
	if err := r.record(res, CreateInProgress, "", false); err != nil {
		return err
	}
	props, err := r.evalProperties(tr)
	if err == nil {
		err = checkRequired(id, p.Schema(), props)
	}
	if err == nil {
		res.Properties = props
		res.Metadata = r.evalMetadata(tr)
		var out *Result
		out, err = p.Create(ctx, r.request(res))
		if err == nil {
			res.PhysicalID, res.Attributes = out.PhysicalID, out.Attributes
			if err = r.record(res, CreateInProgress, "Resource creation Initiated", true); err != nil {
				return err
			}
			return r.record(res, CreateComplete, "", true)
		}
	}
	r.fail(id, positioned(tr, err))
	_ = r.record(res, CreateFailed, reasonOf(err), false)
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

// deleteAll deletes every resource the run holds, dependents first. It
// reports whether all deletions succeeded.
func (r *run) deleteAll(ctx context.Context) bool {
	r.mu.Lock()
	var ids []string
	for id, res := range r.res {
		if res.Status != DeleteComplete && res.Status != DeleteSkipped {
			ids = append(ids, id)
		}
	}
	r.mu.Unlock()
	deps := map[string][]string{}
	for _, id := range ids {
		if tr := r.templateResource(id); tr != nil {
			deps[id] = r.tmpl.Dependencies(tr, r.scope.Conditions)
		}
	}
	failed, _ := walk(ctx, ids, reverse(deps), r.e.par, r.deleteResource)
	return len(failed) == 0
}

// deleteResource deletes one resource, honouring DeletionPolicy Retain.
func (r *run) deleteResource(ctx context.Context, id string) error {
	r.mu.Lock()
	res := r.res[id]
	r.mu.Unlock()
	if res.DeletionPolicy == "Retain" && res.PhysicalID != "" {
		return r.record(res, DeleteSkipped, "", false)
	}
	if res.PhysicalID == "" {
		// Never made (it failed or never started): nothing to delete.
		return r.record(res, DeleteComplete, "", false)
	}
	if err := r.record(res, DeleteInProgress, "", false); err != nil {
		return err
	}
	p, ok := r.e.cfg.Registry.Lookup(res.Type)
	if !ok {
		err := fmt.Errorf("no provider for %s", res.Type)
		_ = r.record(res, DeleteFailed, err.Error(), false)
		return err
	}
	if err := p.Delete(ctx, r.request(res)); err != nil {
		r.fail(id, err)
		_ = r.record(res, DeleteFailed, reasonOf(err), false)
		return err
	}
	return r.record(res, DeleteComplete, "", false)
}

// ReasonError is a failure whose message is already the status reason AWS
// shows, in AWS's wording (nested stacks' "Embedded stack … was not
// successfully created: …", property validation messages).
type ReasonError struct{ Reason string }

func (e *ReasonError) Error() string { return e.Reason }

// Reasonf returns a *ReasonError; AWS's messages start with capitals and
// end with periods, which Go's error-string style would not allow.
func Reasonf(format string, args ...any) error {
	return &ReasonError{Reason: fmt.Sprintf(format, args...)}
}

// reasonOf renders a failure as a resource event's status reason.
func reasonOf(err error) string {
	var re *ReasonError
	if errors.As(err, &re) {
		return re.Reason
	}
	if ae, ok := awserr.As(err); ok {
		return fmt.Sprintf("Resource handler returned message: %q (RequestToken: %s, HandlerErrorCode: %s)",
			ae.Message, newUUID(), handlerErrorCode(ae))
	}
	if te := template.AWSError(err); te != nil {
		return te.Message
	}
	return err.Error()
}

// handlerErrorCode maps a service error to the CloudFormation handler
// error code AWS reports beside it.
func handlerErrorCode(e *awserr.Error) string {
	switch {
	case e.HTTPStatus() == 404:
		return "NotFound"
	case e.HTTPStatus() == 409:
		return "AlreadyExists"
	case e.HTTPStatus() == 403:
		return "AccessDenied"
	case e.HTTPStatus() >= 500:
		return "ServiceInternalError"
	}
	return "InvalidRequest"
}

// positioned adds the resource's file and line to a failure, for the
// terminal; the event reason stays AWS's.
func positioned(tr *template.Resource, err error) error {
	var te *template.Error
	if errors.As(err, &te) {
		return err
	}
	return fmt.Errorf("%s:%d:%d: %w", tr.Pos.File, tr.Pos.Line, tr.Pos.Col, err)
}

// putExports records the stack's exports, refusing a name another stack
// exports (spec §1.7).
func (e *Engine) putExports(stackID string, outs []Output) error {
	return e.db.Update(func(tx *store.Tx) error {
		for _, o := range outs {
			if o.ExportName == "" {
				continue
			}
			var cur exportRecord
			if ok, err := tx.Get(bucketExports, o.ExportName, &cur); err != nil {
				return err
			} else if ok && cur.StackID != stackID {
				name := cur.StackID
				if st, _ := lookup(tx, cur.StackID); st != nil {
					name = st.Name
				}
				return Reasonf("Export with name %s is already exported by stack %s", o.ExportName, name)
			}
			if err := tx.Put(bucketExports, o.ExportName, exportRecord{Name: o.ExportName, Value: o.Value, StackID: stackID}); err != nil {
				return err
			}
		}
		return nil
	})
}

// dropExports removes the exports of a stack that no longer has them.
func (e *Engine) dropExports(stackID string, keep []Output) error {
	kept := map[string]bool{}
	for _, o := range keep {
		kept[o.ExportName] = true
	}
	return e.db.Update(func(tx *store.Tx) error {
		var drop []string
		err := tx.ForEach(bucketExports, "", func(k string, raw []byte) error {
			var ex exportRecord
			if ok, _ := tx.Get(bucketExports, k, &ex); ok && ex.StackID == stackID && !kept[k] {
				drop = append(drop, k)
			}
			return nil
		})
		for _, k := range drop {
			if err := tx.Delete(bucketExports, k); err != nil {
				return err
			}
		}
		return err
	})
}
