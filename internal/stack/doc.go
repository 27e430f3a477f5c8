// Package stack is cloudlet's CloudFormation engine: it creates, updates
// and deletes stacks, records their events and resources, rolls back on
// failure, and runs nested stacks as full stacks of their own.
//
// # Flow
//
// A request (CreateStack, UpdateStack, DeleteStack) is validated
// synchronously — template syntax, parameters, resource types, required
// properties, capabilities, dependency cycles — so that bad input fails
// before anything is made, with AWS's ValidationError wording. The stack
// record is then committed in its *_IN_PROGRESS status and the work runs
// in the background: resources start as soon as everything they depend on
// is complete (independent resources in parallel, bounded), each one's
// properties evaluated at that moment against the live values of the
// resources before it (internal/template is lazy for that reason).
// Callers poll Describe or wait with Wait, as the AWS CLI's waiters do.
//
// # Providers
//
// The engine knows resource types only through the Provider interface,
// registered by CloudFormation type name (platform does the registering).
// AWS::CloudFormation::Stack is the engine's own: a nested stack is a
// child stack with its own events and status, created through the same
// code path, with its template read through the TemplateSource.
//
// # States
//
// Stack and resource statuses are AWS's (CREATE_IN_PROGRESS, …). Every
// status change is committed to the store before the engine acts on it,
// so a server killed mid-operation finds, on restart, which stacks were
// in progress and finishes them (see Recover).
package stack
