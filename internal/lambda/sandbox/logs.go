package sandbox

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"sync"
	"syscall"
	"time"
	"unsafe"
)

const (
	maxEventBytes  = 256 << 10 // CloudWatch's event size cap
	tailBytes      = 4096      // LogType=Tail returns the last 4 KB (§6.4)
	tailKeepFactor = 4         // trim the tail buffer when it is this many times tailBytes
)

// logStream is one environment's log stream: runtime output lines and the
// platform's own lines (START, END, REPORT…), batched to the sink, and the
// text of the current invocation kept for LogType=Tail.
type logStream struct {
	sink          LogSink
	group, stream string
	now           func() time.Time
	// limit caps the runtime output bytes of one period (an Init or an
	// invocation); negative means no cap.
	limit int64

	mu      sync.Mutex
	pending []LogEvent
	partial []byte
	tail    *bytes.Buffer // non-nil while an invocation wants its tail
	used    int64         // output bytes taken this period
	dropped int64         // output bytes dropped since the last notice

	flushMu sync.Mutex // keeps batches in order at the sink
}

// write takes raw runtime output: each complete line becomes an event
// (keeping its newline, as CloudWatch keeps Lambda's), a trailing partial
// line waits for its end (or for endLine).
func (l *logStream) write(p []byte) {
	l.mu.Lock()
	cut := false
	if l.limit >= 0 {
		room := max(l.limit-l.used, 0)
		if int64(len(p)) > room {
			l.dropped += int64(len(p)) - room
			p, cut = p[:room], true
		}
		l.used += int64(len(p))
	}
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			l.partial = append(l.partial, p...)
			if len(l.partial) >= maxEventBytes {
				l.addLocked(string(l.partial))
				l.partial = l.partial[:0]
			}
			break
		}
		var line string
		if len(l.partial) > 0 {
			l.partial = append(l.partial, p[:i+1]...)
			line = string(l.partial)
			l.partial = l.partial[:0]
		} else {
			line = string(p[:i+1])
		}
		l.addLocked(line)
		p = p[i+1:]
	}
	if cut && len(l.partial) > 0 {
		// The line the cap cut through ends here, without its newline.
		l.addLocked(string(l.partial))
		l.partial = l.partial[:0]
	}
	l.mu.Unlock()
	// One read of the pipe is one batch: what the runtime wrote at once
	// reaches the sink at once, and a long invocation's lines are visible
	// (live tail) before it ends.
	l.flush()
}

// endLine turns a pending partial line into an event, so that output
// without a final newline is not held past its invocation.
func (l *logStream) endLine() {
	l.mu.Lock()
	if len(l.partial) > 0 {
		l.addLocked(string(l.partial))
		l.partial = l.partial[:0]
	}
	l.mu.Unlock()
}

// newPeriod starts the output budget of an Init or an invocation afresh.
func (l *logStream) newPeriod() {
	l.mu.Lock()
	l.used = 0
	l.mu.Unlock()
}

// noteDropped adds a platform line saying how much output was dropped
// since the last such line, if any was.
func (l *logStream) noteDropped() {
	l.mu.Lock()
	if l.dropped > 0 {
		l.addLocked(fmt.Sprintf("cloudlet: dropped %d bytes of function output past the limit of %d bytes per invocation\n", l.dropped, l.limit))
		l.dropped = 0
	}
	l.mu.Unlock()
}

// platform adds one of the platform's own lines (given without newline).
func (l *logStream) platform(line string) {
	l.mu.Lock()
	l.addLocked(line + "\n")
	l.mu.Unlock()
}

func (l *logStream) addLocked(line string) {
	if l.tail != nil {
		l.tail.WriteString(line)
		if l.tail.Len() > tailKeepFactor*tailBytes {
			keep := l.tail.Bytes()[l.tail.Len()-tailBytes:]
			nb := bytes.NewBuffer(make([]byte, 0, tailKeepFactor*tailBytes+tailBytes))
			nb.Write(keep)
			l.tail = nb
		}
	}
	if l.sink == nil {
		return
	}
	l.pending = append(l.pending, LogEvent{Time: l.now(), Message: line})
}

// startTail begins collecting this invocation's text for LogType=Tail.
func (l *logStream) startTail() {
	l.mu.Lock()
	l.tail = new(bytes.Buffer)
	l.mu.Unlock()
}

// endTail stops collecting and returns the last 4096 bytes; nil if no tail
// was being collected.
func (l *logStream) endTail() []byte {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.tail == nil {
		return nil
	}
	b := l.tail.Bytes()
	if len(b) > tailBytes {
		b = b[len(b)-tailBytes:]
	}
	l.tail = nil
	return bytes.Clone(b)
}

// flush hands pending events to the sink.
func (l *logStream) flush() {
	l.flushMu.Lock()
	defer l.flushMu.Unlock()
	l.mu.Lock()
	batch := l.pending
	l.pending = nil
	l.mu.Unlock()
	if len(batch) > 0 && l.sink != nil {
		l.sink.Append(l.group, l.stream, batch)
	}
}

// outputReader copies one runtime process's output pipe into its log
// stream. It counts what it read under the same lock as the read itself,
// so that sync can tell when everything written before a given moment has
// reached the stream: the runtime's output for an invocation must come
// before that invocation's END line.
type outputReader struct {
	f      *os.File
	stream *logStream

	mu        sync.Mutex
	cond      *sync.Cond
	read      int64 // bytes taken from the pipe
	processed int64 // bytes written to the stream
	done      bool
	doneCh    chan struct{}
}

func newOutputReader(f *os.File, stream *logStream) *outputReader {
	o := &outputReader{f: f, stream: stream, doneCh: make(chan struct{})}
	o.cond = sync.NewCond(&o.mu)
	return o
}

// run reads until EOF or until the pipe is closed.
func (o *outputReader) run() {
	defer func() {
		o.mu.Lock()
		o.done = true
		o.cond.Broadcast()
		o.mu.Unlock()
		close(o.doneCh)
	}()
	rc, err := o.f.SyscallConn()
	if err != nil {
		return
	}
	buf := make([]byte, 64<<10)
	for {
		var n int
		var rerr error
		err := rc.Read(func(fd uintptr) bool {
			o.mu.Lock()
			defer o.mu.Unlock()
			n, rerr = syscall.Read(int(fd), buf)
			if errors.Is(rerr, syscall.EAGAIN) {
				return false // not ready: wait for the poller
			}
			if n > 0 {
				o.read += int64(n)
			}
			return true
		})
		if n > 0 {
			o.stream.write(buf[:n])
			o.mu.Lock()
			o.processed += int64(n)
			o.cond.Broadcast()
			o.mu.Unlock()
		}
		if err != nil || rerr != nil || n <= 0 {
			return
		}
	}
}

// sync waits until every byte in the pipe now, and every byte already read
// from it, is in the stream; then it closes a pending partial line.
func (o *outputReader) sync() {
	o.mu.Lock()
	target := o.read + o.queued()
	for o.processed < target && !o.done {
		o.cond.Wait()
	}
	o.mu.Unlock()
	o.stream.endLine()
}

// queued is how many bytes wait in the pipe. Called with o.mu held, so no
// read can run between this count and the read counter.
func (o *outputReader) queued() int64 {
	rc, err := o.f.SyscallConn()
	if err != nil {
		return 0
	}
	var n int32
	_ = rc.Control(func(fd uintptr) {
		// TIOCINQ is FIONREAD on Linux: bytes waiting in the pipe.
		_, _, errno := syscall.Syscall(syscall.SYS_IOCTL, fd, syscall.TIOCINQ, uintptr(unsafe.Pointer(&n)))
		if errno != 0 {
			n = 0
		}
	})
	return int64(n)
}

// finish waits (boundedly) for EOF after the process died, then closes the
// pipe so a straggler holding its write end cannot pin the reader.
func (o *outputReader) finish(wait time.Duration) {
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-o.doneCh:
	case <-t.C:
	}
	o.f.Close()
	<-o.doneCh
	o.stream.endLine()
}
