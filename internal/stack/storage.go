package stack

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/cloudlet-dev/cloudlet/internal/store"
)

// Store layout: stacks by ID; live stack names → ID; resources by
// "stackID/logicalID"; events by "stackID/sequence"; exports by name;
// imports by "export\x00stackID"; an update's undo journal by
// "stackID/sequence"; change sets by ID.
const (
	bucketStacks     = "cfn.stacks"
	bucketNames      = "cfn.names"
	bucketResources  = "cfn.resources"
	bucketEvents     = "cfn.events"
	bucketExports    = "cfn.exports"
	bucketImports    = "cfn.imports"
	bucketJournal    = "cfn.journal"
	bucketChangeSets = "cfn.changesets"
)

// lookup finds a stack by live name or by ID; nil when there is none.
func lookup(tx *store.Tx, nameOrID string) (*Stack, error) {
	id := nameOrID
	if !strings.HasPrefix(nameOrID, "arn:") {
		var ok bool
		var err error
		if ok, err = tx.Get(bucketNames, nameOrID, &id); err != nil || !ok {
			return nil, err
		}
	}
	st, ok, err := store.Get[Stack](tx, bucketStacks, id)
	if err != nil || !ok {
		return nil, err
	}
	return &st, nil
}

func loadResources(tx *store.Tx, stackID string) ([]Resource, error) {
	return store.List[Resource](tx, bucketResources, stackID+"/")
}

func putResource(tx *store.Tx, stackID string, r *Resource) error {
	return tx.Put(bucketResources, stackID+"/"+r.LogicalID, r)
}

func putEvent(tx *store.Tx, ev *Event) error {
	seq, err := tx.NextSequence(bucketEvents)
	if err != nil {
		return err
	}
	return tx.Put(bucketEvents, fmt.Sprintf("%s/%016x", ev.StackID, seq), ev)
}

func sortStacks(s []*Stack) {
	sort.SliceStable(s, func(i, j int) bool { return s[i].CreationTime.After(s[j].CreationTime) })
}

// propertiesJSON renders resolved properties for an event's
// ResourceProperties field (a JSON string on the wire).
func propertiesJSON(p map[string]any) string {
	if p == nil {
		return ""
	}
	b, err := json.Marshal(p)
	if err != nil {
		return ""
	}
	return string(b)
}
