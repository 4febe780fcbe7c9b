package runner

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// procToken identifies a process across pid reuse: its pid, its start time
// in clock ticks since boot (/proc/PID/stat field 22) and the boot id.
type procToken struct {
	pid   int
	start string
	boot  string
}

func (t procToken) String() string { return fmt.Sprintf("%d %s %s\n", t.pid, t.start, t.boot) }

func tokenOf(pid int) (procToken, error) {
	start, err := procStartTime(pid)
	if err != nil {
		return procToken{}, err
	}
	boot, err := os.ReadFile("/proc/sys/kernel/random/boot_id")
	if err != nil {
		return procToken{}, fmt.Errorf("boot id: %w", err)
	}
	return procToken{pid: pid, start: start, boot: strings.TrimSpace(string(boot))}, nil
}

// procStartTime returns field 22 of /proc/PID/stat.
func procStartTime(pid int) (string, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return "", fmt.Errorf("process %d: %w", pid, err)
	}
	// comm (field 2) may hold spaces and parentheses: split after the last ')'.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return "", fmt.Errorf("process %d: malformed stat", pid)
	}
	f := strings.Fields(string(b[i+1:])) // f[0] is field 3
	if len(f) < 20 {
		return "", fmt.Errorf("process %d: malformed stat", pid)
	}
	return f[19], nil
}

// GroupFile names the command's process group (bash's pid, start time and
// boot), so that a job whose supervisor died is still seen as running while
// its command runs.
const GroupFile = "group"

func writeGroupFile(jobDir string, pgid int) error {
	t, err := tokenOf(pgid)
	if err != nil {
		return err
	}
	return writeFileRename(filepath.Join(jobDir, GroupFile), []byte(t.String()))
}

func writePidFile(jobDir string) error {
	t, err := tokenOf(os.Getpid())
	if err != nil {
		return err
	}
	// No fsync: after a power cut the supervisor is gone anyway.
	return writeFileRename(filepath.Join(jobDir, PidFile), []byte(t.String()))
}

func readPidFile(jobDir string) (procToken, error) {
	return readToken(filepath.Join(jobDir, PidFile))
}

func readToken(path string) (procToken, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return procToken{}, fmt.Errorf("pid file: %w", err)
	}
	f := strings.Fields(string(b))
	if len(f) != 3 {
		return procToken{}, fmt.Errorf("pid file %s: malformed", path)
	}
	pid, err := strconv.Atoi(f[0])
	if err != nil || pid <= 0 {
		return procToken{}, fmt.Errorf("pid file %s: malformed", path)
	}
	return procToken{pid: pid, start: f[1], boot: f[2]}, nil
}

// Alive reports whether the job still runs: its supervisor, or, when the
// supervisor was killed (OOM, kill -9), the command's process group, which
// goes on without it. A pid file names a live process only with the same
// start time on the same boot, so a reused pid is not mistaken for it.
func Alive(jobDir string) bool {
	if supervisorAlive(jobDir) {
		return true
	}
	g, err := readToken(filepath.Join(jobDir, GroupFile))
	if err != nil {
		return false
	}
	// The group leader (bash) with its own start time, or any member left.
	if got, err := tokenOf(g.pid); err == nil && got == g && procState(g.pid) != 'Z' {
		return true
	}
	return groupAlive(g.pid) && sameBoot(g)
}

// sameBoot: a group id from before a reboot names nothing of ours.
func sameBoot(t procToken) bool {
	self, err := tokenOf(os.Getpid())
	return err == nil && self.boot == t.boot
}

func supervisorAlive(jobDir string) bool {
	want, err := readPidFile(jobDir)
	if err != nil {
		return false
	}
	if err := syscall.Kill(want.pid, 0); err != nil && !errors.Is(err, syscall.EPERM) {
		return false
	}
	got, err := tokenOf(want.pid)
	if err != nil {
		return false
	}
	if got != want {
		return false
	}
	// A zombie has not been reaped yet but runs no more.
	return procState(want.pid) != 'Z'
}

// procState returns the state letter of /proc/PID/stat, 0 if unknown.
func procState(pid int) byte {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 || i+2 >= len(b) {
		return 0
	}
	return b[i+2]
}

// groupAlive reports whether any process of group pgid still runs
// (zombies do not count: they wait only for their parent to reap them).
func groupAlive(pgid int) bool {
	if err := syscall.Kill(-pgid, 0); errors.Is(err, syscall.ESRCH) {
		return false
	}
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return true
	}
	for _, e := range ents {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		i := bytes.LastIndexByte(b, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(string(b[i+1:])) // state ppid pgrp ...
		if len(f) > 2 && f[2] == strconv.Itoa(pgid) && f[0] != "Z" {
			return true
		}
	}
	return false
}

// writeFileRename replaces path with data atomically (temp + rename) but
// without fsync: for files that need not survive a power cut, kept off the
// start-up path where each fsync costs milliseconds.
func writeFileRename(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
