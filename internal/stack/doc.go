// Package stack is cloudlet's CloudFormation engine: it creates, updates
// and deletes stacks, records their events and resources, rolls back on
// failure, runs nested stacks as full stacks of their own, computes and
// executes change sets, and finishes after a crash what a killed process
// left in progress.
//
// # Flow
//
// A request (CreateStack, UpdateStack, DeleteStack, CreateChangeSet) is
// validated synchronously — template syntax, parameters, rules, resource
// types, unknown and missing required properties, capabilities (nested
// templates' IAM contents included), dependency cycles — so that bad input
// fails before anything is made, with AWS's wording; Validate reports every
// such problem at once, each with its file, line and logical ID. The stack
// record is then committed in its *_IN_PROGRESS status and the work runs
// in the background: resources start as soon as everything they depend on
// is complete (independent resources in parallel, bounded), each one's
// properties evaluated at that moment against the live values of the
// resources before it (internal/template is lazy for that reason). When
// one fails, the others in flight are cancelled ("Resource creation
// cancelled") and the stack rolls back. Callers poll Describe or wait with
// Wait, as the AWS CLI's waiters do.
//
// # Updates
//
// An update compares each resource's evaluated properties with its record:
// unchanged resources are left alone, changed ones are updated in place or,
// when a create-only property changed, replaced — the new copy first, the
// old one deleted in the UPDATE_COMPLETE_CLEANUP_IN_PROGRESS phase (or kept,
// with UpdateReplacePolicy Retain). Every change is journaled with the
// resource's old record in the transaction that starts it; a failed update
// undoes the journal newest first and its cleanup phase deletes what the
// update made. DeletionPolicy Retain and RetainExceptOnCreate are honoured
// on stack deletion and rollback.
//
// # Providers
//
// The engine knows resource types only through the Provider interface,
// registered by CloudFormation type name (platform does the registering);
// Custom::Name types fall back to the provider registered as CustomTypes.
// AWS::CloudFormation::Stack is the engine's own: a nested stack is a
// child stack with its own events and status, created through the same
// code path, with its template read through the TemplateSource.
//
// # States and crash safety
//
// Stack and resource statuses are AWS's (CREATE_IN_PROGRESS, …). Every
// status change is committed to the store before the engine acts on it.
// A provider that can name the physical ID before Create (Planner) has it
// recorded first, so a crash during Create cannot orphan what it made. On
// start, Recover finds the stacks left in progress and finishes them,
// children before parents: creates roll back, updates roll back from their
// journal, cleanups and deletes complete.
//
// # Writes
//
// bbolt fsyncs every commit. Writes queued while a commit runs are
// coalesced into the next transaction (group commit), and event
// timestamps are handed out with the queue position, from one engine-wide
// clock, so that events are strictly increasing in time and in store order
// (SAM CLI depends on it).
package stack
