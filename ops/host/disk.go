// Package host reads the resources of the machine the stack runs on (disk
// space of the paths that matter, memory) and turns them into warnings an
// operator should see before a deployment fills a disk.
package host

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// Usage is the space of the filesystem holding Path. Err is set (and the
// numbers are zero) when the path cannot be examined, e.g. it is missing.
type Usage struct {
	Path               string
	Total, Used, Avail uint64 // bytes; Avail is what an unprivileged user can still write
	UsedPct            float64
	Err                string
}

// Disk reports the filesystem usage of each path. A missing or unreadable
// path gets an Err and does not stop the others.
func Disk(paths ...string) []Usage {
	out := make([]Usage, 0, len(paths))
	for _, p := range paths {
		u := Usage{Path: p}
		var st unix.Statfs_t
		if err := unix.Statfs(p, &st); err != nil {
			u.Err = fmt.Sprintf("disk usage of %s: %v", p, err)
			out = append(out, u)
			continue
		}
		bs := uint64(st.Bsize)
		u.Total = st.Blocks * bs
		u.Avail = st.Bavail * bs
		u.Used = (st.Blocks - st.Bfree) * bs
		// As df computes Use%: used over what is usable by users, rounded up
		// in df; here kept exact.
		if d := u.Used + u.Avail; d > 0 {
			u.UsedPct = float64(u.Used) / float64(d) * 100
		}
		out = append(out, u)
	}
	return out
}
