package console

import (
	"encoding/json"
	"regexp"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/store"
)

// bucketTestEvents holds saved test events under "<function>/<name>";
// function names cannot contain '/'.
const bucketTestEvents = "console.testevents"

// TestEvent is a saved test event of a function.
type TestEvent struct {
	Function, Name string
	Payload        string
	Saved          time.Time
}

// eventNameRE is the AWS console's rule for test event names.
var eventNameRE = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,25}$`)

func (c *Console) saveTestEvent(function, name, payload string) error {
	if !eventNameRE.MatchString(name) {
		return badRequest("Event name %q is not valid: use 1 to 25 letters, digits, '.', '_' or '-'.", name)
	}
	if !json.Valid([]byte(payload)) {
		return badRequest("The event of %q is not valid JSON.", name)
	}
	ev := TestEvent{Function: function, Name: name, Payload: payload, Saved: c.now().UTC()}
	return c.cfg.DB.Update(func(tx *store.Tx) error {
		return tx.Put(bucketTestEvents, function+"/"+name, ev)
	})
}

func (c *Console) testEvents(function string) ([]TestEvent, error) {
	var out []TestEvent
	err := c.cfg.DB.View(func(tx *store.Tx) error {
		var err error
		out, err = store.List[TestEvent](tx, bucketTestEvents, function+"/")
		return err
	})
	return out, err
}

func (c *Console) deleteTestEvent(function, name string) error {
	return c.cfg.DB.Update(func(tx *store.Tx) error {
		return tx.Delete(bucketTestEvents, function+"/"+name)
	})
}
