package lambda

import (
	"strconv"
	"sync"

	"github.com/cloudlet-dev/cloudlet/internal/store"
)

// function is the stored record of a function: its $LATEST, its
// published versions and aliases, and what applies to all of them.
// Records handed out by the cache are shared and must not be modified;
// writers decode their own copy inside the store transaction.
type function struct {
	Config FunctionConfiguration
	Code   codeRecord
	// Layers are $LATEST's unpacked layers, in Config.Layers' order.
	Layers   []codeRecord      `json:",omitempty"`
	Tags     map[string]string `json:",omitempty"`
	Policy   []Statement       `json:",omitempty"`
	Reserved *int              `json:",omitempty"`
	// Change identifies $LATEST's code and configuration: it changes
	// with them and with nothing else (not with tags or permissions), so
	// that environments are replaced, and versions published, only when
	// what runs changed.
	Change string `json:",omitempty"`
	// Versions are the published versions, oldest first.
	Versions []version `json:",omitempty"`
	// LastVersion is the highest version number ever published: numbers
	// are not reused after a version is deleted.
	LastVersion int                           `json:",omitempty"`
	Aliases     map[string]AliasConfiguration `json:",omitempty"`
	// EventConfigs are the Event invocation settings by qualifier
	// ("$LATEST", a version or an alias).
	EventConfigs map[string]EventInvokeConfig `json:",omitempty"`

	// policyDoc is Policy as the document IAM evaluates, made once when
	// the record is cached rather than on every invocation.
	policyDoc []byte
}

// policyDocument is the function's resource policy document, or nil.
func (fn *function) policyDocument() []byte {
	if fn.policyDoc != nil {
		return fn.policyDoc
	}
	return policyDocument(fn.Policy)
}

// version is an immutable snapshot of $LATEST's code and configuration.
type version struct {
	Config FunctionConfiguration
	Code   codeRecord
	Layers []codeRecord `json:",omitempty"`
	// From is the Change of $LATEST it was published from.
	From string
}

func (fn *function) change() string {
	if fn.Change != "" {
		return fn.Change
	}
	return fn.Config.RevisionID // records written before Change existed
}

// version returns the published version n ("1", "2", …).
func (fn *function) version(n string) (*version, bool) {
	for i := range fn.Versions {
		if fn.Versions[i].Config.Version == n {
			return &fn.Versions[i], true
		}
	}
	return nil, false
}

// isVersionNumber reports whether q names a version rather than an alias.
func isVersionNumber(q string) bool {
	_, err := strconv.ParseUint(q, 10, 32)
	return err == nil
}

// recordCache keeps decoded function records so that an invocation reads
// no store. Every write invalidates its function's entry after it commits;
// gen stops a reader that loaded before a write from caching what it read.
type recordCache struct {
	mu  sync.RWMutex
	gen uint64
	fns map[string]*function
}

// load returns the function's record, from the cache when it can.
func (s *Service) load(name string) (*function, error) {
	c := &s.cache
	c.mu.RLock()
	fn, gen := c.fns[name], c.gen
	c.mu.RUnlock()
	if fn != nil {
		return fn, nil
	}
	var rec function
	var ok bool
	err := s.cfg.DB.View(func(tx *store.Tx) error {
		var err error
		ok, err = tx.Get(bucketFunctions, name, &rec)
		return err
	})
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, s.notFound(name, "")
	}
	rec.policyDoc = policyDocument(rec.Policy)
	c.mu.Lock()
	if c.gen == gen {
		c.fns[name] = &rec
	}
	c.mu.Unlock()
	return &rec, nil
}

func (s *Service) invalidate(name string) {
	c := &s.cache
	c.mu.Lock()
	delete(c.fns, name)
	c.gen++
	c.mu.Unlock()
}

// update changes a function's record in one transaction: change gets a
// private copy to modify (or an error to abort), the result is stored,
// the cache entry dropped, and the new record returned. A missing
// function is notFoundUnqualified.
func (s *Service) update(name string, change func(fn *function) error) (*function, error) {
	return s.updateTx(name, func(_ *store.Tx, fn *function) error { return change(fn) })
}

// updateTx is update for changes that also read other records.
func (s *Service) updateTx(name string, change func(tx *store.Tx, fn *function) error) (*function, error) {
	var out *function
	err := s.cfg.DB.Update(func(tx *store.Tx) error {
		fn, ok, err := store.Get[function](tx, bucketFunctions, name)
		if err != nil {
			return err
		}
		if !ok {
			return s.notFoundUnqualified(name)
		}
		if err := change(tx, &fn); err != nil {
			return err
		}
		out = &fn
		return tx.Put(bucketFunctions, name, &fn)
	})
	// Invalidate even on error: nothing decoded inside a transaction that
	// rolled back may stay cached.
	s.invalidate(name)
	if err != nil {
		return nil, err
	}
	s.limits.setReserved(name, out.Reserved)
	return out, nil
}
