package sandbox

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"
)

// launchError is a runtime that could not be started at all (§5.2).
type launchError struct{ reason string }

func (e *launchError) Error() string { return e.reason }

// launch starts a runtime process with its own Runtime API.
func (e *environment) launch() (*instance, error) {
	p := e.pool
	argv, interpDir, err := p.command()
	if err != nil {
		return nil, err
	}
	api, err := listenRuntimeAPI()
	if err != nil {
		return nil, fmt.Errorf("listen for runtime api: %w", err)
	}
	f := p.cfg.Function
	spec := envSpec{
		runtimeAPI: api.addr(),
		stream:     e.stream,
		runtimeDir: p.runtimeDir,
		tmpDir:     e.tmpDir,
		interpDir:  interpDir,
	}
	l := launchSpec{
		argv:     argv,
		dir:      f.CodeDir,
		name:     e.id,
		memBytes: int64(f.memoryMB()) << 20,
		fsize:    uint64(f.ephemeralStorageMB()) << 20,
		marker:   "AWS_LAMBDA_LOG_STREAM_NAME=" + e.stream,
	}
	if p.view != nil {
		// The environment's own view of the same things (§2.7, §3.1); AWS
		// sets no TMPDIR: /tmp is the temporary directory.
		l.view = &viewSpec{Task: f.CodeDir, Runtime: p.runtimeDir, Tmp: e.tmpDir, Layers: f.LayerDirs,
			Keep: p.view.keep, OptStub: p.view.optStub, Hide: p.view.hide}
		l.dir = guestTask
		// The platform's variables may name host paths of the code or the
		// layers (a PYTHONPATH of layers' python folders): translate them.
		extra := make(map[string]string, len(f.ExtraEnv))
		for k, v := range f.ExtraEnv {
			parts := strings.Split(v, ":")
			for i, part := range parts {
				parts[i] = guestPath(part, f, p.runtimeDir)
			}
			extra[k] = strings.Join(parts, ":")
		}
		f.ExtraEnv = extra
		f.CodeDir = guestTask
		if len(f.LayerDirs) > 0 {
			f.LayerDirs = []string{guestOpt}
		}
		spec.runtimeDir, spec.tmpDir = guestRuntime, ""
	}
	l.env = buildEnv(f, spec)
	sb := p.takeStandby()
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closing {
		api.close()
		if sb != nil {
			sb.discard()
		}
		return nil, errClosing
	}
	e.logs.newPeriod()
	if sb != nil {
		if inst := e.adopt(sb, api, l); inst != nil {
			return inst, nil
		}
	}
	r, w, err := os.Pipe()
	if err != nil {
		api.close()
		return nil, fmt.Errorf("create output pipe: %w", err)
	}
	proc, err := p.iso.start(l, w)
	w.Close()
	if err != nil {
		api.close()
		r.Close()
		var le *launchError
		if errors.As(err, &le) {
			return nil, err
		}
		return nil, fmt.Errorf("start runtime: %w", err)
	}
	out := newOutputReader(r, e.logs)
	go out.run()
	e.inst = &instance{api: api, proc: proc, out: out}
	p.noteInit(false)
	return e.inst, nil
}

// adopt makes the standby sb e's runtime process (standby.go); nil if the
// handoff failed, and sb is gone. Called with e.mu held.
func (e *environment) adopt(sb *standby, api *runtimeAPI, l launchSpec) *instance {
	p := e.pool
	proc, err := p.iso.handoff(sb, l)
	if err != nil {
		sb.discard()
		p.iso.standbys.failed(p.standbyKey, err)
		return nil
	}
	out := newOutputReader(sb.out, e.logs)
	go out.run()
	e.inst = &instance{api: api, proc: proc, out: out}
	p.noteInit(true)
	return e.inst
}

// reset stops inst's process group and releases what belongs to it. grace
// zero kills at once; otherwise SIGTERM comes first.
func (e *environment) reset(inst *instance, grace time.Duration) {
	if grace > 0 {
		inst.proc.terminate(grace)
	} else {
		inst.proc.kill()
	}
	// Stragglers that escaped the process group (fallback mode) may hold
	// the output pipe: release kills them before the pipe is drained.
	if err := inst.proc.release(); err != nil {
		e.pool.log.Warn("release environment process", "environment", e.id, "err", err)
	}
	inst.out.finish(time.Second)
	inst.api.close()
	e.mu.Lock()
	if e.inst == inst {
		e.inst = nil
	}
	e.mu.Unlock()
}
