package doctor

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"planner-tui/ops/host"
	"planner-tui/ops/lock"
)

// probeWrite proves dir writable the only sure way: it creates, writes,
// fsyncs and removes a small hidden file there. Permission bits are no
// proof (root ignores them; a read-only mount does not show in them).
func probeWrite(dir string) error {
	st, err := os.Stat(dir)
	if err != nil {
		return err
	}
	if !st.IsDir() {
		return fmt.Errorf("%s is not a directory", dir)
	}
	f, err := os.CreateTemp(dir, ".planner-tui-doctor-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(make([]byte, 4096)); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// DBSize is the database's size for BackupDir; Known is false when the
// database could not be asked.
type DBSize struct {
	Bytes int64
	Known bool
}

// BackupDir checks that BACKUP_DIR is set, exists, can be written (by a
// real write) and has room for a dump: at least the database's size free
// (a plain dump is usually smaller than the database), a warning below
// twice that or when the disk is nearly full.
func BackupDir(dir string, db DBSize) Check {
	const name = "backup dir"
	if dir == "" {
		return fail(name, "BACKUP_DIR is not set", "set BACKUP_DIR in the runbook's front matter, the environment, or with --set")
	}
	if err := probeWrite(dir); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return fail(name, dir+" does not exist", "mkdir -p "+dir+" (owned by the user who runs planner-tui)")
		}
		return fail(name, "cannot write to "+dir+": "+err.Error(), "make "+dir+" a directory the user who runs planner-tui can write")
	}
	u := host.Disk(dir)[0]
	if u.Err != "" {
		return warn(name, dir+" is writable; free space unknown: "+u.Err, "check the disk with df -h "+dir)
	}
	free := fmt.Sprintf("%s writable, %s free (%.0f%% used)", dir, host.Bytes(u.Avail), u.UsedPct)
	fix := "free space on that disk, or point BACKUP_DIR at a bigger one"
	switch {
	case !db.Known:
		return warn(name, free+"; the database's size is unknown, so whether a backup fits is too", "make the database reachable (see the database check)")
	case uint64(db.Bytes) > u.Avail:
		return fail(name, fmt.Sprintf("%s; the database is %s: a backup will not fit", free, host.Bytes(uint64(db.Bytes))), fix)
	case uint64(db.Bytes)*2 > u.Avail:
		return warn(name, fmt.Sprintf("%s; the database is %s: room for less than two backups", free, host.Bytes(uint64(db.Bytes))), fix)
	}
	for _, w := range host.Warnings([]host.Usage{u}, host.Memory{}, host.Thresholds{}) {
		if w.What != "memory" {
			return warn(name, fmt.Sprintf("%s; the database is %s; %s", free, host.Bytes(uint64(db.Bytes)), w.Message), fix)
		}
	}
	return ok(name, fmt.Sprintf("%s; the database is %s", free, host.Bytes(uint64(db.Bytes))))
}

// StateDir checks that the state dir can be written (runs, logs, the audit
// log and the lock live there) and says who holds its operator lock.
func StateDir(dir, lockPath string) Check {
	const name = "state dir"
	if err := probeWrite(dir); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return fail(name, dir+" does not exist", "mkdir -p "+dir+", or give --state-dir")
		}
		return fail(name, "cannot write to "+dir+": "+err.Error(), "make "+dir+" writable by the user who runs planner-tui, or give --state-dir")
	}
	h, held, err := lock.Read(lockPath)
	switch {
	case err != nil:
		return warn(name, dir+" writable; the lock: "+err.Error(), "check "+lockPath)
	case held && h.User == "":
		return warn(name, dir+" writable; the lock is held by a process that has not named itself",
			"wait for it, or find it with fuser "+lockPath)
	case held:
		return warn(name, dir+" writable; the lock is held by "+h.String()+": runs here are refused until it is released",
			"ask "+h.User+", or wait (planner-tui status shows the run)")
	}
	return ok(name, dir+" writable; lock free")
}
