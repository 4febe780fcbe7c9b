// Command benchcmd times commands side by side for `make bench`: each
// command runs -n times, interleaved so that machine noise hits all of them
// alike, with stdout to /dev/null. It prints the median wall time, the
// median peak RSS of the process tree (wait4's rusage covers the waited-for
// descendants) and the ratio to the first command, the baseline.
//
//	benchcmd -n 7 -- 'bash -c "seq 1 1000000"' 'planner-tui run x'
//
// Commands are split with shell word rules (mvdan.cc/sh) but not run by a
// shell, so the baseline pays no extra shell start.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"syscall"
	"time"

	"mvdan.cc/sh/v3/shell"
)

type sample struct {
	wall time.Duration
	rss  int64 // KiB
}

func main() {
	n := flag.Int("n", 7, "runs of each command")
	label := flag.String("labels", "", "comma-separated labels (default: the commands)")
	flag.Parse()
	cmds := flag.Args()
	if len(cmds) == 0 {
		fmt.Fprintln(os.Stderr, "usage: benchcmd [-n N] CMD [CMD...]")
		os.Exit(2)
	}
	labels := cmds
	if *label != "" {
		labels = splitComma(*label)
	}
	argvs := make([][]string, len(cmds))
	for i, c := range cmds {
		f, err := shell.Fields(c, os.Getenv)
		if err != nil || len(f) == 0 {
			fmt.Fprintf(os.Stderr, "benchcmd: %q: %v\n", c, err)
			os.Exit(2)
		}
		argvs[i] = f
	}
	samples := make([][]sample, len(cmds))
	for r := 0; r < *n; r++ {
		for i, argv := range argvs {
			s, err := run(argv)
			if err != nil {
				fmt.Fprintf(os.Stderr, "benchcmd: %s: %v\n", cmds[i], err)
				os.Exit(1)
			}
			samples[i] = append(samples[i], s)
		}
	}
	var base time.Duration
	for i := range cmds {
		w, rss := median(samples[i])
		if i == 0 {
			base = w
		}
		name := cmds[i]
		if i < len(labels) {
			name = labels[i]
		}
		fmt.Printf("%-44s median %9.2f ms  peak RSS %7.1f MB  %5.2fx\n", name, float64(w.Microseconds())/1000, float64(rss)/1024, float64(w)/float64(base))
	}
}

func run(argv []string) (sample, error) {
	devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		return sample{}, err
	}
	defer devnull.Close()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdout = devnull
	cmd.Stderr = devnull
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return sample{}, err
	}
	wall := time.Since(start)
	ru, _ := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	var rss int64
	if ru != nil {
		rss = ru.Maxrss
	}
	return sample{wall, rss}, nil
}

func median(s []sample) (time.Duration, int64) {
	w := make([]time.Duration, len(s))
	r := make([]int64, len(s))
	for i, x := range s {
		w[i], r[i] = x.wall, x.rss
	}
	sort.Slice(w, func(i, j int) bool { return w[i] < w[j] })
	sort.Slice(r, func(i, j int) bool { return r[i] < r[j] })
	return w[len(w)/2], r[len(r)/2]
}

func splitComma(s string) []string {
	var out []string
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == ',' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return out
}
