package console

import "time"

// CheckExposition lets the external tests check /_cloudlet/metrics.
var CheckExposition = checkExposition

// SetStreamLifetime shortens event streams for tests.
func SetStreamLifetime(c *Console, d time.Duration) { c.streamLifetime = d }
