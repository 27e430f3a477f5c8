package console

import (
	"strconv"
	"strings"

	"github.com/cloudlet-dev/cloudlet/internal/lambda"
)

// Prices is the price table the cost estimates use: AWS list prices in
// us-east-1, without the free tier. Duration is billed per GB-second of
// billed duration × configured memory; arm64 (Graviton) costs about 20%
// less per GB-second than x86_64 for the same duration.
var Prices = PriceTable{
	Region:                "us-east-1",
	AsOf:                  "2026-11-25",
	LambdaRequestsPerM:    0.20,
	LambdaGBSecondX86:     0.0000166667,
	LambdaGBSecondARM:     0.0000133334,
	HTTPAPIRequestsPerM:   1.00,
	HTTPAPIRequestsPerMOf: "first 300 million requests a month",
}

// PriceTable is a set of prices in US dollars.
type PriceTable struct {
	Region, AsOf string
	// LambdaRequestsPerM is the price of one million invocations.
	LambdaRequestsPerM float64
	// LambdaGBSecondX86 and LambdaGBSecondARM are the prices of one
	// GB-second of duration on x86_64 and arm64.
	LambdaGBSecondX86, LambdaGBSecondARM float64
	// HTTPAPIRequestsPerM is the price of one million HTTP API requests
	// in the tier HTTPAPIRequestsPerMOf names.
	HTTPAPIRequestsPerM   float64
	HTTPAPIRequestsPerMOf string
}

// Cost is the estimated AWS cost of some invocations on both
// architectures.
type Cost struct {
	Invocations int
	GBSeconds   float64
	// Requests is the request charge, the same on both architectures.
	Requests   float64
	X86, ARM64 float64
	// PerMillionX86 and PerMillionARM64 scale the same mix of invocations
	// to one million of them.
	PerMillionX86, PerMillionARM64 float64
	// Saving is how much less arm64 costs, in percent.
	Saving float64
}

// gbSeconds is an invocation's billed GB-seconds.
func gbSeconds(inv lambda.InvocationRecord) float64 {
	return float64(inv.BilledMs) / 1000 * float64(inv.MemoryMB) / 1024
}

// EstimateCost prices invocations with table p. Throttled calls are not
// billed.
func EstimateCost(invs []lambda.InvocationRecord, p PriceTable) Cost {
	var c Cost
	for _, inv := range invs {
		if inv.Status == lambda.StatusThrottled {
			continue
		}
		c.Invocations++
		c.GBSeconds += gbSeconds(inv)
	}
	c.Requests = float64(c.Invocations) / 1e6 * p.LambdaRequestsPerM
	c.X86 = c.Requests + c.GBSeconds*p.LambdaGBSecondX86
	c.ARM64 = c.Requests + c.GBSeconds*p.LambdaGBSecondARM
	if c.Invocations > 0 {
		scale := 1e6 / float64(c.Invocations)
		c.PerMillionX86, c.PerMillionARM64 = c.X86*scale, c.ARM64*scale
	}
	if c.X86 > 0 {
		c.Saving = (c.X86 - c.ARM64) / c.X86 * 100
	}
	return c
}

// HTTPAPICost prices a number of HTTP API requests.
func HTTPAPICost(requests int64, p PriceTable) float64 {
	return float64(requests) / 1e6 * p.HTTPAPIRequestsPerM
}

// fmtUSD shows small amounts with enough digits to be non-zero.
func fmtUSD(v float64) string {
	if v == 0 {
		return "$0"
	}
	digits := 2
	for x := v; x < 1 && digits < 10; x *= 10 {
		digits++
	}
	s := strconv.FormatFloat(v, 'f', digits, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return "$" + s
}

// dollars writes a price in full, without an exponent: $0.0000166667.
func dollars(v float64) string { return "$" + strconv.FormatFloat(v, 'f', -1, 64) }
