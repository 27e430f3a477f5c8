package console

// CheckExposition lets the external tests check /_cloudlet/metrics.
var CheckExposition = checkExposition
