package lambda

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
)

// killOrphans kills what a previous cloudlet on this data directory left
// running: a function's runtime dies with cloudlet (Pdeathsig), but the
// children it started do not when cloudlet is killed with SIGKILL, which
// leaves no time to stop environments. Without isolation nothing else
// would ever stop them. Every function process, and every child that kept
// its environment, carries LAMBDA_RUNTIME_DIR below this data directory's
// scratch folders (spec lambda §3), and the store's lock guarantees that
// no other cloudlet is using the folder, so they are all orphans. (An
// isolated environment's processes die with their PID namespace instead;
// their LAMBDA_RUNTIME_DIR is /var/runtime.) It returns how many it killed.
func killOrphans(scratchRoot string) int {
	root, err := filepath.Abs(scratchRoot)
	if err != nil {
		return 0
	}
	needle := []byte("\x00LAMBDA_RUNTIME_DIR=" + root + string(filepath.Separator))
	self := os.Getpid()
	killed := 0
	for range 3 { // a victim may have forked while we looked
		names, err := procNames()
		if err != nil {
			return killed
		}
		found := false
		for _, name := range names {
			pid, err := strconv.Atoi(name)
			if err != nil || pid == self {
				continue
			}
			env, err := os.ReadFile("/proc/" + name + "/environ")
			if err != nil || len(env) == 0 {
				continue
			}
			if bytes.Contains(append([]byte{0}, env...), needle) && syscall.Kill(pid, syscall.SIGKILL) == nil {
				killed++
				found = true
			}
		}
		if !found {
			break
		}
	}
	return killed
}

func procNames() ([]string, error) {
	d, err := os.Open("/proc")
	if err != nil {
		return nil, err
	}
	defer d.Close()
	return d.Readdirnames(-1)
}
