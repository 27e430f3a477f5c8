package sandbox

import (
	"errors"
	"fmt"
)

// State is where a runtime process stands in the Runtime API protocol
// (shared/specs/lambda.md §1.6). Names are those AWS's runtime API server
// uses in its InvalidStateTransition messages.
type State int

// The states of one runtime process, from start to the end of its life.
const (
	// StateStarted: the process runs its Init phase; it has not called /next.
	StateStarted State = iota
	// StateInitError: the runtime reported /init/error; it should exit.
	StateInitError
	// StateReady: the runtime is parked in /next, waiting for an event.
	StateReady
	// StateRunning: an event was handed to the runtime; a result is due.
	StateRunning
	// StateResponseSent: the runtime posted /response; the invoke ends at its
	// next /next.
	StateResponseSent
	// StateInvocationErrorResponse: the runtime posted /error.
	StateInvocationErrorResponse
)

var stateNames = [...]string{
	StateStarted:                 "Started",
	StateInitError:               "InitError",
	StateReady:                   "Ready",
	StateRunning:                 "Running",
	StateResponseSent:            "ResponseSent",
	StateInvocationErrorResponse: "InvocationErrorResponse",
}

func (s State) String() string {
	if s < 0 || int(s) >= len(stateNames) {
		return fmt.Sprintf("State(%d)", int(s))
	}
	return stateNames[s]
}

// legalSources lists, for each target state, the states it may be entered
// from. Anything not listed is refused: the machine allows only what it names.
var legalSources = map[State][]State{
	StateReady:                   {StateStarted, StateResponseSent, StateInvocationErrorResponse},
	StateInitError:               {StateStarted},
	StateRunning:                 {StateReady},
	StateResponseSent:            {StateRunning},
	StateInvocationErrorResponse: {StateRunning},
}

// ErrNotAllowed is the cause of every refused transition.
var ErrNotAllowed = errors.New("State transition is not allowed")

// TransitionError is a refused transition; its message is the one AWS's
// runtime API puts in a 403 InvalidStateTransition body.
type TransitionError struct {
	From, To State
}

func (e *TransitionError) Error() string {
	return fmt.Sprintf("State transition from %s to %s failed for runtime. Error: %s", e.From, e.To, ErrNotAllowed)
}

func (e *TransitionError) Unwrap() error { return ErrNotAllowed }

// machine is the state of one runtime process. It is not safe for
// concurrent use; its owner holds a lock around it.
type machine struct {
	state State
}

// to moves the machine to target, or refuses with a *TransitionError and
// leaves it where it was.
func (m *machine) to(target State) error {
	for _, from := range legalSources[target] {
		if m.state == from {
			m.state = target
			return nil
		}
	}
	return &TransitionError{From: m.state, To: target}
}
