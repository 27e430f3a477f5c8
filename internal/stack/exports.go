package stack

import (
	"fmt"
	"slices"
	"strings"

	"github.com/cloudlet-dev/cloudlet/internal/awserr"
	"github.com/cloudlet-dev/cloudlet/internal/store"
)

type exportRecord struct {
	Name, Value, StackID string
}

// Export is an exported output, as ListExports reports it.
type Export struct {
	ExportingStackID, Name, Value string
}

// ListExports returns every export, by name.
func (e *Engine) ListExports() ([]Export, error) {
	var out []Export
	err := e.db.View(func(tx *store.Tx) error {
		all, err := store.List[exportRecord](tx, bucketExports, "")
		for _, x := range all {
			out = append(out, Export{ExportingStackID: x.StackID, Name: x.Name, Value: x.Value})
		}
		return err
	})
	return out, err
}

// importKey indexes which stacks import an export: export name, then the
// importing stack's ID.
func importKey(export, stackID string) string { return export + "\x00" + stackID }

// importValue resolves Fn::ImportValue from the exports of other stacks.
func (e *Engine) importValue(name string) (string, error) {
	var ex exportRecord
	var ok bool
	err := e.db.View(func(tx *store.Tx) error {
		var err error
		ok, err = tx.Get(bucketExports, name, &ex)
		return err
	})
	if err != nil {
		return "", err
	}
	if !ok {
		return "", awserr.New(awserr.CodeValidationError, "No export named %s found", name)
	}
	return ex.Value, nil
}

// noteImport remembers that the run's stack imports an export.
func (r *run) noteImport(name string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.imports == nil {
		r.imports = map[string]bool{}
	}
	r.imports[name] = true
}

// putImports replaces the stack's recorded imports with those the run
// resolved: every property and output is evaluated by a create or an
// update, so the run has seen them all.
func (r *run) putImports() error {
	r.mu.Lock()
	names := make([]string, 0, len(r.imports))
	for n := range r.imports {
		names = append(names, n)
	}
	r.mu.Unlock()
	return r.e.db.Update(func(tx *store.Tx) error {
		if err := dropImports(tx, r.st.ID); err != nil {
			return err
		}
		for _, n := range names {
			if err := tx.PutRaw(bucketImports, importKey(n, r.st.ID), []byte(`""`)); err != nil {
				return err
			}
		}
		return nil
	})
}

func dropImports(tx *store.Tx, stackID string) error {
	var drop []string
	err := tx.ForEach(bucketImports, "", func(k string, _ []byte) error {
		if strings.HasSuffix(k, "\x00"+stackID) {
			drop = append(drop, k)
		}
		return nil
	})
	for _, k := range drop {
		if err := tx.Delete(bucketImports, k); err != nil {
			return err
		}
	}
	return err
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
		if err == nil && keep == nil {
			err = dropImports(tx, stackID)
		}
		return err
	})
}

// exportUser reports, in AWS's words, an export of the stack that another
// live stack imports and that would be deleted (outs nil: the stack is
// being deleted) or changed or dropped (outs: the stack's new outputs);
// "" when there is none (spec §1.7).
func (e *Engine) exportUser(stackID string, outs []Output) (string, error) {
	var msg string
	err := e.db.View(func(tx *store.Tx) error {
		all, err := store.List[exportRecord](tx, bucketExports, "")
		if err != nil {
			return err
		}
		for _, ex := range all {
			if ex.StackID != stackID {
				continue
			}
			if outs != nil {
				i := slices.IndexFunc(outs, func(o Output) bool { return o.ExportName == ex.Name })
				if i >= 0 && outs[i].Value == ex.Value {
					continue
				}
			}
			user, err := importer(tx, ex.Name, stackID)
			if err != nil || user == "" {
				if err != nil {
					return err
				}
				continue
			}
			verb := "deleted"
			if outs != nil {
				verb = "updated"
			}
			msg = fmt.Sprintf("Export %s cannot be %s as it is in use by %s", ex.Name, verb, user)
			return nil
		}
		return nil
	})
	return msg, err
}

// importer names a live stack other than self that imports export.
func importer(tx *store.Tx, export, self string) (string, error) {
	var user string
	err := tx.ForEach(bucketImports, export+"\x00", func(k string, _ []byte) error {
		id := strings.TrimPrefix(k, export+"\x00")
		if id == self || user != "" {
			return nil
		}
		st, err := lookup(tx, id)
		if err != nil {
			return err
		}
		if st != nil && st.Status != DeleteComplete {
			user = st.Name
		}
		return nil
	})
	return user, err
}
