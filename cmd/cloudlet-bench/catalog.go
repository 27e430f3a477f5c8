package main

import "fmt"

// sections are the issue's rows, in the report's order.
var sections = []struct {
	Title, Intro string
}{
	{"Floor", "The limits cloudlet is measured against: the same handler behind the simplest harness — a minimal Go HTTP server that hands each request to one persistent interpreter over a pipe (newline-delimited JSON) and returns its answer — and the handler called in a loop with no I/O at all. The harness runs in a process of its own, like cloudlet. The CPU rows are the CPU time the harness process and the interpreter spend per request while 8 clients load them (from /proc/PID/stat): with 2 cores, they bound the throughput."},
	{"Warm latency and throughput through the HTTP API", "GET / on an HTTP API shaped as the seed's (fa-005: `$default` stage, AWS_PROXY payload 2.0 integration with a credentials role, route `GET /`), on warm environments, over keep-alive loopback connections. Python is the seed's own stack and handler; Node.js and Go (provided.al2023, aws-lambda-go) are the same API and answer. The ratio column divides by the floor of the same runtime (latency: cloudlet ÷ floor; throughput: floor ÷ cloudlet, so that > 1 always means slower than the floor). The CPU rows are the CPU time per request, while 8 clients load the API, of the cloudlet process and of the processes below it (the function runtimes). The last rows call the Lambda service's Invoke in-process, without HTTP."},
	{"Gateway overhead", "The HTTP API data plane with the function replaced by a stub that answers the seed's result at once: over HTTP through cloudlet's edge listener (gateway and stub in a process of their own, the account throttle lifted), then the gateway's handler alone per request, then the route table alone. An HTTP API holds at most 300 routes (AWS's quota, shared/specs/http-api.md §9.3, which cloudlet enforces), so the gateway is measured with 1, 10 and 300 routes and the route table with 10, 1,000 and 10,000."},
	{"Cold start", "Time to the first response of a never-invoked function through the Lambda Invoke API (signed, on an open keep-alive connection): each repetition is the median of 3 fresh functions, each invoked once (-short: 1), 300 ms apart. Without the pool: a server started with `--standby off`, every runtime process started when a request needs it. With the pre-initialised pool: the default server, whose standby processes (one runtime process per runtime in use, started ahead of need) a cold start takes over."},
	{"Scale-out", "50 concurrent invocations (Invoke API, one connection each) of a never-invoked Python function that sleeps 1 s; a new function for each repetition. The CPU rows are the CPU time spent during the round (from /proc/PID/stat): with 2 cores, the wall time is at least about 1 s plus half the CPU time."},
	{"Control plane", "Each measured on the real server: start (the binary executed) to the first 200 from /_cloudlet/health; stacks created through the CloudFormation API, timed from CreateStack to DescribeStacks reporting CREATE_COMPLETE (polled every 2 ms); the server's resident memory (VmRSS) on a fresh server idle, then right after deploying 200 functions that are never invoked, then idle again once the Go runtime's periodic collection (forced after two idle minutes) has run: the last is what the functions themselves cost."},
	{"Invoke API", "`aws lambda invoke`-equivalent requests — POST /2015-03-31/functions/fa-005-function/invocations, each signed with SigV4 — on keep-alive connections, to the seed's warm Python function."},
}

// Clients are the keep-alive client counts of throughput figures.
var clientCounts = []int{1, 8, 64}

// Runtimes the data-plane figures cover: the seed's Python, Node.js and a
// Go provided.al2023 bootstrap.
var runtimes = []struct{ Key, Label string }{
	{"python", "Python"},
	{"node", "Node.js"},
	{"go", "Go"},
}

// loadFigures are the latency percentiles with one client and the
// throughput with each client count, the set the issue asks for every
// HTTP target.
//
// They end with the CPU time per request at 8 clients, of the server
// process and (fn) of the processes below it — the function runtimes, the
// floor's interpreter — which says what bounds the throughput on a
// machine of two cores.
func loadFigures(section int, prefix, label, floorPrefix string, fn bool) []*Figure {
	var fs []*Figure
	for _, p := range []string{"p50", "p90", "p99", "p99.9"} {
		f := &Figure{ID: prefix + "." + p, Section: section, Name: label + ", 1 client, " + p, Unit: unitMicros}
		if floorPrefix != "" {
			f.Floor = floorPrefix + "." + p
		}
		fs = append(fs, f)
	}
	for _, c := range clientCounts {
		f := &Figure{ID: fmt.Sprintf("%s.rps%d", prefix, c), Section: section, Name: fmt.Sprintf("%s, %d clients, throughput", label, c), Unit: unitRPS}
		if c == 1 {
			f.Name = label + ", 1 client, throughput"
		}
		if floorPrefix != "" {
			f.Floor = fmt.Sprintf("%s.rps%d", floorPrefix, c)
		}
		fs = append(fs, f)
	}
	server := "server"
	if section == 2 {
		server = "cloudlet"
	}
	cpu := &Figure{ID: prefix + ".cpu8", Section: section, Name: label + ", 8 clients, CPU per request: " + server + " process", Unit: unitMicros}
	if floorPrefix != "" {
		cpu.Floor = floorPrefix + ".cpu8"
	}
	fs = append(fs, cpu)
	if fn {
		f := &Figure{ID: prefix + ".cpufn8", Section: section, Name: label + ", 8 clients, CPU per request: handler processes", Unit: unitMicros}
		if floorPrefix != "" {
			f.Floor = floorPrefix + ".cpufn8"
		}
		fs = append(fs, f)
	}
	return fs
}

const (
	issueLambda = "Lambda, issue 4"
	issueHTTP   = "HTTP API, issue 5"
	issueCFN    = "CloudFormation, issue 3"
)

// catalog declares every figure of the report, measured or not, so that
// a phase that fails still leaves its rows (marked n/a) in the report.
func catalog() []*Figure {
	var fs []*Figure
	// 1. Floor.
	for _, rt := range runtimes {
		fs = append(fs, loadFigures(1, "floor."+rt.Key, rt.Label+" pipe harness", "", true)...)
	}
	for _, rt := range runtimes {
		fs = append(fs, &Figure{ID: "loop." + rt.Key, Section: 1, Name: rt.Label + " handler called in a loop, no I/O, per call", Unit: unitNanos})
	}
	// 2. Warm.
	for _, rt := range runtimes {
		label := rt.Label + " function"
		if rt.Key == "python" {
			label = "Seed API (Python)"
		}
		ws := loadFigures(2, "warm."+rt.Key, label, "floor."+rt.Key, true)
		if rt.Key == "python" {
			for _, f := range ws {
				switch f.ID {
				case "warm.python.p50":
					f.Target = &Target{Op: "<", Value: 1000, Source: issueHTTP}
				case "warm.python.p99":
					f.Target = &Target{Op: "<", Value: 3000, Source: issueHTTP}
				case "warm.python.rps8":
					f.Target = &Target{Op: ">", Value: 4000, Source: issueHTTP}
				}
			}
		}
		fs = append(fs, ws...)
	}
	fs = append(fs,
		&Figure{ID: "invoke.internal.p50", Section: 2, Name: "Lambda Service.Invoke (in-process, seed function, sequential), p50", Unit: unitMicros,
			Target: &Target{Op: "<", Value: 300, Source: issueLambda}},
		&Figure{ID: "invoke.internal.p99", Section: 2, Name: "Lambda Service.Invoke (in-process, seed function, sequential), p99", Unit: unitMicros},
	)
	// 3. Gateway.
	fs = append(fs, loadFigures(3, "stub", "Seed API with a stub function", "", false)...)
	fs = append(fs,
		&Figure{ID: "gw.handler.1", Section: 3, Name: "Gateway handler per request, stub function, seed API (1 route)", Unit: unitMicros,
			Target: &Target{Op: "<", Value: 50, Source: issueHTTP}},
		&Figure{ID: "gw.handler.10", Section: 3, Name: "Gateway handler per request, stub function, 10 routes", Unit: unitMicros},
		&Figure{ID: "gw.handler.300", Section: 3, Name: "Gateway handler per request, stub function, 300 routes (the quota)", Unit: unitMicros},
		&Figure{ID: "route.10", Section: 3, Name: "Route match, 10 routes", Unit: unitNanos},
		&Figure{ID: "route.1000", Section: 3, Name: "Route match, 1,000 routes", Unit: unitNanos},
		&Figure{ID: "route.10000", Section: 3, Name: "Route match, 10,000 routes", Unit: unitNanos},
		&Figure{ID: "route.ratio", Section: 3, Name: "Route match, 10,000 routes ÷ 10 routes", Unit: unitRatio,
			Target: &Target{Op: "<", Value: 2, Source: issueHTTP}},
	)
	// 4. Cold start.
	for _, rt := range runtimes {
		fs = append(fs, &Figure{ID: "cold." + rt.Key, Section: 4, Name: rt.Label + ", cold start to first response, without the pool", Unit: unitMillis,
			Target: &Target{Op: "<", Value: 50, Source: issueLambda}})
	}
	for _, rt := range runtimes {
		fs = append(fs, &Figure{ID: "coldpool." + rt.Key, Section: 4, Name: rt.Label + ", cold start with the pre-initialised pool", Unit: unitMillis,
			Target: &Target{Op: "<", Value: 15, Source: issueLambda}})
	}
	// 5. Scale-out.
	fs = append(fs,
		&Figure{ID: "scale.wall", Section: 5, Name: "50 concurrent 1 s sleeps, wall time", Unit: unitSecs,
			Target: &Target{Op: "<", Value: 2.5, Source: issueLambda}},
		&Figure{ID: "scale.envs", Section: 5, Name: "50 concurrent 1 s sleeps, environments created", Unit: unitCount,
			Target: &Target{Op: "=", Value: 50, Source: "AWS: one per concurrent request"}},
		&Figure{ID: "scale.cpu.fn", Section: 5, Name: "50 concurrent 1 s sleeps, CPU time of the function processes", Unit: unitSecs},
		&Figure{ID: "scale.cpu.server", Section: 5, Name: "50 concurrent 1 s sleeps, CPU time of the cloudlet process", Unit: unitSecs},
	)
	// 6. Control plane.
	fs = append(fs,
		&Figure{ID: "cp.healthy", Section: 6, Name: "`cloudlet serve` start to healthy", Unit: unitMillis},
		&Figure{ID: "cp.seed", Section: 6, Name: "Seed stack (3 stacks, 9 resources) to CREATE_COMPLETE", Unit: unitMillis,
			Target: &Target{Op: "<", Value: 300, Source: issueCFN}},
		&Figure{ID: "cp.200", Section: 6, Name: "200 independent resources (SSM parameters) to CREATE_COMPLETE", Unit: unitMillis,
			Target: &Target{Op: "<", Value: 2000, Source: issueCFN}},
		&Figure{ID: "cp.200fn", Section: 6, Name: "200 Lambda functions (and their role) to CREATE_COMPLETE", Unit: unitMillis},
		&Figure{ID: "cp.rss0", Section: 6, Name: "Idle RSS, 0 functions deployed", Unit: unitMB},
		&Figure{ID: "cp.rss200now", Section: 6, Name: "RSS right after deploying 200 functions", Unit: unitMB},
		&Figure{ID: "cp.rss200", Section: 6, Name: "Idle RSS, 200 functions deployed, never invoked", Unit: unitMB},
		&Figure{ID: "cp.rssdelta", Section: 6, Name: "RSS the 200 never-invoked functions add", Unit: unitMB,
			Target: &Target{Op: "<", Value: 10, Source: issueLambda}},
		&Figure{ID: "cp.procs", Section: 6, Name: "Processes of the 200 never-invoked functions", Unit: unitCount,
			Target: &Target{Op: "=", Value: 0, Source: issueLambda}},
	)
	// 7. Invoke API.
	fs = append(fs,
		&Figure{ID: "invoke.api.p50", Section: 7, Name: "Invoke API, 1 client, p50", Unit: unitMicros},
		&Figure{ID: "invoke.api.rps1", Section: 7, Name: "Invoke API, 1 client, throughput", Unit: unitRPS},
		&Figure{ID: "invoke.api.rps8", Section: 7, Name: "Invoke API, 8 clients, throughput", Unit: unitRPS},
	)
	return fs
}
