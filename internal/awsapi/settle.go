package awsapi

import (
	"context"
	"time"
)

// DefaultSettleTimeout bounds how long a stack operation's request waits
// for the operation to end (Config.SettleTimeout).
const DefaultSettleTimeout = 10 * time.Second

// NoWaitHeader, sent with any value, makes CreateStack, UpdateStack,
// DeleteStack and ExecuteChangeSet answer as soon as the operation has
// started, as AWS does: for clients that follow the stack's events as
// they happen (cloudlet's own deploy draws them live).
const NoWaitHeader = "X-Cloudlet-No-Wait"

// settle waits, bounded, for the stack operation a request started to
// reach a terminal status before the request is answered. AWS answers at
// once and the clients poll, but their waiters poll once immediately and
// then every 30 s (`aws cloudformation deploy` sleeps 30 s after an
// execute still in progress): an operation that is over by the time the
// answer leaves makes the first poll the last (spec cloudformation §5.8).
// The outcome is the client's to read; a failure here is not the
// request's.
func (h *Handler) settle(c *call, stackID string) {
	if h.settleTimeout <= 0 || c.r.Header.Get(NoWaitHeader) != "" {
		return
	}
	ctx, cancel := context.WithTimeout(c.ctx(), h.settleTimeout)
	defer cancel()
	_, _ = h.cfg.Stacks.Wait(ctx, stackID)
}
